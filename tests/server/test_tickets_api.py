"""Tickets through the HTTP API, on SQLite and PostgreSQL: numbering, restart,
concurrent issuing, the one-window calling rules, tracking, A/B posts."""
from __future__ import annotations

import concurrent.futures
import json
import threading

import httpx
import pytest
from support.accounts import Staff
from support.clock import at
from support.devices import equip_admin
from support.halls import ALL_CATS, HALL

from onewindow.server.store import tickets as tickets_store


def issue(client, category: str = "eia", priority: str = "normal", hall: str = HALL) -> dict:
    r = client.post(f"/api/v1/halls/{hall}/tickets", json={"category": category, "priority": priority})
    assert r.status_code == 201, r.text
    return r.json()


def sign_in(client, headers: dict, window: str) -> None:
    r = client.post(f"/api/v1/halls/{HALL}/windows/{window}/sign-in", headers=headers)
    assert r.status_code == 200, r.text


def next_(client, headers: dict, window: str) -> dict | None:
    r = client.post(f"/api/v1/halls/{HALL}/windows/{window}/next", headers=headers)
    if r.status_code == 204:
        return None
    assert r.status_code == 200, r.text
    return r.json()


def act(client, headers: dict, ticket: dict | int, action: str, json: dict | None = None, status: int = 200) -> dict:
    tid = ticket if isinstance(ticket, int) else ticket["id"]
    r = client.post(f"/api/v1/tickets/{tid}/{action}", headers=headers, json=json)
    assert r.status_code == status, r.text
    return r.json()


def track(client, ticket: dict) -> dict:
    r = client.get(f"/api/v1/tickets/{ticket['id']}", params={"token": ticket["track_token"]})
    assert r.status_code == 200, r.text
    return r.json()


def drain(client, headers: dict, window: str) -> list[str]:
    """Call and complete everything this window gets; the numbers in calling order."""
    out = []
    while (t := next_(client, headers, window)) is not None:
        out.append(t["number"])
        act(client, headers, t, "complete")
    return out


# ----- numbering ---------------------------------------------------------------------------


def test_numbers_per_category(client):
    got = [issue(client, c, p)["number"] for c, p in [
        ("eia", "normal"), ("eia", "normal"), ("permit", "normal"), ("eia", "priority"),
        ("permit", "normal"), ("consult", "normal"), ("assist", "normal")]]
    assert got == ["A001", "A002", "B001", "A003", "B002", "F001", "G001"]


def test_issue_answer_shape(client):
    first = issue(client, "eia")
    second = issue(client, "eia")
    assert set(first) >= {"id", "number", "category", "issued_at", "ahead", "estimated_wait_s", "track_token"}
    assert first["category"] == "eia"
    assert first["issued_at"] == "2026-11-23T10:00:00+08:00"
    assert (first["ahead"], second["ahead"]) == (0, 1)
    assert first["track_token"] != second["track_token"] and len(first["track_token"]) >= 20
    # one window-cycle ahead of the second ticket: no window open counts as one
    assert second["estimated_wait_s"] > 0 == first["estimated_wait_s"]


def test_numbers_reset_at_shanghai_midnight(client, clock):
    clock.set(at(2026, 11, 23, 7, 50))
    assert issue(client, "eia")["number"] == "A001"
    clock.set(at(2026, 11, 23, 8, 10))  # midnight UTC has passed: same service day in Shanghai
    assert issue(client, "eia")["number"] == "A002"
    clock.set(at(2026, 11, 23, 23, 59, 59))
    assert issue(client, "eia")["number"] == "A003"
    assert issue(client, "permit")["number"] == "B001"
    clock.advance(2)  # 00:00:01 on the 24th, Shanghai time
    assert issue(client, "eia")["number"] == "A001"
    assert issue(client, "permit")["number"] == "B001"
    assert issue(client, "eia")["number"] == "A002"
    clock.set(at(2026, 11, 25, 9, 0))
    assert issue(client, "eia")["number"] == "A001"


