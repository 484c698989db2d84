"""Every page names an icon that answers, and /favicon.ico answers too (issue 12, point 20)."""
from __future__ import annotations

import re

import pytest

from onewindow.server.api.pages import PAGES

ICON = re.compile(r'<link rel="icon" href="([^"]+)"')


@pytest.mark.parametrize("path", ["/", *(f"/{p}" for p in PAGES)])
def test_every_page_links_an_icon_that_answers(client, path):
    page = client.get(path)
    assert page.status_code == 200, page.text
    links = ICON.findall(page.text)
    assert len(links) == 1, f"{path}: icon links {links}"
    assert links[0].startswith("/static/favicon.svg")  # not "data:," (which browsers ignore for /favicon.ico)
    r = client.get(links[0])
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in r.content


def test_favicon_ico_answers(client):
    r = client.get("/favicon.ico")
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in r.content
