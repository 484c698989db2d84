"""Static files: a page's versioned assets are cached for good, the modules
its script imports by plain path are checked on every use."""
from __future__ import annotations

import re


def test_versioned_assets_are_immutable_and_imported_modules_revalidate(client):
    page = client.get("/console").text
    main = re.search(r'src="(/static/console/main\.js\?v=[0-9a-f]+)"', page)
    assert main, "the console page loads its main module by a versioned URL"
    assert "immutable" in client.get(main.group(1)).headers["cache-control"]
    r = client.get("/static/console/render.js")  # imported by main.js, without ?v=
    assert r.status_code == 200 and r.headers["cache-control"] == "no-cache"
    again = client.get("/static/console/render.js", headers={"if-none-match": r.headers["etag"]})
    assert again.status_code == 304 and again.headers["cache-control"] == "no-cache"