def test_numbers_continue_after_restart(make_client, database_url, demo_config, admin_password):
    first = make_client(demo_config(), database_url=database_url)
    assert [issue(first, "eia")["number"] for _ in range(3)] == ["A001", "A002", "A003"]
    b1 = issue(first, "permit")
    first.__exit__(None, None, None)  # shut the app down: database closed

    second = make_client(demo_config(), database_url=database_url)  # a new app on the same data
    assert issue(second, "eia")["number"] == "A004"
    assert issue(second, "permit")["number"] == "B002"
    # tickets from before the restart are still there and tracked
    assert track(second, b1)["status"] == "waiting"
    h = {"Authorization": "Bearer " + second.post("/api/v1/auth/login", json={
        "username": "admin", "password": admin_password}).json()["token"]}
    # no second admin was bootstrapped: the old password still works and the account is unique
    users = second.get("/api/v1/users", headers=h).json()
    assert [u["username"] for u in users] == ["admin"]


def test_no_duplicates_under_200_concurrent_issues(live_server, database_url, settings):
    server = live_server(database_url=database_url)
    start = threading.Barrier(100)

    def one(i):
        if i < 100:
            start.wait(timeout=60)  # the first hundred leave together
        r = shared.post(f"/api/v1/halls/{HALL}/tickets", json={"category": "eia"})
        assert r.status_code == 201, r.text
        return r.json()

    # One client shared by the threads (httpx.Client is thread-safe): a connection each, no set-up cost per call.
    with httpx.Client(base_url=server.url, timeout=60, limits=httpx.Limits(max_connections=200)) as shared, \
            concurrent.futures.ThreadPoolExecutor(max_workers=100) as pool:
        equip_admin(shared, settings.admin_password)  # the hall's paired kiosk: never limited
        tickets = list(pool.map(one, range(200)))
    numbers = sorted(t["number"] for t in tickets)
    assert numbers == [f"A{i:03d}" for i in range(1, 201)]
    assert len({t["id"] for t in tickets}) == 200
    with httpx.Client(base_url=server.url) as c:
        hall = c.get(f"/api/v1/halls/{HALL}").json()
        assert {x["code"]: x["waiting"] for x in hall["categories"]}["eia"] == 200
        assert c.post(f"/api/v1/halls/{HALL}/tickets", json={"category": "eia"}).json()["number"] == "A201"


# ----- one-window calling ----------------------------------------------------------------


def test_fifo_across_categories(client, staff, clock):
    zw = staff.make("zhangwei")
    sign_in(client, zw, "w1")
    for cat in ("permit", "eia", "consult", "eia"):
        issue(client, cat)
        clock.advance(60)
    assert drain(client, zw, "w1") == ["B001", "A001", "F001", "A002"]


def test_priority_first_then_arrival(client, staff, clock):
    zw = staff.make("zhangwei")
    sign_in(client, zw, "w1")
    issue(client, "eia")  # A001 normal, first to arrive
    clock.advance(60)
    issue(client, "permit", "priority")  # B001
    clock.advance(60)
    issue(client, "eia", "normal")  # A002
    clock.advance(60)
    issue(client, "eia", "priority")  # A003
    clock.advance(60)
    assert drain(client, zw, "w1") == ["B001", "A003", "A001", "A002"]


def test_anti_starvation_through_the_api(client, staff, clock):
    zw = staff.make("zhangwei")
    sign_in(client, zw, "w1")
    n1 = issue(client, "eia")  # normal, 10:00
    clock.advance(10 * 60)
    issue(client, "eia")  # A002 normal, 10:10
    # a stream of priority tickets, one every 5 minutes, each served at once
    served = []
    for _ in range(4):  # 10:10 .. 10:25
        issue(client, "permit", "priority")
        t = next_(client, zw, "w1")
        served.append(t["number"])
        act(client, zw, t, "complete")
        clock.advance(5 * 60)
    assert served == ["B001", "B002", "B003", "B004"]  # A001 waited < 30 min: priority first
    assert track(client, n1)["status"] == "waiting"
    clock.set(at(2026, 11, 23, 10, 30))  # A001 has now waited the configured 30 minutes
    issue(client, "permit", "priority")  # B005, 10:30
    issue(client, "permit", "priority")  # B006
    t = next_(client, zw, "w1")
    assert t["number"] == "A001" and t["wait_s"] == 30 * 60
    act(client, zw, t, "complete")
    # A002 has waited only 20 minutes: the priority stream goes on before it
    assert drain(client, zw, "w1") == ["B005", "B006", "A002"]


