"""Helpers of the console and A/B coverage tests (imported by name: this folder is on
sys.path while its tests run): a desk that drives the clerk API of the demo hall,
socket readers with a deadline, waiting with a deadline."""
from __future__ import annotations

import queue
import threading
import time

HALL = "eco"
H = f"/api/v1/halls/{HALL}"
ALL_CATS = '["eia", "permit", "acceptance", "hazwaste", "complaint", "consult", "assist"]'


def split_replace(mode: str = "merge") -> dict[str, str]:
    """Edits of the demo hall: window 1 serves only eia, window 2 only permit, in `mode`."""
    return {
        f'number = "1"\ncategories = {ALL_CATS}': 'number = "1"\ncategories = ["eia"]',
        f'number = "2"\ncategories = {ALL_CATS}': 'number = "2"\ncategories = ["permit"]',
        'coverage_mode = "merge"': f'coverage_mode = "{mode}"',
    }


def eventually(fn, timeout: float = 5.0, interval: float = 0.02):
    """fn()'s first truthy answer within `timeout` seconds (real time: the app's
    background tasks run on their own loop), else fails with the last answer."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"not within {timeout}s; last: {last!r}")


class Socket:
    """A TestClient websocket read by a thread, so a test can wait with a deadline."""

    def __init__(self, ws):
        self.ws = ws
        self.q: queue.Queue = queue.Queue()
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()

    def _read(self) -> None:
        try:
            while True:
                self.q.put(self.ws.receive_json())
        except Exception as exc:  # noqa: BLE001 - closed: the reader ends
            self.q.put(exc)

    def next(self, timeout: float = 5.0) -> dict:
        msg = self.q.get(timeout=timeout)
        if isinstance(msg, Exception):
            raise AssertionError(f"socket closed: {msg!r}")
        return msg

    def until(self, pred, timeout: float = 5.0) -> dict:
        """The first message matching `pred` within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        seen = []
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no matching message within {timeout}s; saw {[m.get('type') for m in seen]}")
            try:
                msg = self.next(left)
            except queue.Empty:
                continue
            if pred(msg):
                return msg
            seen.append(msg)

    def drain(self, settle: float = 0.3) -> list[dict]:
        """What arrives until the socket has been quiet for `settle` seconds."""
        out = []
        while True:
            try:
                out.append(self.next(settle))
            except queue.Empty:
                return out


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

    def socket(self, stack, path: str, who: str | None = None) -> Socket:
        headers = dict(self.clerk(who)) if who else {}
        ws = stack.enter_context(self.c.websocket_connect(path, headers=headers))
        return Socket(ws)


def make_staff(base_url: str, admin_password: str, *names: str, role: str = "clerk") -> None:
    """Accounts on a live server (their password: `<name>-password`)."""
    import httpx

    with httpx.Client(base_url=base_url, timeout=30) as c:
        r = c.post("/api/v1/auth/login", json={"username": "admin", "password": admin_password})
        admin = {"Authorization": f"Bearer {r.json()['token']}"}
        for name in names:
            r = c.post("/api/v1/users", headers=admin, json={
                "username": name, "password": f"{name}-password", "role": role, "display_name": name})
            assert r.status_code == 201, r.text


def issue_live(base_url: str, category: str, priority: str = "normal") -> dict:
    import httpx

    r = httpx.post(f"{base_url}{H}/tickets", json={"category": category, "priority": priority}, timeout=30)
    assert r.status_code == 201, r.text
    return r.json()
