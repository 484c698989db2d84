"""Bad input refused before it reaches a service or the database, each kind in one place:

- `parse_json`: a request's JSON body; nested deeper than MAX_DEPTH is a 400 (no body this
  API reads goes past 3 levels; Python's parser would fail at ~1,000 with a RecursionError),
  and a NUL character in any string or key is a 422 (PostgreSQL cannot store one in text).
- `RejectNul`: the same for a NUL in the request's path or query string (path and query
  parameters reach SQL: a ticket's number, a window, a token).
- Ids in paths are bounded to the signed 64-bit range by api/common.py's `path_int`, and
  dates to SANE_DAYS by services/ratings.py's `parse_day` and `check_range`.
"""
from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from onewindow.server.errors import BadRequest, Invalid

MAX_DEPTH = 32
NUL = "\x00"


def parse_json(raw: bytes | bytearray) -> Any:
    """The body as JSON: BadRequest when it is not JSON or nests too deep, Invalid (naming the
    field) when a string holds a NUL character."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("body is not valid JSON", "bad_json") from None
    except RecursionError:  # deeper than the parser can go: far past MAX_DEPTH
        raise BadRequest(f"body nests deeper than {MAX_DEPTH} levels", "too_deep") from None
    check_json(data)
    return data


def check_json(data: Any) -> None:
    """Walk parsed JSON without recursion: its depth, and no NUL in any string or key."""
    stack: list[tuple[Any, int, str]] = [(data, 0, "")]
    while stack:
        value, depth, path = stack.pop()
        if isinstance(value, str):
            if NUL in value:
                _nul(path)
        elif isinstance(value, dict | list):
            if depth >= MAX_DEPTH:
                raise BadRequest(f"body nests deeper than {MAX_DEPTH} levels", "too_deep")
            if isinstance(value, dict):
                for k, v in value.items():
                    where = f"{path}.{k}" if path else str(k)
                    if NUL in k:
                        _nul(where)
                    stack.append((v, depth + 1, where))
            else:
                stack.extend((v, depth + 1, f"{path}.{i}" if path else str(i)) for i, v in enumerate(value))


def _nul(field: str) -> None:
    field = field.replace(NUL, "\\u0000")[:200] or "body"
    raise Invalid(f"{field}: a NUL character (\\u0000) is not allowed", "invalid", field=field)


class RejectNul:
    """Pure ASGI: a NUL (raw or %00) in the path or query string gets 422 JSON on HTTP, and a
    refused handshake (close 1008) on a websocket. Two byte scans per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            query = scope.get("query_string", b"")
            bad = ("path" if NUL in scope["path"]
                   else "query string" if b"%00" in query or b"\x00" in query else None)
            if bad is not None:
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 1008, "reason": f"NUL in the {bad}"})
                    return
                body = json.dumps({"error": f"a NUL character is not allowed in the request's {bad}",
                                   "code": "invalid"}).encode()
                await send({"type": "http.response.start", "status": 422, "headers": [
                    (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)