def test_ordered_window_calls_its_first_category_first(client, staff, clock):
    cj = staff.make("chenjing")  # A post of w5: complaint, consult, assist, eia, ... (ordered)
    zw = staff.make("zhangwei")  # w1: fifo
    sign_in(client, cj, "w5")
    sign_in(client, zw, "w1")
    issue(client, "eia")
    clock.advance(60)
    issue(client, "consult")
    clock.advance(60)
    issue(client, "complaint")
    clock.advance(60)
    assert next_(client, cj, "w5")["number"] == "E001"
    assert next_(client, zw, "w1")["number"] == "A001"  # fifo: the longest waiting
    assert next_(client, cj, "w5")["number"] == "F001"


def test_times_derived_from_events(client, staff, clock):
    zw = staff.make("zhangwei")
    sign_in(client, zw, "w1")
    issue(client, "eia")
    clock.advance(300)
    t = next_(client, zw, "w1")
    assert (t["status"], t["wait_s"], t["window"], t["clerk"]) == ("called", 300, "w1", "zhangwei")
    clock.advance(40)
    t = act(client, zw, t, "start")
    assert (t["status"], t["walk_s"]) == ("serving", 40)
    clock.advance(600)
    t = act(client, zw, t, "complete")
    assert (t["status"], t["wait_s"], t["walk_s"], t["service_s"]) == ("done", 300, 40, 600)
    assert t["finished_at"] == "2026-11-23T10:15:40+08:00"


def test_transfer_to_category_keeps_arrival_and_first_clerk(client, staff, clock):
    zw, ln = staff.make("zhangwei"), staff.make("lina")
    sign_in(client, zw, "w1")
    sign_in(client, ln, "w2")
    a1 = issue(client, "eia")  # 10:00
    clock.advance(60)
    issue(client, "permit")  # B001 10:01
    clock.advance(60)
    issue(client, "permit")  # B002 10:02
    clock.advance(60)
    t = next_(client, zw, "w1")
    assert t["number"] == "A001"
    act(client, zw, t, "start")
    clock.advance(120)
    t = act(client, zw, t, "transfer", {"category": "permit", "note": "排污许可问题"})
    assert (t["status"], t["category"], t["origin_category"], t["first_clerk"]) == ("waiting", "permit", "eia",
                                                                                  "zhangwei")
    assert t["number"] == "A001"  # the visitor keeps their slip
    clock.advance(60)
    # Back in the queue at its original arrival: ahead of B001 and B002, which came later.
    assert track(client, a1)["ahead"] == 0
    t = next_(client, ln, "w2")
    assert (t["number"], t["category"], t["clerk"], t["first_clerk"]) == ("A001", "permit", "lina", "zhangwei")
    assert t["wait_s"] == 180  # wait is issue -> first call, not reset by the transfer
    assert next_(client, zw, "w1")["number"] == "B001"


def test_transfer_to_window(client, staff, clock):
    zw, ln = staff.make("zhangwei"), staff.make("lina")
    sign_in(client, zw, "w1")
    sign_in(client, ln, "w2")
    issue(client, "eia")
    clock.advance(60)
    issue(client, "eia")
    clock.advance(60)
    t = next_(client, zw, "w1")
    t = act(client, zw, t, "transfer", {"window": "w2"})
    assert (t["status"], t["target_window"], t["first_clerk"]) == ("waiting", "w2", "zhangwei")
    # w1 cannot call it back; w2 gets it first (it arrived earlier than A002)
    assert next_(client, zw, "w1")["number"] == "A002"
    assert next_(client, zw, "w1") is None
    t = next_(client, ln, "w2")
    assert (t["number"], t["first_clerk"], t["target_window"]) == ("A001", "zhangwei", None)


