"""Issue 13, point 4: every route of the app (enumerated from app.routes) × every kind of caller,
against the README's "Who may do what" table. A route missing from ACCESS fails the test: a new
route must say who may use it.

Callers: anonymous; a clerk with no post; a clerk with posts elsewhere (wangfang: A of w3, B of
w4, signed in at w3); the post holder (zhangwei: A of w1, signed in there, who called the ticket
and accepted the case); a manager; an admin. Every path parameter points at window w1's things.
"Allowed" is any answer but 401/403 (a 404, 409 or 422 means the permission check was passed);
"denied" is 401 or 403. Each route gets a fresh server, so that one route's effect (a sign-out,
a post change) never decides another's answer."""
from __future__ import annotations

import re
import shutil

import pytest
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect
from support.accounts import Staff
from support.halls import HALL, demo_config

from onewindow.server.app import create_app
from onewindow.server.settings import Settings

ROLES = ("anonymous", "no_post", "elsewhere", "holder", "manager", "admin", "bureau")
# One letter per role, in ROLES order: A allowed, D denied. The bureau manager (issue 17) reads
# what a manager reads, in every hall, and is refused every change to a hall (last letter).
PUBLIC, STAFF, WINDOW, MANAGER, ADMIN = "AAAAAAA", "DAAAAAA", "DDDAAAD", "DDDDAAD", "DDDDDAD"
PRESENT = "DDAAAAD"  # any clerk signed in at some window (and not away), managers
READS = "DDDDAAA"  # a manager's reading: the bureau's too
BUREAU = "DDDDDAA"  # the view across outlets: the bureau and admins
ACTS = "DAAAAAD"  # any signed-in staff acts (a change): not the bureau
VAN = "DDDDDDD"  # a paired van's signed request only (issue 18): no session opens it
# Valid bodies where a route checks its body before the caller's rights, so that the check is reached.
BODIES = {
    "/api/v1/tickets/{id}/transfer": {"window": "w2"},
    "/api/v1/halls/{hall}/windows/{window}/call": {"number": "A001"},
    "/api/v1/halls/{hall}/windows/{window}/away": {"reason": "meeting"},
    "/api/v1/tickets/{id}/notice/print": {"item": "eia_report_book", "missing": ["x"]},
    "/api/v1/cases/{id}/key-project/steps": {"step": "report", "event": "start"},
}
# Routes whose allowed call leaves the ticket where no one may act on it again (a transfer sends it
# back to waiting): each caller gets a hall of its own.
FRESH_PER_CALLER = {("POST", "/api/v1/tickets/{id}/transfer")}

