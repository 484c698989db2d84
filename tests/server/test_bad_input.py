"""Bad input gets a clear 4xx with a JSON {"error"} and changes nothing;
health, the OpenAPI document, and refusing a bad config file."""
from __future__ import annotations

import subprocess

import pytest
from support.halls import HALL
from support.servers import ONEWINDOW


def assert_error(r, status: int, field: str | None = None) -> dict:
    assert r.status_code == status, (r.status_code, r.text)
    assert r.headers["content-type"].startswith("application/json"), r.headers
    body = r.json()
    assert isinstance(body.get("error"), str) and body["error"], body
    assert "Traceback" not in r.text and 'File "' not in r.text
    if field is not None:
        assert body.get("field") == field, body
        assert field.split(".")[-1] in body["error"], body
    return body


def waiting(client) -> dict[str, int]:
    return {c["code"]: c["waiting"] for c in client.get(f"/api/v1/halls/{HALL}").json()["categories"]}


def assert_nothing_issued(client) -> None:
    assert sum(waiting(client).values()) == 0
    # the counters did not move either: the first good ticket of each kind is 001
    assert client.post(f"/api/v1/halls/{HALL}/tickets", json={"category": "eia"}).json()["number"] == "A001"


def post_issue(client, **kw):
    return client.post(f"/api/v1/halls/{HALL}/tickets", **kw)


# ----- issuing -----------------------------------------------------------------------------


def test_unknown_hall(client, staff):
    zw = staff.make("zhangwei")
    assert_error(client.post("/api/v1/halls/nope/tickets", json={"category": "eia"}), 404)
    assert_error(client.get("/api/v1/halls/nope"), 404)
    assert_error(client.post("/api/v1/halls/nope/windows/w1/sign-in", headers=zw), 404)
    assert_error(client.post("/api/v1/halls/nope/windows/w1/next", headers=zw), 404)
    assert_nothing_issued(client)


def test_unknown_category(client):
    body = assert_error(post_issue(client, json={"category": "nope"}), 422)
    assert "nope" in body["error"]
    assert_error(post_issue(client, json={"category": "EIA"}), 422)
    assert_error(post_issue(client, json={"category": "A"}), 422)  # a prefix is not a category
    assert_nothing_issued(client)


def test_priority_a_category_does_not_offer(client, make_client, demo_config, database_url):
    c = make_client(demo_config(replace={'icon = "📋"': 'icon = "📋"\npriority_classes = ["normal"]'}),
                    database_url=database_url)
    assert_error(post_issue(c, json={"category": "eia", "priority": "priority"}), 422)
    assert_nothing_issued(c)