def test_transfer_needs_exactly_one_target(client, staff):
    zw = staff.make("zhangwei")
    sign_in(client, zw, "w1")
    issue(client, "eia")
    t = next_(client, zw, "w1")
    act(client, zw, t, "transfer", {}, status=422)
    act(client, zw, t, "transfer", {"category": "permit", "window": "w2"}, status=422)
    act(client, zw, t, "transfer", {"category": "nope"}, status=422)
    act(client, zw, t, "transfer", {"window": "w99"}, status=422)
    assert act(client, zw, t, "start")["status"] == "serving"  # unchanged by the refused transfers


def test_recall_then_no_show_after_max_calls(client, staff, clock):
    zw = staff.make("zhangwei")
    sign_in(client, zw, "w1")
    a1 = issue(client, "eia")
    t = next_(client, zw, "w1")
    assert t["call_count"] == 1
    clock.advance(60)
    t = act(client, zw, t, "recall")
    assert (t["status"], t["call_count"]) == ("called", 2)
    clock.advance(60)
    t = act(client, zw, t, "recall")
    assert (t["status"], t["call_count"]) == ("called", 3)  # max_calls = 3 calls made, unanswered
    clock.advance(60)
    t = act(client, zw, t, "recall")
    assert t["status"] == "no_show"
    assert track(client, a1)["status"] == "no_show"
    act(client, zw, t, "recall", status=409)
    act(client, zw, t, "start", status=409)
    assert next_(client, zw, "w1") is None  # a no-show is not called again


def test_clerk_no_show(client, staff):
    zw = staff.make("zhangwei")
    sign_in(client, zw, "w1")
    issue(client, "eia")
    t = next_(client, zw, "w1")
    assert act(client, zw, t, "no-show")["status"] == "no_show"
    act(client, zw, t, "no-show", status=409)


def _reactivation(client, staff, clock) -> list[str]:
    zw = staff.make("zhangwei")
    sign_in(client, zw, "w1")
    for _ in range(3):
        issue(client, "eia")
        clock.advance(60)
    t = next_(client, zw, "w1")
    assert t["number"] == "A001"
    for _ in range(3):
        t = act(client, zw, t, "recall")
    assert t["status"] == "no_show"
    clock.advance(300)
    t = act(client, zw, t, "reactivate")  # the visitor turns up late
    assert (t["status"], t["call_count"]) == ("waiting", 0)
    return drain(client, zw, "w1")


def test_reactivation_keeps_place(client, staff, clock):
    assert _reactivation(client, staff, clock) == ["A001", "A002", "A003"]


def test_reactivation_goes_last(make_client, database_url, demo_config, clock):
    cfg = demo_config(replace={'late_arrival = "keep_place"': 'late_arrival = "go_last"'})
    assert cfg.halls[0].queue.late_arrival == "go_last"
    c = make_client(cfg, database_url=database_url)
    assert _reactivation(c, Staff(c), clock) == ["A002", "A003", "A001"]


def test_reactivate_only_a_no_show(client, staff):
    zw = staff.make("zhangwei")
    sign_in(client, zw, "w1")
    issue(client, "eia")
    t = next_(client, zw, "w1")
    act(client, zw, t, "reactivate", status=409)
    t = act(client, zw, t, "complete")
    act(client, zw, t, "reactivate", status=409)


def test_park_and_resume(client, staff, clock):
    zw, ln = staff.make("zhangwei"), staff.make("lina")
    sign_in(client, zw, "w1")
    sign_in(client, ln, "w2")
    a1 = issue(client, "eia")
    clock.advance(60)
    issue(client, "eia")
    clock.advance(60)
    issue(client, "eia")
    clock.advance(60)
    t = next_(client, zw, "w1")
    act(client, zw, t, "start")
    t = act(client, zw, t, "park", {"note": "回去取营业执照"})
    assert (t["status"], t["note"]) == ("parked", "回去取营业执照")
    assert track(client, a1)["status"] == "parked"
    assert next_(client, zw, "w1")["number"] == "A002"  # parked tickets are not called
    act(client, zw, t, "park", status=409)
    t = act(client, zw, t, "resume")
    assert (t["status"], t["target_window"]) == ("waiting", "w1")
    # resumed at its old place, for the window that parked it only
    assert next_(client, ln, "w2")["number"] == "A003"
    assert next_(client, ln, "w2") is None
    assert next_(client, zw, "w1")["number"] == "A001"
    act(client, zw, t, "resume", status=409)