ACCESS: dict[tuple[str, str], str] = {
    # the public: visitors, kiosks, screens, phones, outside systems
    ("POST", "/api/v1/halls/{hall}/tickets"): PUBLIC,
    ("GET", "/api/v1/halls"): PUBLIC,
    ("GET", "/api/v1/halls/{hall}"): PUBLIC,
    ("GET", "/api/v1/tickets/{id}"): PUBLIC,  # with the ticket's token
    ("GET", "/api/v1/tickets/{id}/qr.svg"): PUBLIC,  # with the ticket's token
    ("GET", "/api/v1/halls/{hall}/kiosk"): PUBLIC,
    ("GET", "/api/v1/halls/{hall}/items"): PUBLIC,
    ("GET", "/api/v1/halls/{hall}/windows/{window}/last-completed"): PUBLIC,  # the window's rating pad
    ("GET", "/api/v1/rating-scheme"): PUBLIC,
    ("POST", "/api/v1/tickets/{id}/rating"): PUBLIC,  # the ticket's token, or the window's pad
    ("GET", "/api/v1/calendar/deadline"): PUBLIC,
    ("GET", "/api/v1/calendar/years"): PUBLIC,
    ("GET", "/audio/{key}.wav"): PUBLIC,
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/metrics"): PUBLIC,  # Prometheus: hall-wide figures, no personal data (restrict it at the proxy)
    ("GET", "/openapi.json"): PUBLIC,
    ("GET", "/favicon.ico"): PUBLIC,
    ("POST", "/api/v1/auth/login"): PUBLIC,
    ("POST", "/api/v1/auth/logout"): PUBLIC,
    ("POST", "/api/v1/auth/reset"): PUBLIC,  # with a one-time reset code
    ("POST", "/api/v1/devices/pair"): PUBLIC,  # with a one-time pairing code
    ("WS", "/ws/halls/{hall}/display"): PUBLIC,
    ("WS", "/ws/tickets/{id}"): PUBLIC,  # with the ticket's token
    ("GET", "/api/v1/cases/{id}/progress"): PUBLIC,  # with the case's token (issue 14)
    ("POST", "/api/v1/cases/{id}/rating"): PUBLIC,  # with the case's token
    ("WS", "/ws/cases/{id}"): PUBLIC,  # with the case's token
    ("GET", "/case"): PUBLIC,  # the applicant's tracking page
    # appointments (issue 16): slots and booking are public (limited like remote tickets); a booking's
    # own routes take its token; checking in takes a paired kiosk's device token, whoever is signed in
    ("GET", "/api/v1/halls/{hall}/slots"): PUBLIC,
    ("GET", "/api/v1/halls/{hall}/booking"): PUBLIC,
    ("POST", "/api/v1/halls/{hall}/appointments"): PUBLIC,
    ("GET", "/api/v1/appointments/{id}"): PUBLIC,  # with the booking's token
    ("DELETE", "/api/v1/appointments/{id}"): PUBLIC,  # with the booking's token
    ("POST", "/api/v1/appointments/{id}/reschedule"): PUBLIC,  # with the booking's token
    ("GET", "/api/v1/appointments/{id}/qr.svg"): PUBLIC,  # with the booking's token
    ("POST", "/api/v1/halls/{hall}/check-in"): "DDDDDDD",  # a paired kiosk only (X-Device-Token)
    ("GET", "/book"): PUBLIC,  # the booking page
    **{("GET", p): PUBLIC for p in ("/", "/kiosk", "/screen", "/console", "/track", "/dashboard", "/rate",
                                    "/admin", "/audit", "/devices", "/static")},
    # any signed-in staff
    ("GET", "/api/v1/auth/me"): STAFF,
    ("GET", "/api/v1/tickets/{id}/appointment"): STAFF,  # the console: the visitor's appointment
    ("GET", "/api/v1/halls/{hall}/appointments/green-channel"): STAFF,  # a liaison's key-project bookings
    ("POST", "/api/v1/auth/password"): STAFF,  # one's own password
    ("GET", "/api/v1/halls/{hall}/me"): STAFF,
    ("GET", "/api/v1/halls/{hall}/rota"): STAFF,
    ("GET", "/api/v1/halls/{hall}/coverage"): STAFF,
    ("POST", "/api/v1/halls/{hall}/windows/{window}/check"): ACTS,  # a warning only; not the bureau's
    ("GET", "/api/v1/halls/{hall}/tickets/by-number/{number}"): STAFF,
    ("GET", "/api/v1/halls/{hall}/printers"): STAFF,
    ("GET", "/api/v1/halls/{hall}/cases"): STAFF,
    ("GET", "/api/v1/cases/{id}"): STAFF,
    # complaints (issue 15): intake by staff or a paired system device (12369); names masked, the contact
    # read audited; evaluation is a manager's (checked after the body: 422 first for everyone)
    ("GET", "/api/v1/halls/{hall}/complaint-types"): PUBLIC,
    ("POST", "/api/v1/halls/{hall}/complaints"): ACTS,
    ("GET", "/api/v1/halls/{hall}/complaints"): STAFF,
    ("GET", "/api/v1/complaints/{id}"): STAFF,
    ("POST", "/api/v1/complaints/{id}/steps"): ACTS,
    ("POST", "/api/v1/complaints/{id}/callbacks"): ACTS,
    ("GET", "/api/v1/complaints/{id}/contact"): STAFF,
    ("GET", "/api/v1/halls/{hall}/alerts"): STAFF,
    ("WS", "/ws/halls/{hall}/console"): STAFF,
    # the window's own: its post holders / the clerk signed in there (A/B rule), managers
    **{("POST", f"/api/v1/halls/{{hall}}/windows/{{window}}/{a}"): WINDOW
       for a in ("next", "sign-in", "sign-out", "call", "away", "back")},
    ("GET", "/api/v1/halls/{hall}/windows/{window}/console"): WINDOW,
    **{("POST", f"/api/v1/tickets/{{id}}/{a}"): WINDOW
       for a in ("recall", "start", "no-show", "complete", "transfer", "park", "resume")},
    # a late visitor may come back to any window (the hall's late_arrival rule)
    ("POST", "/api/v1/tickets/{id}/reactivate"): PRESENT,
    ("POST", "/api/v1/halls/{hall}/tickets/by-number/{number}/reactivate"): PRESENT,
    ("POST", "/api/v1/tickets/{id}/notice/print"): WINDOW,
    # the case's: its accepting clerk, a post holder of its window, managers
    **{("POST", f"/api/v1/cases/{{id}}/{a}"): WINDOW for a in ("suspend", "resume", "complete", "withdraw",
                                                                       "visit")},
    ("POST", "/api/v1/cases/{id}/receipt/print"): WINDOW,
    # issue 15, points 5-6: the sign-off is a reviewer's or a manager's (never the case's own clerk's);
    # a key project is marked by a manager; its steps recorded by its liaison, its clerk or window, a manager
    ("POST", "/api/v1/cases/{id}/review"): "DDDDADD",
    ("GET", "/api/v1/cases/{id}/key-project"): STAFF,
    ("POST", "/api/v1/cases/{id}/key-project"): MANAGER,
    ("POST", "/api/v1/cases/{id}/key-project/steps"): WINDOW,
    # managers and admins
    ("PUT", "/api/v1/halls/{hall}/windows/{window}/posts"): MANAGER,
    ("POST", "/api/v1/alerts/{id}/resolve"): MANAGER,
    ("GET", "/api/v1/halls/{hall}/rating-tasks"): READS,
    ("GET", "/api/v1/halls/{hall}/rating-tasks/{id}"): READS,
    ("POST", "/api/v1/halls/{hall}/rating-tasks/{id}/advance"): MANAGER,
    ("POST", "/api/v1/halls/{hall}/exports"): MANAGER,
    ("GET", "/api/v1/exports/{id}"): READS,
    ("GET", "/api/v1/exports/{id}/file"): READS,
    ("GET", "/api/v1/halls/{hall}/dashboard"): READS,
    ("GET", "/api/v1/halls/{hall}/outbox"): READS,  # notifications: counts, failures (masked)
    ("POST", "/api/v1/halls/{hall}/dashboard/alerts/ack"): MANAGER,
    ("GET", "/api/v1/halls/{hall}/reports"): READS,
    ("GET", "/api/v1/halls/{hall}/reports.csv"): READS,
    ("GET", "/api/v1/halls/{hall}/reports.xlsx"): READS,
    ("GET", "/api/v1/halls/{hall}/screens"): READS,
    ("POST", "/api/v1/halls/{hall}/devices/pairing-codes"): MANAGER,
    ("GET", "/api/v1/halls/{hall}/devices"): READS,
    ("GET", "/api/v1/halls/{hall}/appointments/summary"): READS,  # issue 16: the dashboard's figures
    ("DELETE", "/api/v1/devices/{id}"): MANAGER,
    ("GET", "/api/v1/audit"): READS,
    ("GET", "/api/v1/audit/export.csv"): READS,
    ("GET", "/api/v1/audit/verify"): READS,
    # admins only: accounts and the calendar
    ("GET", "/api/v1/users"): ADMIN,
    ("POST", "/api/v1/users"): ADMIN,
    ("GET", "/api/v1/auth/lockouts"): ADMIN,
    **{("POST", f"/api/v1/users/{{username}}/{a}"): ADMIN
       for a in ("reset-code", "deactivate", "reactivate", "role", "unlock")},
    ("GET", "/api/v1/users/{username}/sessions"): ADMIN,
    ("DELETE", "/api/v1/users/{username}/sessions"): ADMIN,
    ("DELETE", "/api/v1/users/{username}/sessions/{session}"): ADMIN,
    ("POST", "/api/v1/calendar/years"): ADMIN,
    # the bureau above the halls (issue 17): its view across outlets, reports and exports
    ("GET", "/bureau"): PUBLIC,
    ("GET", "/api/v1/bureau/overview"): BUREAU,
    ("GET", "/api/v1/bureau/reports"): BUREAU,
    ("GET", "/api/v1/bureau/reports.csv"): BUREAU,
    ("POST", "/api/v1/bureau/exports"): BUREAU,
    # the mobile outlet (issue 18): its published visits; a paired van's signed sync (no session opens it)
    ("GET", "/visits"): PUBLIC,
    ("GET", "/api/v1/visits"): PUBLIC,
    ("GET", "/api/v1/halls/{hall}/visits"): PUBLIC,
    ("POST", "/api/v1/halls/{hall}/visits/subscribers"): PUBLIC,  # a phone for a town's visits
    ("POST", "/api/v1/halls/{hall}/visits"): MANAGER,
    ("PUT", "/api/v1/halls/{hall}/visits/{id}"): MANAGER,
    ("DELETE", "/api/v1/halls/{hall}/visits/{id}"): MANAGER,
    ("POST", "/api/v1/sync/outfit"): VAN,
    ("POST", "/api/v1/sync/batches"): VAN,
    ("POST", "/api/v1/sync/changes"): VAN,
    ("GET", "/api/v1/halls/{hall}/sync"): READS,
}