def test_closed_hall(make_client, demo_config, database_url, clock):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    c = make_client(demo_config(enforce_hours=True), database_url=database_url)
    clock.set(datetime(2026, 11, 23, 20, 0, tzinfo=ZoneInfo("Asia/Shanghai")))  # a Monday evening
    assert_error(post_issue(c, json={"category": "eia"}), 409)
    clock.set(datetime(2026, 11, 22, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")))  # a Sunday
    assert_error(post_issue(c, json={"category": "eia"}), 409)
    clock.set(datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    assert_nothing_issued(c)


MALFORMED = [
    b'{"category": ',
    b'{category: "eia"}',
    b"{'category': 'eia'}",
    b'{"category": "eia",}',
    b"\xff\xfe\x00garbage",
    b"NaN-ish",
]


def test_malformed_json(client):
    for raw in MALFORMED:
        assert_error(post_issue(client, content=raw, headers={"content-type": "application/json"}), 400)
    assert_nothing_issued(client)


WRONG = [
    ({}, "category"),
    ({"priority": "priority"}, "category"),
    ({"category": None}, "category"),
    ({"category": 5}, "category"),
    ({"category": ["eia"]}, "category"),
    ({"category": ""}, "category"),
    ({"category": "eia", "priority": 1}, "priority"),
    ({"category": "eia", "priority": "vip"}, "priority"),
    ({"category": "eia", "lang": "fr"}, "lang"),
    ({"category": "x" * 1000}, "category"),
]


def test_missing_fields_and_wrong_types(client):
    for payload, field in WRONG:
        assert_error(post_issue(client, json=payload), 422, field)
    assert_nothing_issued(client)


def test_body_not_an_object(client):
    import json

    for payload in ([], ["eia"], "eia", 5, None):
        r = post_issue(client, content=json.dumps(payload).encode(), headers={"content-type": "application/json"})
        assert_error(r, 422)
    assert_nothing_issued(client)


def test_huge_bodies(client):
    huge = b'{"category": "eia", "pad": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    assert_error(post_issue(client, content=huge, headers={"content-type": "application/json"}), 413)

    def chunks():  # no content-length: the limit holds while reading the stream
        yield b'{"category": "eia", "pad": "'
        for _ in range(64):
            yield b"x" * 16384
        yield b'"}'

    assert_error(post_issue(client, content=chunks(), headers={"content-type": "application/json"}), 413)
    assert_error(client.post("/api/v1/auth/login", content=huge, headers={"content-type": "application/json"}), 413)
    assert_nothing_issued(client)


def test_unknown_route_and_method_are_json(client):
    assert_error(client.get("/api/v1/nothing-here"), 404)
    assert_error(client.get(f"/api/v1/halls/{HALL}/tickets"), 405)
    assert_error(client.delete(f"/api/v1/halls/{HALL}"), 405)


# ----- accounts ----------------------------------------------------------------------------


def test_login_bad_input(client, staff):
    assert_error(client.post("/api/v1/auth/login", json={"username": "admin"}), 422, "password")
    assert_error(client.post("/api/v1/auth/login", json={"username": "admin", "password": 123}), 422, "password")
    assert_error(client.post("/api/v1/auth/login", json={"username": "admin", "password": "wrong"}), 401)
    assert_error(client.post("/api/v1/auth/login", json={"username": "nobody", "password": "wrong"}), 401)


def test_create_user_bad_input(client, staff):
    clerk = staff.make("zhangwei")
    before = client.get("/api/v1/users", headers=staff.admin).json()
    good = {"username": "newclerk", "password": "long-enough-1", "role": "clerk"}
    client.cookies.clear()
    assert_error(client.post("/api/v1/users", json=good), 401)
    assert_error(client.post("/api/v1/users", headers=clerk, json=good), 403)
    assert_error(client.post("/api/v1/users", headers=staff.admin, json={**good, "role": "king"}), 422, "role")
    assert_error(client.post("/api/v1/users", headers=staff.admin, json={**good, "password": "short"}), 422,
                 "password")
    assert_error(client.post("/api/v1/users", headers=staff.admin, json={**good, "username": "Bad Name"}), 422,
                 "username")
    assert_error(client.post("/api/v1/users", headers=staff.admin, json={**good, "username": "zhangwei"}), 409)
    assert client.get("/api/v1/users", headers=staff.admin).json() == before


# ----- clerk actions -------------------------------------------------------------------------


@pytest.fixture
def desk(client, staff):
    """zhangwei signed in at w1 with A001 called; lina signed in at w2; A002 waiting."""
    zw, ln = staff.make("zhangwei"), staff.make("lina")
    for h, w in ((zw, "w1"), (ln, "w2")):
        assert client.post(f"/api/v1/halls/{HALL}/windows/{w}/sign-in", headers=h).status_code == 200
    a1 = post_issue(client, json={"category": "eia"}).json()
    a2 = post_issue(client, json={"category": "eia"}).json()
    t = client.post(f"/api/v1/halls/{HALL}/windows/w1/next", headers=zw).json()
    assert t["number"] == "A001"
    client.cookies.clear()
    return {"zw": zw, "ln": ln, "a1": a1, "a2": a2}


def state(client, desk) -> tuple:
    t1 = client.get(f"/api/v1/tickets/{desk['a1']['id']}", params={"token": desk["a1"]["track_token"]}).json()
    t2 = client.get(f"/api/v1/tickets/{desk['a2']['id']}", params={"token": desk["a2"]["track_token"]}).json()
    hall = client.get(f"/api/v1/halls/{HALL}").json()
    windows = {w["id"]: (w["status"], w["signed_in"], w["number"]) for w in hall["windows"]}
    return t1, t2, windows


def test_acting_without_a_token(client, desk):
    before = state(client, desk)
    tid = desk["a1"]["id"]
    for path in (f"/api/v1/halls/{HALL}/windows/w1/next", f"/api/v1/halls/{HALL}/windows/w1/sign-in",
                 f"/api/v1/halls/{HALL}/windows/w1/sign-out", f"/api/v1/tickets/{tid}/recall",
                 f"/api/v1/tickets/{tid}/start", f"/api/v1/tickets/{tid}/complete",
                 f"/api/v1/tickets/{tid}/no-show"):
        assert_error(client.post(path), 401)
        assert_error(client.post(path, headers={"Authorization": "Bearer forged"}), 401)
    assert_error(client.post(f"/api/v1/tickets/{tid}/transfer", json={"category": "permit"}), 401)
    assert state(client, desk) == before


def test_acting_at_another_clerks_window(client, desk):
    before = state(client, desk)
    ln, tid = desk["ln"], desk["a1"]["id"]
    assert_error(client.post(f"/api/v1/halls/{HALL}/windows/w1/next", headers=ln), 403)
    assert_error(client.post(f"/api/v1/halls/{HALL}/windows/w1/call", headers=ln, json={"number": "A002"}), 403)
    assert_error(client.post(f"/api/v1/halls/{HALL}/windows/w1/sign-out", headers=ln), 403)
    assert_error(client.post(f"/api/v1/halls/{HALL}/windows/w1/away", headers=ln, json={"reason": "lunch"}), 403)
    assert_error(client.post(f"/api/v1/halls/{HALL}/windows/w1/sign-in", headers=ln), 409)  # staffed by zhangwei
    for action in ("recall", "start", "complete", "no-show", "park"):
        assert_error(client.post(f"/api/v1/tickets/{tid}/{action}", headers=ln), 403)
    assert_error(client.post(f"/api/v1/tickets/{tid}/transfer", headers=ln, json={"category": "permit"}), 403)
    assert state(client, desk) == before


def test_unknown_window(client, desk):
    before = state(client, desk)
    zw = desk["zw"]
    for action in ("sign-in", "sign-out", "next", "back"):
        body = assert_error(client.post(f"/api/v1/halls/{HALL}/windows/w99/{action}", headers=zw), 404)
        assert "w99" in body["error"]
    assert_error(client.post(f"/api/v1/halls/{HALL}/windows/w99/call", headers=zw, json={"number": "A002"}), 404)
    assert_error(client.post(f"/api/v1/halls/{HALL}/windows/w1/away", headers=zw,
                             json={"reason": "meeting", "see_instead": "w99"}), 422)
    assert state(client, desk) == before


def test_unknown_ticket(client, desk):
    zw = desk["zw"]
    for tid in ("99999", "abc", "-1"):
        assert_error(client.post(f"/api/v1/tickets/{tid}/recall", headers=zw), 404)
    assert_error(client.get("/api/v1/tickets/99999", params={"token": "x"}), 404)


def test_clerk_action_bodies(client, desk):
    before = state(client, desk)
    zw, tid = desk["zw"], desk["a1"]["id"]
    cases = [
        ("transfer", {"category": 5}, "category"),
        ("transfer", {"window": ["w2"]}, "window"),
        ("transfer", {"note": 1, "category": "permit"}, "note"),
        ("complete", {"outcome": "great"}, "outcome"),
        ("complete", {"outcome": "accepted", "case": {"item": 7}}, "case.item"),
        ("park", {"note": "x" * 501}, "note"),
    ]
    for action, payload, field in cases:
        assert_error(client.post(f"/api/v1/tickets/{tid}/{action}", headers=zw, json=payload), 422, field)
    assert_error(client.post(f"/api/v1/tickets/{tid}/transfer", headers=zw, json={}), 422)
    assert_error(client.post(f"/api/v1/tickets/{tid}/complete", headers=zw,
                             json={"outcome": "accepted", "case": {"item": "no_such_item"}}), 422)
    assert_error(client.post(f"/api/v1/tickets/{tid}/complete", headers={**zw, "content-type": "application/json"},
                             content=b"{oops"), 400)
    assert_error(client.post(f"/api/v1/halls/{HALL}/windows/w1/away", headers=zw, json={"reason": "nap"}), 422,
                 "reason")
    assert_error(client.post(f"/api/v1/halls/{HALL}/windows/w1/away", headers=zw,
                             json={"reason": "lunch", "back_at": "25:00"}), 422, "back_at")
    assert_error(client.post(f"/api/v1/halls/{HALL}/windows/w1/call", headers=zw, json={"number": 2}), 422, "number")
    assert_error(client.post(f"/api/v1/halls/{HALL}/windows/w1/call", headers=zw, json={}), 422, "number")
    huge = b'{"note": "' + b"x" * (1024 * 1024) + b'"}'
    assert_error(client.post(f"/api/v1/tickets/{tid}/park", headers={**zw, "content-type": "application/json"},
                             content=huge), 413)
    assert state(client, desk) == before


def test_wrong_state_is_409_and_changes_nothing(client, desk):
    zw = desk["zw"]
    before = state(client, desk)
    assert_error(client.post(f"/api/v1/tickets/{desk['a1']['id']}/resume", headers=zw), 409)
    assert_error(client.post(f"/api/v1/tickets/{desk['a1']['id']}/reactivate", headers=zw), 409)
    assert state(client, desk) == before


# ----- out-of-range ids, deep JSON, far dates, NUL characters, binary frames -----------------

OUT_OF_RANGE_IDS = ["9223372036854775808", "-9223372036854775809", "18446744073709551616", "1" + "0" * 40]
# Bodies that pass validation, so that only the id can be wrong (a route not named here gets {}).
ID_ROUTE_BODIES = {
    "transfer": {"category": "permit"},
    "rating": {"level": 5, "channel": "qr", "token": "x"},
    "notice/print": {"item": "eia_report", "missing": ["x"]},
    "suspend": {"reason": "correction", "notice": "补正"},
    "advance": {"step": "verify"},
}


def _id_routes(client) -> list[tuple[str, str]]:
    """(method, path) of every HTTP route with an integer {id} (exports' ids are strings)."""
    from starlette.routing import Route

    out = []
    for r in client.app.routes:
        if isinstance(r, Route) and "{id}" in r.path and not r.path.startswith("/api/v1/exports/"):
            out += [(m, r.path.replace("{hall}", HALL)) for m in sorted(r.methods - {"HEAD"})]
    return out


def test_ids_out_of_range_are_404(client, staff):
    boss = staff.make("boss", "manager")
    routes = _id_routes(client)
    assert len(routes) >= 20, routes  # tickets, ratings, cases, alerts, tasks, printing
    for method, path in routes:
        payload = next((b for tail, b in ID_ROUTE_BODIES.items() if path.endswith("/" + tail)), {})
        for tid in OUT_OF_RANGE_IDS:
            url = path.replace("{id}", tid)
            kw = {"json": payload} if method in ("POST", "PUT") else {}
            assert_error(client.request(method, url, headers=boss, params={"token": "x"}, **kw), 404)
    # the largest id there can be is looked up as usual
    assert_error(client.get("/api/v1/tickets/9223372036854775807", params={"token": "x"}), 404)
    assert_nothing_issued(client)


def test_ticket_socket_with_an_out_of_range_id(client):
    from starlette.websockets import WebSocketDisconnect

    for tid in OUT_OF_RANGE_IDS:
        with pytest.raises(WebSocketDisconnect) as closed, client.websocket_connect(f"/ws/tickets/{tid}?token=x"):
            pass
        assert closed.value.code == 4404


def test_json_nested_too_deep_is_400(client, staff):
    for depth in (40, 1000, 10_000):  # 10,000 deep is 60 kB: under the size limit
        deep = b'{"category": ' + b"[" * depth + b"]" * depth + b"}"
        body = assert_error(post_issue(client, content=deep, headers={"content-type": "application/json"}), 400)
        assert body["code"] == "too_deep"
        deep_obj = b'{"a":' * depth + b"1" + b"}" * depth
        assert_error(client.post("/api/v1/auth/login", content=deep_obj, headers={"content-type": "application/json"}),
                     400)
    # the calendar upload reads its own JSON: the same limit
    deep = b'{"year": 2030, "holidays": ' + b"[" * 1000 + b"]" * 1000 + b"}"
    assert_error(client.post("/api/v1/calendar/years", headers={**staff.admin, "content-type": "application/json"},
                             content=deep), 400)
    assert_nothing_issued(client)


def test_dates_outside_a_sane_range_are_422(client, staff):
    boss = staff.make("boss", "manager")
    for q, field in (({"from": "9999-12-31", "to": "9999-12-31"}, "from"), ({"from": "0001-01-01"}, "from"),
                     ({"from": "2026-01-01", "to": "2101-01-01"}, "to"), ({"from": "1999-12-31"}, "from")):
        for ext in ("", ".csv", ".xlsx"):
            assert_error(client.get(f"/api/v1/halls/{HALL}/reports{ext}", params=q, headers=boss), 422, field)
    # an export is refused up front, not accepted and then failed
    assert_error(client.post(f"/api/v1/halls/{HALL}/exports", headers=boss,
                             json={"from": "9999-12-31", "to": "9999-12-31", "format": "csv"}), 422, "from")
    assert_error(client.post(f"/api/v1/halls/{HALL}/exports", headers=boss,
                             json={"from": "2026-01-01", "to": "9999-12-31"}), 422, "to")
    # the edges of the range are fine
    r = client.get(f"/api/v1/halls/{HALL}/reports", params={"from": "2100-12-01", "to": "2100-12-31"}, headers=boss)
    assert r.status_code == 200, r.text


def test_nul_characters_are_422(client, staff):
    zw = staff.make("zhangwei")
    assert_error(client.post("/api/v1/auth/login", json={"username": "ad\x00min", "password": "x"}), 422, "username")
    assert_error(client.post("/api/v1/auth/login", json={"username": "admin", "password": "p\x00"}), 422, "password")
    assert_error(post_issue(client, json={"category": "eia\x00"}), 422, "category")
    assert_error(post_issue(client, json={"category": "eia", "x\x00": 1}), 422)
    assert_error(post_issue(client, json={"category": "eia", "tags": [{"a": ["\x00"]}]}), 422, "tags.0.a.0")
    assert_error(client.post("/api/v1/users", headers=staff.admin,
                             json={"username": "newclerk", "password": "long-enough-1", "role": "clerk",
                                   "display_name": "张\x00伟"}), 422, "display_name")
    t = post_issue(client, json={"category": "eia"}).json()  # A001
    # a rating comment, through the ticket's QR page
    assert_error(client.post(f"/api/v1/tickets/{t['id']}/rating",
                             json={"level": 1, "comment": "差\x00", "channel": "qr", "token": t["track_token"]}),
                 422, "comment")
    # path and query parameters that reach SQL
    assert_error(client.get(f"/api/v1/tickets/{t['id']}", params={"token": t["track_token"] + "\x00"}), 422)
    assert_error(client.get(f"/api/v1/halls/{HALL}/tickets/by-number/A%00001", headers=zw), 422)
    assert_error(client.get(f"/api/v1/halls/{HALL}/windows/w1%00/last-completed"), 422)
    assert_error(client.post("/api/v1/calendar/years", headers=staff.admin,
                             json={"year": 2031, "holidays": [], "workdays": [], "source": "国办\x00"}), 422, "source")
    # nothing was stored: the ticket is unrated, only A001 was issued
    assert client.get(f"/api/v1/tickets/{t['id']}", params={"token": t["track_token"]}).status_code == 200
    assert post_issue(client, json={"category": "eia"}).json()["number"] == "A002"
    assert "2031" not in str(client.get("/api/v1/calendar/years").json())


def _closed_after_binary_frame(ws) -> dict:
    ws.receive_text()  # the snapshot or the ticket's state
    ws.send_bytes(b"\x00\x01binary")
    for _ in range(50):  # events may come first
        msg = ws.receive()
        if msg["type"] == "websocket.close":
            return msg
    raise AssertionError("the socket was not closed")


def test_binary_frames_close_the_socket_1003(client, staff, caplog):
    zw = staff.make("zhangwei")
    t = post_issue(client, json={"category": "eia"}).json()
    with caplog.at_level("WARNING"):
        with client.websocket_connect(f"/ws/halls/{HALL}/display?screen=s1") as ws:
            assert _closed_after_binary_frame(ws)["code"] == 1003
        with client.websocket_connect(f"/ws/halls/{HALL}/console", headers=zw) as ws:
            assert _closed_after_binary_frame(ws)["code"] == 1003
        with client.websocket_connect(f"/ws/tickets/{t['id']}?token={t['track_token']}") as ws:
            assert _closed_after_binary_frame(ws)["code"] == 1003
        # text still works on a fresh socket
        with client.websocket_connect(f"/ws/halls/{HALL}/display?screen=s1") as ws:
            ws.receive_text()
            ws.send_text('{"type": "audio", "muted": true}')
    assert not [r for r in caplog.records if r.exc_info or r.levelname in ("ERROR", "CRITICAL")], caplog.text


def test_nul_in_a_socket_query_is_refused(client):
    from starlette.websockets import WebSocketDisconnect

    url = f"/ws/halls/{HALL}/display?screen=a%00"
    with pytest.raises(WebSocketDisconnect) as closed, client.websocket_connect(url):
        pass
    assert closed.value.code == 1008


# ----- health, OpenAPI ---------------------------------------------------------------------

CONTRACT_PATHS = {
    "/healthz": "get",
    "/api/v1/auth/login": "post",
    "/api/v1/users": "post",
    "/api/v1/halls": "get",
    "/api/v1/halls/{hall}": "get",
    "/api/v1/halls/{hall}/tickets": "post",
    "/api/v1/tickets/{id}": "get",
    "/api/v1/halls/{hall}/windows/{window}/sign-in": "post",
    "/api/v1/halls/{hall}/windows/{window}/sign-out": "post",
    "/api/v1/halls/{hall}/windows/{window}/next": "post",
    "/api/v1/tickets/{id}/recall": "post",
    "/api/v1/tickets/{id}/start": "post",
    "/api/v1/tickets/{id}/no-show": "post",
    "/api/v1/tickets/{id}/complete": "post",
    "/api/v1/tickets/{id}/transfer": "post",
    "/api/v1/calendar/deadline": "get",
}


def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json()["ok"] is True


def test_openapi_lists_the_contract(client):
    r = client.get("/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert doc["openapi"].startswith("3.")
    missing = [p for p, m in CONTRACT_PATHS.items() if m not in doc["paths"].get(p, {})]
    assert not missing, f"not in /openapi.json: {missing}"
    for p, ops in doc["paths"].items():
        for op in ops.values():
            assert (isinstance(op, dict) and op.get("summary")) or op.get("responses"), (p, op)


# ----- configuration -------------------------------------------------------------------------


def _demo_text() -> str:
    from onewindow.server.config import demo_config_path

    return demo_config_path().read_text(encoding="utf-8")


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.fixture
def bad_configs(tmp_path):
    """(file, expected 'file:line: field') for a few kinds of mistakes."""
    demo = _demo_text()
    out = []
    t = demo.replace("max_calls = 3", "max_calls = 0", 1)
    out.append((t, f":{_line_of(t, 'max_calls = 0')}: halls.0.queue.max_calls"))
    t = demo.replace('prefix = "B"', 'prefix = "b1"', 1)
    out.append((t, f":{_line_of(t, 'b1')}: halls.0.categories.1.prefix"))
    t = demo.replace('a_clerk = "wangfang"', 'a_clerk = "wangfang"\ncolour = "red"', 1)
    out.append((t, f":{_line_of(t, 'colour')}: halls.0.windows.2.colour"))
    t = demo.replace('timezone = "Asia/Shanghai"', 'timezone = "Mars/Olympus"', 1)
    out.append((t, f":{_line_of(t, 'Mars/Olympus')}: halls.0.timezone"))
    t = demo.replace('close = "17:00"', 'close = 17:00', 1)  # not TOML
    out.append((t, f":{_line_of(t, 'close = 17:00')}: "))
    files = []
    for i, (text, expect) in enumerate(out):
        p = tmp_path / f"bad{i}.toml"
        p.write_text(text, encoding="utf-8")
        files.append((p, f"{p}{expect}"))
    return files


def _run(args, tmp_path, timeout=60):
    return subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, timeout=timeout,
                          env={"PATH": "/usr/bin:/bin", "ONEWINDOW_ADMIN_PASSWORD": "x" * 12})


def test_bad_config_stops_serve(bad_configs, tmp_path):
    for path, expect in bad_configs:
        r = _run([ONEWINDOW, "serve", "--config", str(path), "--data-dir", str(tmp_path / "data"),
                  "--port", "1"], tmp_path)
        assert r.returncode != 0, (path, r.stdout, r.stderr)
        assert expect in r.stderr, (expect, r.stderr)
        assert "Traceback" not in r.stderr
        assert "Uvicorn running" not in r.stderr + r.stdout
    assert not (tmp_path / "data").exists()  # refused before touching any data


def test_missing_config_file(tmp_path):
    r = _run([ONEWINDOW, "serve", "--config", str(tmp_path / "nope.toml"), "--port", "1"], tmp_path)
    assert r.returncode != 0 and "nope.toml" in r.stderr and "Traceback" not in r.stderr


def test_check_config(bad_configs, tmp_path):
    from onewindow.server.config import demo_config_path

    r = _run([ONEWINDOW, "check-config", str(demo_config_path())], tmp_path)
    assert r.returncode == 0, r.stderr
    assert "OK" in r.stdout
    for path, expect in bad_configs:
        r = _run([ONEWINDOW, "check-config", str(path)], tmp_path)
        assert r.returncode != 0 and expect in r.stderr, (expect, r.stderr)
        assert "Traceback" not in r.stderr