def test_call_a_specific_number(client, staff):
    zw = staff.make("zhangwei")
    sign_in(client, zw, "w1")
    for _ in range(3):
        issue(client, "eia")
    r = client.post(f"/api/v1/halls/{HALL}/windows/w1/call", headers=zw, json={"number": " a003 "})
    assert r.status_code == 200, r.text
    assert (r.json()["number"], r.json()["status"], r.json()["window"]) == ("A003", "called", "w1")
    r = client.post(f"/api/v1/halls/{HALL}/windows/w1/call", headers=zw, json={"number": "A003"})
    assert r.status_code == 409 and "error" in r.json()  # not waiting any more
    r = client.post(f"/api/v1/halls/{HALL}/windows/w1/call", headers=zw, json={"number": "A099"})
    assert r.status_code == 404 and "error" in r.json()
    r = client.post(f"/api/v1/halls/{HALL}/windows/w1/call", headers=zw, json={"number": "3"})
    assert r.status_code == 422 and r.json()["field"] == "number"
    assert drain(client, zw, "w1") == ["A001", "A002"]


def test_tracking(client, staff, clock):
    zw = staff.make("zhangwei")
    a1 = issue(client, "eia")
    a2 = issue(client, "eia")
    b1 = issue(client, "permit")
    got = track(client, a2)
    assert (got["number"], got["status"], got["ahead"]) == ("A002", "waiting", 1)
    assert got["estimated_wait_s"] > 0
    assert track(client, b1)["ahead"] == 2  # every window serves both: A001 and A002 are ahead
    for bad in ({"token": a1["track_token"]}, {"token": "x" * 43}, {"token": ""}, {}):
        r = client.get(f"/api/v1/tickets/{a2['id']}", params=bad)
        assert r.status_code == 404 and "error" in r.json(), bad
        assert "A002" not in r.text
    assert client.get("/api/v1/tickets/99999", params={"token": a1["track_token"]}).status_code == 404
    assert client.get("/api/v1/tickets/abc", params={"token": a1["track_token"]}).status_code == 404
    sign_in(client, zw, "w1")
    next_(client, zw, "w1")
    got = track(client, a1)
    assert (got["status"], got["window"], got["ahead"]) == ("called", "w1", 0)
    assert track(client, a2)["ahead"] == 0
    assert "track_token" not in got and "clerk" not in got


# ----- A/B posts and who may act where -----------------------------------------------------


@pytest.fixture
def ab_client(make_client, database_url, demo_config):
    """The demo hall with w1 serving only eia and w2 only permit."""
    cfg = demo_config(replace={
        f'number = "1"\ncategories = {ALL_CATS}': 'number = "1"\ncategories = ["eia"]',
        f'number = "2"\ncategories = {ALL_CATS}': 'number = "2"\ncategories = ["permit"]',
    })
    assert [w.categories for w in cfg.halls[0].windows[:2]] == [("eia",), ("permit",)]
    return make_client(cfg, database_url=database_url)


