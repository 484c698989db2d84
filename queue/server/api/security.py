"""Security at the edge of the app, in one place:

- `SecurityHeaders`: every HTTP answer gets `X-Content-Type-Options: nosniff`,
  `Referrer-Policy: no-referrer` (tracking links carry tokens), `X-Frame-Options:
  DENY` and a Content-Security-Policy (pages: `page_csp`, set by api/pages.py;
  anything else: nothing may load, nothing may frame it); every `/api/` answer
  gets `Cache-Control: no-store` (personal data, tokens). Static assets and
  announcement WAVs keep their own caching.
- `check_csrf`: a state change (POST, PUT, PATCH, DELETE) authenticated by the
  session cookie (no `Authorization: Bearer`) must come from this server's own
  pages: a same-origin `Origin` (or, without one, `Referer`), and a body, if any,
  typed `application/json` (or `application/toml`, the calendar upload), which a
  cross-site form cannot send without a CORS preflight this server never grants.
  Otherwise 403 `{"code": "csrf"}`. Bearer-token clients are not concerned: a
  browser never adds that header by itself. api/common.py's `bearer()` calls it
  whenever it falls back to the cookie, so every signed-in state change passes here.
- `same_origin`: the check of the staff websockets (console, a ticket's socket).
"""
from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import urlsplit

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from onewindow.server.errors import Forbidden

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Body types a cross-site <form> cannot send (they need a CORS preflight, never granted here).
BODY_TYPES = frozenset({"application/json", "application/toml"})
# Anything that is not a page (JSON, the QR code SVG, WAVs, scripts): loads nothing, framed by nobody.
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
            (b"x-frame-options", b"DENY")]
_API_HEADERS = [*_HEADERS, (b"cache-control", b"no-store")]
_API_CSP = (b"content-security-policy", API_CSP.encode())
_STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.S | re.I)
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
_WEB_SCHEME = {"ws": "http", "wss": "https"}


def page_csp(html: str) -> str:
    """A page's policy: scripts from this server only (no inline script, no eval); its own
    <style> blocks allowed by their hash, inline style attributes allowed (style-src-attr:
    they cannot run code); websockets to this host ('self' covers ws: and wss: of the same
    host in CSP 3 browsers); images from here and data: URLs; sound from here or generated in
    the page (blob:, data:); forms post back here only."""
    hashes = "".join(
        f" 'sha256-{base64.b64encode(hashlib.sha256(m.group(1).encode()).digest()).decode()}'"
        for m in _STYLE.finditer(html))
    return ("default-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data:; "
            "media-src 'self' blob: data:; "  # the call screen plays its chime from a generated blob
            f"style-src 'self'{hashes}; style-src-attr 'unsafe-inline'; object-src 'none'; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")


class SecurityHeaders:
    """Pure ASGI (no body buffering): adds the headers to the response start, O(1) per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        api = scope["path"].startswith("/api/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # Raw header pairs (Starlette's are lower-case bytes): a few µs on the ticket path.
                headers = [h for h in message.get("headers", ()) if not (api and h[0] == b"cache-control")]
                if not any(h[0] == b"content-security-policy" for h in headers):
                    headers.append(_API_CSP)
                headers += _API_HEADERS if api else _HEADERS
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _origin_of(url: str) -> tuple[str, str, int] | None:
    try:
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        host = (parts.hostname or "").lower()
        port = parts.port or _DEFAULT_PORTS.get(scheme, 0)
    except ValueError:
        return None
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    return _WEB_SCHEME.get(scheme, scheme), host, port


def own_origins(conn: HTTPConnection) -> set[tuple[str, str, int]]:
    """This server's origin as the client addressed it (scheme from the proxy's headers when
    uvicorn trusts it: --forwarded-allow-ips), and the configured public URL's."""
    out = set()
    here = _origin_of(str(conn.url))
    if here:
        out.add(here)
    public = conn.app.state.runtime.settings.public_url
    if public:
        there = _origin_of(public)
        if there:
            out.add(there)
    return out


def same_origin(conn: HTTPConnection, origin: str) -> bool:
    o = _origin_of(origin)
    return o is not None and o in own_origins(conn)


def check_csrf(conn: HTTPConnection) -> None:
    """403 {"code": "csrf"} unless a cookie-authenticated state change comes from our own pages."""
    if conn.scope["type"] != "http" or conn.scope["method"] in SAFE_METHODS:
        return
    origin = conn.headers.get("origin")
    if origin is None or origin == "null":
        origin = conn.headers.get("referer") if origin is None else None
    if not origin or not same_origin(conn, origin):
        raise Forbidden("a signed-in change must come from this server's own pages (Origin)", "csrf")
    length = conn.headers.get("content-length")
    has_body = (length is not None and length.strip() not in ("", "0")) or "transfer-encoding" in conn.headers
    if has_body:
        ctype = conn.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if ctype not in BODY_TYPES:
            raise Forbidden("a signed-in change must send Content-Type: application/json", "csrf")
