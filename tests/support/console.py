"""The console and A/B coverage tests' desk: the clerk API of the demo hall driven
through a TestClient, its sockets read with a deadline (support.sockets), and
accounts and tickets on a live server."""
from __future__ import annotations

from support.accounts import Accounts
from support.halls import ALL_CATS, HALL
from support.sockets import TestSocket

H = f"/api/v1/halls/{HALL}"


def split_replace(mode: str = "merge") -> dict[str, str]:
    """Edits of the demo hall: window 1 serves only eia, window 2 only permit, in `mode`."""
    return {
        f'number = "1"\ncategories = {ALL_CATS}': 'number = "1"\ncategories = ["eia"]',
        f'number = "2"\ncategories = {ALL_CATS}': 'number = "2"\ncategories = ["permit"]',
        'coverage_mode = "merge"': f'coverage_mode = "{mode}"',
    }


def coverage_alert(level: str | None = None):
    def pred(m: dict) -> bool:
        return m.get("type") == "alert" and m.get("kind") == "coverage" and (level is None or m["level"] == level)

    return pred


class Desk:
    """The clerk API of the demo hall, spoken through a TestClient."""

    def __init__(self, client, staff):
        self.c, self.staff = client, staff
        self.who: dict[str, dict] = {}

    def clerk(self, name: str, role: str = "clerk") -> dict:
        if name not in self.who:
            self.who[name] = self.staff.make(name, role)
        return self.who[name]

    def issue(self, category: str, priority: str = "normal") -> dict:
        r = self.c.post(f"{H}/tickets", json={"category": category, "priority": priority})
        assert r.status_code == 201, r.text
        return r.json()

    def window(self, who: str, window: str, action: str, expect: int = 200, **body):
        r = self.c.post(f"{H}/windows/{window}/{action}", headers=self.clerk(who), json=body or None)
        assert r.status_code == expect, (action, r.status_code, r.text)
        return r.json() if r.status_code == 200 else None

    def sign_in(self, who: str, window: str) -> dict:
        return self.window(who, window, "sign-in")

    def away(self, who: str, window: str, reason: str = "meeting", **notice) -> dict:
        return self.window(who, window, "away", reason=reason, **notice)

    def back(self, who: str, window: str) -> dict:
        return self.window(who, window, "back")

    def next(self, who: str, window: str) -> dict | None:
        r = self.c.post(f"{H}/windows/{window}/next", headers=self.clerk(who))
        assert r.status_code in (200, 204), r.text
        return r.json() if r.status_code == 200 else None

    def act(self, who: str, ticket: dict, action: str, expect: int = 200, **body) -> dict:
        r = self.c.post(f"/api/v1/tickets/{ticket['id']}/{action}", headers=self.clerk(who), json=body or None)
        assert r.status_code == expect, (action, r.status_code, r.text)
        return r.json()

    def check(self, who: str, window: str, action: str, **extra) -> list[dict]:
        r = self.c.post(f"{H}/windows/{window}/check", headers=self.clerk(who), json={"action": action, **extra})
        assert r.status_code == 200, r.text
        return r.json()["violations"]

    def coverage(self, who: str) -> dict:
        r = self.c.get(f"{H}/coverage", headers=self.clerk(who))
        assert r.status_code == 200, r.text
        return r.json()

    def console(self, who: str, window: str) -> dict:
        r = self.c.get(f"{H}/windows/{window}/console", headers=self.clerk(who))
        assert r.status_code == 200, r.text
        return r.json()

    def estimates(self) -> dict[str, int]:
        return {c["code"]: c["estimated_wait_s"] for c in self.c.get(H).json()["categories"]}

    def serving(self) -> dict[str, bool]:
        """Per category, whether any window serves it now (the kiosk's tile says so)."""
        return {c["code"]: c["serving_now"] for c in self.c.get(H).json()["categories"]}

    def socket(self, stack, path: str, who: str | None = None) -> TestSocket:
        headers = dict(self.clerk(who)) if who else {}
        ws = stack.enter_context(self.c.websocket_connect(path, headers=headers))
        return TestSocket(ws)


def make_staff(base_url: str, admin_password: str, *names: str, role: str = "clerk") -> None:
    """Accounts on a live server (their password: `password_of(name)`)."""
    import httpx

    with httpx.Client(base_url=base_url, timeout=30) as c:
        accounts = Accounts(c, admin_password)
        for name in names:
            accounts.make(name, role)


def issue_live(base_url: str, category: str, priority: str = "normal") -> dict:
    import httpx

    r = httpx.post(f"{base_url}{H}/tickets", json={"category": category, "priority": priority}, timeout=30)
    assert r.status_code == 201, r.text
    return r.json()


def accept_case_live(c, case: dict) -> tuple[dict, dict]:
    """On a live server (`c`: an httpx client on it): kiosks equipped, zhangwei signed in at w1 calls
    an eia ticket and completes it with the case `case` accepted. (the case, zhangwei's headers)"""
    from support.devices import equip

    accounts = Accounts(c, keep_cookies=False)
    equip(c, accounts.admin)
    clerk = accounts.make("zhangwei")
    assert c.post(f"{H}/windows/w1/sign-in", headers=clerk).status_code == 200
    t = c.post(f"{H}/tickets", json={"category": "eia"}).json()
    assert c.post(f"{H}/windows/w1/next", headers=clerk).json()["id"] == t["id"]
    r = c.post(f"/api/v1/tickets/{t['id']}/complete", headers=clerk, json={"outcome": "accepted", "case": case})
    assert r.status_code == 200, r.text
    return r.json()["case"], clerk
