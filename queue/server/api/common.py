"""What every endpoint shares: JSON in and out, errors, the signed-in user."""
from __future__ import annotations

import json
from typing import Literal, TypeVar, overload

from pydantic import BaseModel, ValidationError
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from onewindow.server.api.limits import parse_json
from onewindow.server.api.security import check_csrf
from onewindow.server.errors import Forbidden, Invalid, NotFound, TooLarge, Unauthorized
from onewindow.server.services.auth import COOKIE, User, token_digest
from onewindow.server.store import accounts

M = TypeVar("M", bound=BaseModel)
INT64 = 2**63


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
    data = parse_json(raw) if raw.strip() else {}  # 400 too deep, 422 a NUL in a string (api/limits.py)
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
    token = conn.cookies.get(COOKIE) or None
    if token is not None:
        check_csrf(conn)  # the cookie comes with cross-site requests too: a change must come from our pages
    return token


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
    now = rt.clock()
    user = rt.tokens.get(digest, now)  # in memory; revocations evict it in every process (Runtime.revoke)
    if user is None:
        generation = rt.tokens.generation
        row = await rt.db.read(accounts.session_user, digest, now)
        if row is None:
            if required:
                raise Unauthorized("session expired or unknown; sign in again", "unauthenticated")
            return None
        user = User(row["id"], row["username"], row["role"], row["display_name"], row["title"])
        rt.tokens.put(digest, user, row["expires_at"], generation)  # not if revoked meanwhile
    if user.is_bureau and not _reads(conn) and not conn.url.path.startswith(BUREAU_WRITES):
        if not required:
            return None  # a public route: the bureau's token counts for nothing there
        raise Forbidden("the bureau's role sees every outlet and changes none of them", "bureau_read_only")
    return user


# The bureau manager (issue 17) reads what a hall manager reads, in every hall, and changes nothing
# in any: besides reading, only their own session and password, and the bureau's own exports.
BUREAU_WRITES = ("/api/v1/auth/logout", "/api/v1/auth/password", "/api/v1/bureau/")


def _reads(conn: HTTPConnection) -> bool:
    """A GET (or HEAD), or a socket: consoles and dashboards only listen on theirs."""
    return conn.scope["type"] == "websocket" or conn.scope.get("method") in ("GET", "HEAD")


async def require_role(conn: HTTPConnection, *roles: str) -> User:
    user = await current_user(conn)
    if user.role not in roles and not (user.is_bureau and "manager" in roles and _reads(conn)):
        raise Forbidden(f"needs the role {' or '.join(roles)}")
    return user


def path_int(conn: HTTPConnection, name: str) -> int:
    """An id from the path: 404 unless a whole number in the signed 64-bit range (the
    databases' integer ids; SQLite cannot even compare with a larger one)."""
    raw = conn.path_params[name]
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not -INT64 <= value < INT64:
        raise NotFound(f"no {name} {raw[:40]!r}")
    return value
