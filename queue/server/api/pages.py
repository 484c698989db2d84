"""The browser pages in static/: served with cache-busting URLs and no path traversal."""
from __future__ import annotations

import hashlib
import importlib.util
import re
from functools import lru_cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from onewindow.server.api.security import page_csp

PAGES = {
    "kiosk": "kiosk.html",
    "screen": "screen.html",
    "console": "console.html",
    "track": "track.html",
    "case": "case.html",  # the applicant's case tracking page (issue 14)
    "dashboard": "dashboard.html",
    "bureau": "bureau.html",  # the bureau's view across outlets (issue 17)
    "rate": "rate.html",
    "admin": "admin.html",
    "audit": "audit.html",
    "devices": "devices.html",
    "book": "book.html",  # booking an appointment (issue 16)
    "visits": "visits.html",  # the mobile outlets' visits (issue 18)
}


def static_dir() -> Path:
    """static/ of the checkout (editable install) or the installed package."""
    spec = importlib.util.find_spec("onewindow.static")
    if spec is not None and spec.submodule_search_locations:
        for loc in spec.submodule_search_locations:
            if Path(loc, "index.html").exists():
                return Path(loc)
    return Path(__file__).resolve().parents[3] / "static"


@lru_cache(maxsize=256)
def _digest(path: Path, mtime: float) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]


_ASSET = re.compile(r'((?:src|href)=")/static/([A-Za-z0-9_./-]+)(")')


def render_page(name: str) -> str:
    """The page with every /static/ asset URL carrying its content hash."""
    root = static_dir()
    html = (root / name).read_text(encoding="utf-8")

    def version(m: re.Match) -> str:
        asset = (root / m.group(2)).resolve()
        if root.resolve() not in asset.parents or not asset.is_file():
            return m.group(0)
        return f"{m.group(1)}/static/{m.group(2)}?v={_digest(asset, asset.stat().st_mtime)}{m.group(3)}"

    return _ASSET.sub(version, html)


class _Static(StaticFiles):
    """Versioned URLs (?v=) may be cached for long: their content never changes.
    Others (the modules a page's script imports by plain path) are checked on
    every use, a cheap 304, so an upgrade never mixes an old module with a new one."""

    async def get_response(self, path, scope):
        resp = await super().get_response(path, scope)
        if resp.status_code in (200, 304):
            versioned = b"v=" in scope.get("query_string", b"")
            resp.headers["cache-control"] = "public, max-age=31536000, immutable" if versioned else "no-cache"
        return resp


def _page_response(name: str) -> HTMLResponse:
    html = render_page(name)
    return HTMLResponse(html, headers={"cache-control": "no-cache", "content-security-policy": page_csp(html)})


def page(name: str):
    async def endpoint(request: Request):
        return _page_response(name)

    endpoint.__name__ = f"page_{name.split('.')[0]}"
    return endpoint


async def index(request: Request):
    return _page_response("index.html")


async def favicon(request: Request):
    """/favicon.ico, which browsers ask for by themselves: the pages' SVG icon."""
    return FileResponse(static_dir() / "favicon.svg", media_type="image/svg+xml",
                        headers={"cache-control": "public, max-age=86400"})


def routes() -> list:
    out: list[BaseRoute] = [Route("/", index, methods=["GET"], include_in_schema=False),
                            Route("/favicon.ico", favicon, methods=["GET"], include_in_schema=False)]
    for path, file in PAGES.items():
        out.append(Route(f"/{path}", page(file), methods=["GET"], include_in_schema=False))
    out.append(Mount("/static", _Static(directory=str(static_dir())), name="static"))
    return out
