"""Staff accounts made through the API, over a Starlette TestClient or an
httpx.Client alike (anything with .post): logging in, making clerks and managers.
Every account's password is `password_of(username)` (the password policy refuses
one that contains the username, and common ones)."""
from __future__ import annotations

import hashlib

import httpx

ADMIN_PASSWORD = "sesame-Ledger-4417"


def password_of(username: str) -> str:
    """The test password of a staff account: stable, one per user, and the policy accepts it."""
    return "Hall-" + hashlib.sha256(username.encode()).hexdigest()[:10]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def login(http, username: str, password: str | None = None, keep_cookie: bool = True) -> dict:
    """The bearer header of a fresh session (password default: `password_of(username)`).
    keep_cookie=False forgets the session cookie the login set, so that calls without
    a header stay anonymous."""
    r = http.post("/api/v1/auth/login", json={"username": username, "password": password or password_of(username)})
    assert r.status_code == 200, r.text
    if not keep_cookie:
        http.cookies.clear()
    return bearer(r.json()["token"])


class Accounts:
    """Accounts made by the admin; `make` creates one, `user` creates it the first time only.
    keep_cookies=False: calls say who they are by their header alone (see `login`)."""

    def __init__(self, http, admin_password: str = ADMIN_PASSWORD, keep_cookies: bool = True):
        self.http = http
        self.keep_cookies = keep_cookies
        self.tokens: dict[str, dict] = {}
        self.admin = self.login("admin", admin_password)

    def login(self, username: str, password: str | None = None) -> dict:
        return login(self.http, username, password, self.keep_cookies)

    def make(self, username: str, role: str = "clerk", display_name: str = "", title: str | None = None) -> dict:
        body = {"username": username, "password": password_of(username), "role": role,
                "display_name": display_name or username}
        if title is not None:
            body["title"] = title
        r = self.http.post("/api/v1/users", headers=self.admin, json=body)
        assert r.status_code == 201, r.text
        self.tokens[username] = self.login(username)
        return self.tokens[username]

    def user(self, username: str, role: str = "clerk", display_name: str = "", title: str | None = None) -> dict:
        if username not in self.tokens:
            self.make(username, role, display_name, title)
        return self.tokens[username]


class Staff(Accounts):
    """Accounts on a TestClient (the `staff` fixture); `.client` is the client."""

    def __init__(self, client, admin_password: str = ADMIN_PASSWORD):
        super().__init__(client, admin_password)
        self.client = client


class Http(Accounts):
    """Accounts and calls against a real server over HTTP (thread-safe: an httpx.Client, `.c`)."""

    def __init__(self, base_url: str, admin_password: str = ADMIN_PASSWORD, timeout: float = 30):
        self.c = httpx.Client(base_url=base_url, timeout=timeout, limits=httpx.Limits(max_connections=256))
        super().__init__(self.c, admin_password)
        from support.devices import equip

        self.devices = equip(self.c, self.admin)  # a paired kiosk and pad per hall, as in a real hall

    def clerk(self, username: str, role: str = "clerk") -> dict:
        return self.make(username, role)

    def close(self) -> None:
        self.c.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