def app_routes() -> list[tuple[str, str]]:
    app = create_app(Settings(), demo_config())
    out = []
    for r in app.routes:
        if isinstance(r, Route):
            out += [(m, r.path) for m in sorted(r.methods or ()) if m != "HEAD"]
        elif isinstance(r, WebSocketRoute):
            out.append(("WS", r.path))
        elif isinstance(r, Mount):
            out.append(("GET", r.path))
    return out


ROUTES = app_routes()


def test_every_route_says_who_may_use_it():
    missing = [r for r in ROUTES if r not in ACCESS]
    assert missing == [], f"add these routes to ACCESS (and the README's table): {missing}"


class World:
    """A fresh hall: the six callers, a case accepted at w1, a ticket called there, an alert."""

    def __init__(self, c: TestClient):
        self.c = c
        s = Staff(c)
        self.h: dict[str, dict] = {"anonymous": {}, "admin": s.admin}
        for who, role in (("no_post", "nopost"), ("elsewhere", "wangfang"), ("holder", "zhangwei")):
            self.h[who] = s.make(role)
        self.h["manager"] = s.make("boss", role="manager")
        self.h["bureau"] = s.make("city", role="bureau_manager")
        s.make("victim")
        self.users = {"holder": "zhangwei", "elsewhere": "wangfang", "no_post": "nopost", "manager": "boss",
                      "admin": "admin", "bureau": "city"}
        c.cookies.clear()  # callers say who they are by their header alone
        hall = f"/api/v1/halls/{HALL}"
        assert c.post(f"{hall}/windows/w1/sign-in", headers=self.h["holder"]).status_code == 200
        assert c.post(f"{hall}/windows/w3/sign-in", headers=self.h["elsewhere"]).status_code == 200
        first = c.post(f"{hall}/tickets", json={"category": "eia"}).json()
        assert c.post(f"{hall}/windows/w1/next", headers=self.h["holder"]).json()["id"] == first["id"]
        c.post(f"/api/v1/tickets/{first['id']}/start", headers=self.h["holder"])
        done = c.post(f"/api/v1/tickets/{first['id']}/complete", headers=self.h["holder"], json={
            "outcome": "accepted", "case": {"item": "eia_report_book", "applicant_name": "张三",
                                            "applicant_phone": "13812345678", "project": "某项目"}})
        self.case = done.json()["case"]["id"]
        c.post(f"/api/v1/cases/{self.case}/withdraw", headers=self.h["holder"], json={"reason": ""})  # an alert
        self.alert = c.get(f"{hall}/alerts", headers=self.h["manager"]).json()[0]["id"]
        self.ticket = c.post(f"{hall}/tickets", json={"category": "eia"}).json()
        assert c.post(f"{hall}/windows/w1/next", headers=self.h["holder"]).json()["id"] == self.ticket["id"]

    def path(self, template: str) -> str:
        case_routes = template.startswith("/api/v1/cases/")
        values = {"hall": HALL, "window": "w1", "number": self.ticket["number"], "username": "victim",
                  "session": "1", "key": "0" * 32,
                  "id": str(self.case if case_routes else self.alert if "/alerts/" in template else
                            self.ticket["id"] if "/tickets/" in template else 1)}
        out = re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], template)
        if template == "/static":
            return "/static/common.js"
        if "/tickets/{id}" in template and "token" not in out:
            out += f"?token={self.ticket['track_token']}"
        return out

    def outcome(self, method: str, template: str, role: str) -> tuple[str, int]:
        headers = self.h[role]
        if template == "/api/v1/auth/logout" and role != "anonymous":  # a session of its own
            headers = self._fresh(role)
        path = self.path(template)
        if method == "WS":
            try:
                with self.c.websocket_connect(path, headers=headers) as ws:
                    ws.receive_json()
                return "A", 101
            except WebSocketDisconnect as exc:
                return ("D" if exc.code in (4401, 4403) else "A"), exc.code
        r = self.c.request(method, path, headers=headers,
                           json=BODIES.get(template, {}) if method in ("POST", "PUT") else None)
        return ("D" if r.status_code in (401, 403) else "A"), r.status_code

    def _fresh(self, role: str) -> dict:
        from support.accounts import login, password_of

        name = self.users[role]
        pw = self.c.app.state.runtime.settings.admin_password if name == "admin" else password_of(name)
        return login(self.c, name, pw, keep_cookie=False)


@pytest.fixture
def fresh_client(settings, sqlite_template, tmp_path):
    made = []

    def make() -> TestClient:
        data = tmp_path / f"data-{len(made)}"
        data.mkdir()
        shutil.copy(sqlite_template, data / "onewindow.db")
        c = TestClient(create_app(Settings(**{**settings.__dict__, "data_dir": data}), demo_config()))
        made.append(c.__enter__())
        return c

    yield make
    for c in made:
        c.__exit__(None, None, None)


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_route_by_role(fresh_client, method, path):
    expected = ACCESS.get((method, path))
    if expected is None:
        pytest.fail(f"{method} {path} is not in ACCESS")
    if (method, path) in FRESH_PER_CALLER:
        got = {role: World(fresh_client()).outcome(method, path, role) for role in ROLES}
    else:
        world = World(fresh_client())
        got = {role: world.outcome(method, path, role) for role in ROLES}
    wrong = {role: f"expected {'allowed' if want == 'A' else 'denied'}, got {got[role][1]}"
             for role, want in zip(ROLES, expected, strict=True) if got[role][0] != want}
    assert wrong == {}, f"{method} {path}: {wrong}"
