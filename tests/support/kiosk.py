"""The kiosk, printing and tracking tests' helpers: the app's printers and their
state, and demo-hall clerks at their windows."""
from __future__ import annotations

from support.accounts import ADMIN_PASSWORD, Accounts
from support.halls import A_POSTS as CLERKS
from support.halls import HALL


def runtime(client):
    return client.app.state.runtime


def driver(client, printer: str = "door"):
    """The printer's driver (a FakePrinter with the `fake` driver)."""
    return runtime(client).printing.slots[f"{HALL}/{printer}"].driver


def printer_state(client, printer: str = "door") -> str:
    view = client.get(f"/api/v1/halls/{HALL}/kiosk").json()
    if printer == "door":
        return view["printer"]["state"]
    return next(p["state"] for p in runtime(client).printing.printers(HALL) if p["printer"] == printer)


class Clerks(Accounts):
    """Demo-hall clerks over a TestClient or an httpx.Client."""

    def __init__(self, http, admin_password: str = ADMIN_PASSWORD):
        super().__init__(http, admin_password)

    def at(self, window: str, display_name: str = "") -> dict:
        """The A post of `window`, signed in there."""
        h = self.user(CLERKS[window], display_name=display_name)
        r = self.http.post(f"/api/v1/halls/{HALL}/windows/{window}/sign-in", headers=h)
        assert r.status_code == 200, r.text
        return h

    def post(self, path: str, headers: dict, **body) -> dict:
        r = self.http.post(path, headers=headers, json=body or None)
        assert r.status_code == 200, r.text
        return r.json()
