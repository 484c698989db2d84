"""Paired devices for the tests: a kiosk and a rating pad per hall, paired through
the API as a manager would, and a request hook that sends the right device
token (X-Device-Token) the way the kiosk and pad pages do.

`equip(http, admin_headers)` works on a Starlette TestClient and on an
httpx.Client alike. A request that already carries an X-Device-Token (even an
empty one: a phone, no device) keeps it."""
from __future__ import annotations

import json
import re

HEADER = "X-Device-Token"
STORAGE = "onewindow.device."  # + kind: the localStorage key of static/device.js
_ISSUE = re.compile(r"^/api/v1/halls/([^/]+)/(tickets|kiosk)$")
_RATE = re.compile(r"^/api/v1/tickets/\d+/rating$")


def code(http, headers: dict, hall: str, kind: str = "kiosk", name: str | None = None,
         kiosk: str | None = None) -> str:
    body = {"kind": kind, "name": name or f"test {kind}"}
    if kiosk is not None:
        body["kiosk"] = kiosk
    r = http.post(f"/api/v1/halls/{hall}/devices/pairing-codes", headers=headers, json=body)
    assert r.status_code == 201, r.text
    return r.json()["code"]


def pair(http, headers: dict, hall: str, kind: str = "kiosk", name: str | None = None,
         kiosk: str | None = None) -> str:
    """A new device's token."""
    return paired(http, headers, hall, kind, name, kiosk)["token"]


def paired(http, headers: dict, hall: str, kind: str = "kiosk", name: str | None = None,
           kiosk: str | None = None) -> dict:
    """A new device as its page keeps it in localStorage: {token, id, hall, kind, name, kiosk}."""
    r = http.post("/api/v1/devices/pair", json={"code": code(http, headers, hall, kind, name, kiosk)})
    assert r.status_code == 201, r.text
    return {"token": r.json()["device_token"], **r.json()["device"]}


def paired_context(browser, base_url: str, admin_password: str, kind: str = "kiosk", hall: str = "eco",
                   kiosk: str | None = None, **context_options):
    """A browser context whose pages are a paired device of `kind` (static/device.js finds its
    token in localStorage, as after pairing on the device itself); `.device` is its entry."""
    context = browser.new_context(**context_options)
    context.device = add_device(context, base_url, admin_password, kind, hall, kiosk)
    return context


def add_device(context, base_url: str, admin_password: str, kind: str = "kiosk", hall: str = "eco",
               kiosk: str | None = None) -> dict:
    """Pair a device of `kind` through the API and put it where its page looks (localStorage)."""
    import httpx

    with httpx.Client(base_url=base_url, timeout=30) as c:
        r = c.post("/api/v1/auth/login", json={"username": "admin", "password": admin_password})
        assert r.status_code == 200, r.text
        entry = paired(c, {"Authorization": f"Bearer {r.json()['token']}"}, hall, kind, kiosk=kiosk)
    key = json.dumps(STORAGE + kind)
    context.add_init_script(f"if (!localStorage.getItem({key})) localStorage.setItem({key}, "
                            f"{json.dumps(json.dumps(entry))});")
    return entry


class Equipped:
    """The device tokens of a client, per hall and kind; `hook` adds them to requests."""

    def __init__(self) -> None:
        self.tokens: dict[str, dict[str, str]] = {}

    def token(self, hall: str, kind: str = "kiosk") -> str:
        return self.tokens[hall][kind]

    def hook(self, request) -> None:
        if HEADER.lower() in request.headers:
            return
        path = request.url.path
        m = _ISSUE.match(path)
        if m and m.group(1) in self.tokens:
            request.headers[HEADER] = self.tokens[m.group(1)]["kiosk"]
        elif request.method == "POST" and _RATE.match(path) and self.tokens:
            # One hall in nearly every test; with several, the first hall's pad.
            request.headers[HEADER] = next(iter(self.tokens.values()))["pad"]


def equip(http, headers: dict, halls: list[str] | None = None) -> Equipped:
    """Pair a kiosk and a pad for each hall (default: every hall) and make `http` send their tokens."""
    if halls is None:
        r = http.get("/api/v1/halls")
        assert r.status_code == 200, r.text
        halls = [h["id"] for h in r.json()]
    eq = Equipped()
    for hall in halls:
        eq.tokens[hall] = {"kiosk": pair(http, headers, hall, "kiosk"), "pad": pair(http, headers, hall, "pad")}
    hooks = dict(http.event_hooks)
    hooks["request"] = [*hooks.get("request", []), eq.hook]
    http.event_hooks = hooks
    return eq


def equip_admin(http, admin_password: str) -> Equipped:
    """Sign in as admin (by header only: the client's cookies stay as they were) and equip."""
    r = http.post("/api/v1/auth/login", json={"username": "admin", "password": admin_password})
    assert r.status_code == 200, r.text
    token = r.json()["token"]
    http.cookies.clear()
    return equip(http, {"Authorization": f"Bearer {token}"})