def test_b_post_covers_an_away_a_post(ab_client, clock):
    c = ab_client
    staff = Staff(c)
    zw, ln = staff.make("zhangwei"), staff.make("lina")
    sign_in(c, zw, "w1")
    sign_in(c, ln, "w2")
    issue(c, "eia")
    clock.advance(60)
    issue(c, "eia")
    clock.advance(60)
    # lina (w2: permit only) neither serves eia nor may act at zhangwei's window while he is there
    assert next_(c, ln, "w2") is None
    r = c.post(f"/api/v1/halls/{HALL}/windows/w1/next", headers=ln)
    assert r.status_code == 403 and "error" in r.json()
    r = c.post(f"/api/v1/halls/{HALL}/windows/w1/away", headers=zw, json={"reason": "meeting", "back_at": "11:00"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "away"
    # zhangwei is away: lina (B post of w1) may act at w1, and her own next at w2 serves w1's categories too
    t = next_(c, ln, "w2")
    assert (t["number"], t["window"], t["clerk"]) == ("A001", "w2", "lina")
    t = next_(c, ln, "w1")
    assert (t["number"], t["window"], t["clerk"]) == ("A002", "w1", "lina")
    act(c, ln, t, "complete")
    # zhangwei is back: lina's rights at w1 end
    assert c.post(f"/api/v1/halls/{HALL}/windows/w1/back", headers=zw).status_code == 200
    issue(c, "eia")
    assert next_(c, ln, "w2") is None
    assert c.post(f"/api/v1/halls/{HALL}/windows/w1/next", headers=ln).status_code == 403


def test_b_post_covers_a_signed_out_window(ab_client):
    c = ab_client
    staff = Staff(c)
    zw, ln = staff.make("zhangwei"), staff.make("lina")
    issue(c, "eia")
    # lina must be present herself (signed in somewhere) to cover
    assert c.post(f"/api/v1/halls/{HALL}/windows/w1/next", headers=ln).status_code == 403
    sign_in(c, ln, "w2")
    assert next_(c, ln, "w1")["number"] == "A001"
    # a clerk who is neither A nor B of w1 may not, even if signed in elsewhere
    wf = staff.make("wangfang")
    sign_in(c, wf, "w3")
    issue(c, "eia")
    assert c.post(f"/api/v1/halls/{HALL}/windows/w1/next", headers=wf).status_code == 403
    # once zhangwei signs in, the B post's cover ends
    sign_in(c, zw, "w1")
    assert c.post(f"/api/v1/halls/{HALL}/windows/w1/next", headers=ln).status_code == 403
    assert next_(c, zw, "w1")["number"] == "A002"


def test_sign_in_needs_a_post(client, staff):
    wf = staff.make("wangfang")  # A post of w3, B of w4
    outsider = staff.make("zhouqi")  # holds no post anywhere
    for who, window in ((wf, "w1"), (outsider, "w1"), (outsider, "w3")):
        r = client.post(f"/api/v1/halls/{HALL}/windows/{window}/sign-in", headers=who)
        assert r.status_code == 403 and "error" in r.json()
    sign_in(client, wf, "w3")
    sign_in(client, wf, "w4")  # the B post may sign in too
    hall = client.get(f"/api/v1/halls/{HALL}").json()
    signed = {w["id"]: w["signed_in"] for w in hall["windows"]}
    assert signed["w3"] is None and signed["w4"] == "wangfang" and signed["w1"] is None


def test_hall_shape(client, staff):
    """GET /api/v1/halls/{hall} as the contract writes it."""
    zw = staff.make("zhangwei")
    sign_in(client, zw, "w1")
    issue(client, "eia")
    issue(client, "eia")
    assert client.get("/api/v1/halls").json()[0]["id"] == HALL
    hall = client.get(f"/api/v1/halls/{HALL}").json()
    assert (hall["id"], hall["name"]) == (HALL, "市生态环境局政务服务大厅")
    cats = {c["code"]: c for c in hall["categories"]}
    assert set(cats["eia"]) >= {"code", "name", "prefix", "waiting", "estimated_wait_s"}
    assert (cats["eia"]["prefix"], cats["eia"]["waiting"], cats["permit"]["waiting"]) == ("A", 2, 0)
    assert cats["eia"]["estimated_wait_s"] > 0
    windows = {w["id"]: w for w in hall["windows"]}
    assert list(windows) == ["w1", "w2", "w3", "w4", "w5", "w6"]
    assert set(windows["w1"]) >= {"id", "name", "categories", "status"}
    assert windows["w1"]["categories"][0] == "eia"
    assert (windows["w1"]["status"], windows["w2"]["status"]) == ("idle", "closed")
    next_(client, zw, "w1")
    hall = client.get(f"/api/v1/halls/{HALL}").json()
    assert {w["id"]: w["status"] for w in hall["windows"]}["w1"] == "serving"
    assert {c["code"]: c["waiting"] for c in hall["categories"]}["eia"] == 1
    assert client.get("/api/v1/halls/nope").status_code == 404


def test_window_taken(client, staff):
    zw, ln = staff.make("zhangwei"), staff.make("lina")
    sign_in(client, zw, "w1")
    r = client.post(f"/api/v1/halls/{HALL}/windows/w1/sign-in", headers=ln)  # B post, but the A post is there
    assert r.status_code == 409 and "error" in r.json()


def test_must_be_signed_in_to_call(client, staff):
    zw = staff.make("zhangwei")
    a1 = issue(client, "eia")
    r = client.post(f"/api/v1/halls/{HALL}/windows/w1/next", headers=zw)
    assert r.status_code == 403 and "error" in r.json()
    sign_in(client, zw, "w1")
    assert client.post(f"/api/v1/halls/{HALL}/windows/w1/sign-out", headers=zw).status_code == 200
    assert client.post(f"/api/v1/halls/{HALL}/windows/w1/next", headers=zw).status_code == 403
    assert track(client, a1)["status"] == "waiting"  # the refused calls changed nothing


def test_no_token(client, staff):
    issue(client, "eia")
    staff.make("zhangwei")
    client.cookies.clear()  # logging in left a session cookie in the test client: send nothing at all
    for path in ("windows/w1/sign-in", "windows/w1/next", "windows/w1/sign-out"):
        r = client.post(f"/api/v1/halls/{HALL}/{path}")
        assert r.status_code == 401 and "error" in r.json()
    r = client.post(f"/api/v1/halls/{HALL}/windows/w1/next", headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code == 401
    assert client.post("/api/v1/tickets/1/recall").status_code == 401


def test_manager_may_act_anywhere(client, staff):
    boss = staff.make("director", role="manager")
    issue(client, "eia")
    sign_in(client, boss, "w3")
    t = next_(client, boss, "w6")  # not signed in at w6, yet a manager may act there
    assert (t["number"], t["window"]) == ("A001", "w6")


# ----- the day turns ----------------------------------------------------------------------


def test_a_new_day_starts_with_an_empty_queue(client, clock, staff):
    """Tickets nobody served yesterday are cancelled at the day's turn, never called today;
    each keeps its history with a day_closed event naming the state it was left in."""
    zw = staff.make("zhangwei")
    sign_in(client, zw, "w1")
    clock.set(at(2026, 11, 23, 16, 50))
    left_waiting = [issue(client, "eia") for _ in range(3)]
    served = next_(client, zw, "w1")  # A001 is at the window when the hall closes
    act(client, zw, served, "start")
    assert client.get(f"/api/v1/halls/{HALL}").json()["categories"][0]["waiting"] == 2

    clock.set(at(2026, 11, 24, 9, 0))
    zw = staff.login("zhangwei")  # yesterday's session (12 hours) has expired
    assert next_(client, zw, "w1") is None  # not yesterday's A002
    hall = client.get(f"/api/v1/halls/{HALL}").json()
    assert {c["code"]: c["waiting"] for c in hall["categories"]}["eia"] == 0
    assert next(w for w in hall["windows"] if w["id"] == "w1")["number"] is None
    for t in left_waiting:
        assert track(client, t)["status"] == "cancelled"

    fresh = issue(client, "eia")
    assert (fresh["number"], fresh["ahead"]) == ("A001", 0)
    assert next_(client, zw, "w1")["id"] == fresh["id"]
    db = client.app.state.runtime.db
    log = client.portal.call(db.read, tickets_store.events, served["id"])
    assert [e["type"] for e in log] == ["issued", "call", "start", "day_closed"]
    assert json.loads(log[-1]["data"]) == {"left": "serving", "day": "2026-11-23"}
