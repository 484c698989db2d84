"""What every endpoint shares: JSON in and out, errors, the signed-in user."""
from __future__ import annotations

import json
from typing import Literal, TypeVar, overload

from pydantic import BaseModel, ValidationError
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from onewindow.server.errors import BadRequest, Forbidden, Invalid, NotFound, TooLarge, Unauthorized
from onewindow.server.services.auth import COOKIE, User, token_digest
from onewindow.server.store import accounts

M = TypeVar("M", bound=BaseModel)


class JSON(Response):
    media_type = "application/json"

    def render(self, content) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()


def error(status: int, message: str, code: str = "", **extra) -> JSON:
    body = {"error": message}
    if code:
        body["code"] = code
    body.update(extra)
    return JSON(body, status_code=status)


def runtime(conn: HTTPConnection):
    return conn.app.state.runtime


async def body(request: Request, model: type[M]) -> M:
    """The request's JSON body validated against `model`; a clear 4xx otherwise."""
    limit = runtime(request).settings.max_body_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise TooLarge(f"body larger than {limit} bytes")
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > limit:
            raise TooLarge(f"body larger than {limit} bytes")
    if not raw.strip():
        data = {}
    else:
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise BadRequest("body is not valid JSON", "bad_json") from None
    if not isinstance(data, dict):
        raise Invalid("body must be a JSON object", "bad_body")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        e = exc.errors()[0]
        field = ".".join(str(p) for p in e["loc"]) or "body"
        raise Invalid(f"{field}: {e['msg']}", "invalid", field=field) from None


def bearer(conn: HTTPConnection) -> str | None:
    h = conn.headers.get("authorization", "")
    if h[:7].lower() == "bearer ":
        return h[7:].strip() or None
    return conn.cookies.get(COOKIE) or None


@overload
async def current_user(conn: HTTPConnection, required: Literal[True] = True) -> User: ...
@overload
async def current_user(conn: HTTPConnection, required: bool) -> User | None: ...


async def current_user(conn: HTTPConnection, required: bool = True) -> User | None:
    token = bearer(conn)
    if token is None:
        if required:
            raise Unauthorized("sign in first", "unauthenticated")
        return None
    rt = runtime(conn)
    digest = token_digest(token)
    user = rt.tokens.get(digest)
    if user is None:
        row = await rt.db.read(accounts.session_user, digest, rt.clock())
        if row is None:
            if required:
                raise Unauthorized("session expired or unknown; sign in again", "unauthenticated")
            return None
        user = User(row["id"], row["username"], row["role"], row["display_name"], row["title"])
        rt.tokens.put(digest, user)
    return user


async def require_role(conn: HTTPConnection, *roles: str) -> User:
    user = await current_user(conn)
    if user.role not in roles:
        raise Forbidden(f"needs the role {' or '.join(roles)}")
    return user


def path_int(request: Request, name: str) -> int:
    raw = request.path_params[name]
    try:
        return int(raw)
    except ValueError:
        raise NotFound(f"no {name} {raw!r}") from None
