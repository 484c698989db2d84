"""A day at the hall through the API: A/B cover, the coverage alert, the
check before an away, transfers, post changes by a manager, the lunch rota.

Window 1 serves only eia (A zhangwei, B lina) and window 2 only permit
(A lina, B zhangwei), so whose categories are whose is plain."""
from __future__ import annotations

import contextlib

import pytest
from support.accounts import Staff
from support.clock import at
from support.console import HALL, H, coverage_alert, split_replace
from support.halls import demo_text
from support.wait import wait_until


def numbers(tickets):
    return [t["number"] for t in tickets]


# ----- A steps away: B covers ---------------------------------------------------------------


def test_b_calls_a_visitors_in_priority_then_arrival_order(desk, clock):
    desk.sign_in("zhangwei", "w1")
    desk.sign_in("lina", "w2")
    a1 = desk.issue("eia")
    clock.advance(30)
    b1 = desk.issue("permit")
    clock.advance(30)
    a2 = desk.issue("eia")
    clock.advance(30)
    a3 = desk.issue("eia", "priority")
    assert numbers([a1, b1, a2, a3]) == ["A001", "B001", "A002", "A003"]
    # lina's window serves permit only while zhangwei is at his
    t = desk.next("lina", "w2")
    assert t["number"] == "B001"
    desk.act("lina", t, "complete")
    desk.away("zhangwei", "w1", "meeting", back_at="11:00", see_instead="w2")
    # B's next serves A's categories too: the priority ticket first, then by arrival
    called = []
    while (t := desk.next("lina", "w2")) is not None:
        assert (t["window"], t["clerk"]) == ("w2", "lina")
        called.append(t["number"])
        desk.act("lina", t, "complete")
    assert called == ["A003", "A001", "A002"]


def test_a_visitors_keep_their_places_while_b_covers(desk, clock):
    desk.sign_in("zhangwei", "w1")
    desk.sign_in("lina", "w2")
    a1 = desk.issue("eia")
    clock.advance(60)
    b1 = desk.issue("permit")
    clock.advance(60)
    # zhangwei serves A001, who steps aside to fetch a document: parked at window 1
    t = desk.next("zhangwei", "w1")
    assert t["number"] == a1["number"]
    desk.act("zhangwei", t, "park", note="取材料")
    desk.act("zhangwei", t, "resume")  # back in the queue, directed to window 1
    desk.away("zhangwei", "w1", "back_office")
    # lina covers window 1: its directed visitor keeps the place from before B001
    t = desk.next("lina", "w2")
    assert (t["number"], t["first_clerk"]) == ("A001", "zhangwei")
    desk.act("lina", t, "complete")
    assert desk.next("lina", "w2")["number"] == b1["number"]


def test_a_back_restores_the_normal_profiles(desk, clock):
    desk.sign_in("zhangwei", "w1")
    desk.sign_in("lina", "w2")
    desk.away("zhangwei", "w1", "lunch")
    cov = wait_until(lambda: (c := desk.coverage("lina"))["covering"] == {"w1": "lina"} and c)
    assert cov["profiles"]["lina"] == {"window": "w2", "categories": ["permit", "eia"], "covers": ["w1"]}
    assert desk.console("lina", "w2")["profile"]["covers"] == ["w1"]
    desk.back("zhangwei", "w1")
    cov = wait_until(lambda: (c := desk.coverage("lina"))["covering"] == {} and c)
    assert cov["profiles"]["lina"]["categories"] == ["permit"]
    desk.issue("eia")
    assert desk.next("lina", "w2") is None
    # lina may no longer act at window 1 either
    r = desk.c.post(f"{H}/windows/w1/next", headers=desk.clerk("lina"))
    assert r.status_code == 403
    assert desk.next("zhangwei", "w1")["number"] == "A001"


def test_b_covers_an_a_signed_out_or_signed_in_elsewhere(desk):
    desk.sign_in("lina", "w2")
    desk.issue("eia")
    # zhangwei never signed in: lina covers window 1 from her own window
    assert desk.next("lina", "w2")["number"] == "A001"
    desk.sign_in("zhangwei", "w1")
    desk.window("zhangwei", "w1", "sign-out")
    desk.issue("eia")
    assert desk.next("lina", "w2")["number"] == "A002"


def test_takeover_b_calls_at_a_window(desk_factory, clock):
    desk = desk_factory(mode="takeover")
    desk.sign_in("zhangwei", "w1")
    desk.sign_in("lina", "w2")
    desk.issue("permit")
    clock.advance(60)
    desk.issue("eia")
    desk.away("zhangwei", "w1", "meeting")
    cov = wait_until(lambda: (c := desk.coverage("lina"))["covering"] == {"w1": "lina"} and c)
    assert cov["profiles"]["lina"] == {"window": "w1", "categories": ["eia", "permit"], "covers": ["w1"]}
    assert desk.console("lina", "w2")["acting_window"] == "w1"
    # at A's window B calls by the window's fifo rule across A's and B's categories, sent to window 1
    t = desk.next("lina", "w1")
    assert (t["number"], t["window"], t["clerk"]) == ("B001", "w1", "lina")
    desk.act("lina", t, "complete")
    t = desk.next("lina", "w1")
    assert (t["number"], t["window"]) == ("A001", "w1")
    desk.act("lina", t, "complete")
    # at her own window B serves only her own categories
    desk.issue("eia")
    assert desk.next("lina", "w2") is None


# ----- the invariant: alert, estimate, supervision log --------------------------------------


def test_both_away_raises_the_alert_and_back_clears_it(desk, clock):
    desk.sign_in("zhangwei", "w1")
    desk.sign_in("lina", "w2")
    desk.issue("eia")
    desk.issue("permit")
    assert desk.serving()["eia"] is True
    with contextlib.ExitStack() as stack:
        console = desk.socket(stack, f"/ws/halls/{HALL}/console", "lina")
        display = desk.socket(stack, f"/ws/halls/{HALL}/display")
        assert console.next()["type"] == "snapshot" and display.next()["type"] == "snapshot"
        desk.away("zhangwei", "w1", "meeting")
        # lina covers: B is told at once, and nothing is uncovered
        console.until(lambda m: m["type"] == "coverage" and m["covering"] == {"w1": "lina"})
        desk.away("lina", "w2", "back_office")
        alert = console.until(coverage_alert("red"))
        assert alert["categories"] == ["eia", "permit"]
        assert alert["could_cover"] == {"eia": ["zhangwei", "lina"], "permit": ["lina", "zhangwei"]}  # A first
        assert set(alert["clerks"]) == {"zhangwei", "lina"}
        assert "环评审批" in alert["message"] and "EIA approval" in alert["message"]
        # the call screens are public: staff alerts stay off them (issue 13, point 9)
        desk.issue("permit")
        display.until(lambda m: m["type"] == "queue")  # a public event after the alert
        assert [m for m in display.skipped if m["type"] == "alert"] == []
        # the kiosk says nobody serves an uncovered category (issue 12, point 3), no made-up wait
        assert desk.serving()["eia"] is False
        issued = desk.issue("eia")
        assert issued["serving_now"] is False and issued["wait_text"]["zh"].startswith("暂无窗口服务")
        # the manager's dashboard reads it from the supervision log (written just after the alert goes out)
        boss = desk.clerk("boss", "manager")

        def logged() -> set[str]:
            alerts = desk.c.get(f"{H}/alerts", headers=boss).json()
            return {a["categories"][0] for a in alerts if a["kind"] == "coverage"}

        wait_until(lambda: logged() == {"eia", "permit"}, what="both categories in the supervision log")
        # zhangwei back: he serves eia and covers lina's window (his B post), so all is served
        desk.back("zhangwei", "w1")
        clear = console.until(coverage_alert())
        assert (clear["level"], clear["categories"]) == ("green", [])
        desk.issue("permit")
        display.until(lambda m: m["type"] == "queue")
        assert [m for m in display.skipped if m["type"] == "alert"] == []
    assert desk.coverage("lina")["uncovered"] == []
    # the same two waiting, now served: an estimate again
    assert desk.serving()["eia"] is True and desk.estimates()["eia"] > 0
    wait_until(lambda: logged() == set(), what="the coverage alerts settled in the supervision log")


def test_a_new_ticket_of_a_category_nobody_serves_raises_the_alert(desk):
    desk.sign_in("zhangwei", "w1")  # window 1 serves eia; he is also window 2's B post, and lina is out
    with contextlib.ExitStack() as stack:
        console = desk.socket(stack, f"/ws/halls/{HALL}/console", "zhangwei")
        console.next()
        desk.issue("eia")
        desk.issue("permit")  # served: zhangwei covers window 2
        desk.issue("consult")  # windows 3-6 serve it, and nobody is signed in there
        # The watch handles the hall's events in order: an alert for eia or permit would come
        # before (or with) this one.
        alert = console.until(coverage_alert("red"))
        assert not [m for m in console.skipped if coverage_alert()(m)], "eia and permit are served"
        assert alert["categories"] == ["consult"]
        assert alert["could_cover"] == {"consult": []}  # nobody holding a post there is signed in


def test_no_warning_outside_opening_hours(desk_factory, clock):
    desk = desk_factory(enforce_hours=True)
    clock.set(at(2026, 11, 23, 16, 30))
    desk.sign_in("zhangwei", "w1")
    desk.issue("eia")
    assert desk.check("zhangwei", "w1", "away")
    clock.set(at(2026, 11, 23, 17, 30))
    assert desk.check("zhangwei", "w1", "away") == []


# ----- warn before confirming ----------------------------------------------------------------


def test_check_warns_before_an_away_or_sign_out_that_uncovers(desk):
    desk.sign_in("zhangwei", "w1")
    desk.issue("eia")
    desk.issue("eia")
    for action in ("away", "sign-out"):
        v = desk.check("zhangwei", "w1", action)
        assert v == [{"category": "eia", "name": "环评审批", "name_en": "EIA approval", "waiting": 2,
                      "could_cover": ["zhangwei"] if action == "away" else []}]
    # with lina in, she covers window 1: no warning
    desk.sign_in("lina", "w2")
    assert desk.check("zhangwei", "w1", "away") == []
    # nothing changed by checking (the coverage watch takes lina's sign-in in the background)
    wait_until(lambda: desk.coverage("zhangwei")["covering"] == {}, what="nobody covering once lina is in")
    # nobody waiting for permit: lina may step away without a warning
    assert desk.check("lina", "w2", "away") == []
    desk.issue("permit")
    assert [v["category"] for v in desk.check("lina", "w2", "away")] == []  # zhangwei covers window 2
    desk.away("zhangwei", "w1")
    assert [v["category"] for v in desk.check("lina", "w2", "away")] == ["eia", "permit"]
    desk.c.cookies.clear()
    r = desk.c.post(f"{H}/windows/w1/check", json={"action": "away"})
    assert r.status_code == 401
    r = desk.c.post(f"{H}/windows/w1/check", headers=desk.clerk("lina"), json={"action": "lunch"})
    assert r.status_code == 422


# ----- first-inquiry responsibility: transfers -------------------------------------------------


def test_transfer_keeps_the_place_and_the_first_clerk(desk, clock):
    desk.sign_in("zhangwei", "w1")
    desk.sign_in("lina", "w2")
    a1 = desk.issue("eia")
    clock.advance(60)
    desk.issue("permit")
    clock.advance(60)
    desk.issue("permit")
    t = desk.next("zhangwei", "w1")
    assert t["number"] == a1["number"]
    desk.act("zhangwei", t, "start")
    moved = desk.act("zhangwei", t, "transfer", category="permit", note="属排污许可业务")
    assert (moved["status"], moved["category"], moved["origin_category"]) == ("waiting", "permit", "eia")
    # lina's next takes the transferred visitor before both permit tickets: they came earlier
    t = desk.next("lina", "w2")
    assert (t["number"], t["first_clerk"], t["clerk"]) == ("A001", "zhangwei", "lina")
    assert (t["origin_category"], t["note"]) == ("eia", "属排污许可业务")
    console = desk.console("lina", "w2")
    assert console["current"]["number"] == "A001" and console["current"]["first_clerk"] == "zhangwei"
    done = desk.act("lina", t, "complete")
    assert (done["status"], done["first_clerk"]) == ("done", "zhangwei")
    # transferred to a window: only that window (or its cover) calls it
    t = desk.next("lina", "w2")
    moved = desk.act("lina", t, "transfer", window="w1")
    assert desk.next("zhangwei", "w1")["number"] == t["number"]


# ----- posts changed by a manager --------------------------------------------------------------


def test_posts_change_by_a_manager(desk):
    boss = desk.clerk("director", "manager")
    for name in ("zhangwei", "lina", "wangfang"):
        desk.clerk(name)
    desk.sign_in("lina", "w2")
    desk.issue("eia")
    # lina covers window 1 (its A is out); taking her B post would leave eia uncovered
    body = {"a_clerk": "zhangwei", "b_clerk": "wangfang"}
    r = desk.c.put(f"{H}/windows/w1/posts", headers=desk.clerk("lina"), json=body)
    assert r.status_code == 403
    r = desk.c.put(f"{H}/windows/w1/posts", headers=boss, json={**body, "dry_run": True})
    assert r.status_code == 200
    assert [v["category"] for v in r.json()["violations"]] == ["eia"]
    assert desk.check("director", "w1", "posts", **body)[0]["category"] == "eia"
    assert desk.coverage("lina")["covering"] == {"w1": "lina"}  # the dry run changed nothing
    for bad in ({"a_clerk": "nobody1", "b_clerk": None}, {"a_clerk": "lina", "b_clerk": "lina"},
                {"a_clerk": "Not A Name"}):
        assert desk.c.put(f"{H}/windows/w1/posts", headers=boss, json=bad).status_code == 422
    with contextlib.ExitStack() as stack:
        console = desk.socket(stack, f"/ws/halls/{HALL}/console", "lina")
        console.next()
        r = desk.c.put(f"{H}/windows/w1/posts", headers=boss, json=body)
        assert r.status_code == 200, r.text
        w = r.json()["window"]
        assert (w["a_clerk"], w["b_clerk"]) == ("zhangwei", "wangfang")
        assert console.until(lambda m: m["type"] == "posts")["window"] == "w1"
        assert console.until(coverage_alert("red"))["categories"] == ["eia"]
    # lina no longer covers window 1; wangfang (its new B) may sign in there
    assert desk.next("lina", "w2") is None
    assert desk.c.post(f"{H}/windows/w1/next", headers=desk.clerk("lina")).status_code == 403
    desk.sign_in("wangfang", "w1")
    assert desk.next("wangfang", "w1")["number"] == "A001"
    # audited
    rt = desk.c.app.state.runtime
    rows = desk.c.portal.call(rt.db.read, lambda tx: [dict(r) for r in tx.all(
        "SELECT actor, action, data FROM audit_log WHERE action = 'set_posts'")])
    assert [(r["actor"], r["action"]) for r in rows] == [("director", "set_posts")]
    assert '"before": {"a_clerk": "zhangwei", "b_clerk": "lina"}' in rows[0]["data"]


# ----- clerk tools --------------------------------------------------------------------------------


def test_console_figures_and_late_visitor_by_number(desk, clock):
    desk.sign_in("zhangwei", "w1")
    desk.issue("eia")
    clock.advance(120)
    desk.issue("eia")
    clock.advance(60)
    c = desk.console("zhangwei", "w1")
    assert c["acting_window"] == "w1" and c["may_act"] and c["current"] is None
    assert c["waiting"][0].items() >= {"code": "eia", "name": "环评审批", "name_en": "EIA approval", "prefix": "A",
                                       "waiting": 2, "longest_wait_s": 180}.items()
    # lina is out, so zhangwei covers her window 2 (permit) as its B post: merged after his own
    assert [w["code"] for w in c["waiting"]] == ["eia", "permit"] and c["profile"]["covers"] == ["w2"]
    assert c["longest_wait_s"] == 180
    t = desk.next("zhangwei", "w1")
    desk.act("zhangwei", t, "start")
    clock.advance(300)
    desk.act("zhangwei", t, "complete")
    t = desk.next("zhangwei", "w1")
    assert desk.console("zhangwei", "w1")["current"]["number"] == "A002"
    desk.act("zhangwei", t, "no-show")
    c = desk.console("zhangwei", "w1")
    assert c["stats"]["served"] == 1 and c["stats"]["average_service_s"] == 300
    assert c["current"] is None
    # the late visitor turns up: found and put back by number
    got = desk.c.get(f"{H}/tickets/by-number/a002", headers=desk.clerk("zhangwei")).json()
    assert (got["number"], got["status"]) == ("A002", "no_show")
    r = desk.c.post(f"{H}/tickets/by-number/A002/reactivate", headers=desk.clerk("zhangwei"))
    assert r.status_code == 200 and r.json()["status"] == "waiting"
    assert desk.c.get(f"{H}/tickets/by-number/Z999", headers=desk.clerk("zhangwei")).status_code == 404
    assert desk.next("zhangwei", "w1")["number"] == "A002"
    me = desk.c.get(f"{H}/me", headers=desk.clerk("zhangwei")).json()
    assert me["signed_in_at"] == "w1"
    assert [(p["window"], p["post"]) for p in me["posts"]] == [("w1", "A"), ("w2", "B")]


# ----- the lunch rota ---------------------------------------------------------------------------

ROTA = [
    {"clerk": "zhangwei", "covers": ["w1", "w2"], "start": "11:30", "end": "12:30"},
    {"clerk": "lina", "covers": ["w2"], "start": "12:30", "end": "13:30"},
]


def rota_config(demo_config, rota: list[dict], lunch: tuple[str, str] = ("11:30", "13:30")):
    """The split demo hall with its own lunch span and rota instead of the bundled ones."""
    from onewindow.server.config import Config

    hall = demo_config(replace=split_replace()).halls[0].model_dump()
    hall["rota"] = rota
    hall["hours"] = {**hall["hours"], "lunch_from": lunch[0], "lunch_until": lunch[1]}
    return Config.model_validate({"halls": [hall]})


def test_the_demo_rota_has_no_gaps(client, staff):
    rota = client.get(f"{H}/rota", headers=staff.make("lina")).json()
    assert rota["lunch"] == {"from": "11:30", "until": "13:30"} and len(rota["lines"]) == 6
    assert rota["gaps"] == []


def test_rota_gaps_are_reported(make_client, database_url, demo_config):
    client = make_client(rota_config(demo_config, ROTA), database_url=database_url)
    staff = Staff(client)
    clerk = staff.make("zhangwei")
    r = client.get(f"{H}/rota", headers=clerk)
    assert r.status_code == 200
    rota = r.json()
    assert rota["lunch"] == {"from": "11:30", "until": "13:30"}
    assert rota["lines"][1] == {"clerk": "lina", "covers": ["w2"], "start": "12:30", "end": "13:30"}
    # 12:30-13:30 only window 2 (permit) is on duty; windows 1 and 2 never serve the other categories
    gaps = {(g["category"], g["start"], g["end"]) for g in rota["gaps"]}
    assert ("eia", "12:30", "13:30") in gaps and not [g for g in gaps if g[0] == "permit"]
    assert {g[0] for g in gaps} == {"eia", "acceptance", "hazwaste", "complaint", "consult", "assist"}
    assert ("consult", "11:30", "13:30") in gaps  # maximal: one gap over the whole lunch
    # logged for the manager at start
    alerts = client.get(f"{H}/alerts", headers=clerk).json()
    assert {a["categories"][0] for a in alerts if a["kind"] == "rota_gap"} == {g[0] for g in gaps}
    client.cookies.clear()
    assert client.get(f"{H}/rota").status_code == 401


def test_rota_span_defaults_to_its_lines(demo_config):
    from onewindow.server.services.coverage import rota_report

    cfg = rota_config(demo_config, ROTA)
    hall = cfg.halls[0].model_copy(update={"hours": cfg.halls[0].hours.model_copy(
        update={"lunch_from": None, "lunch_until": None})})
    assert rota_report(hall)["lunch"] == {"from": "11:30", "until": "13:30"}
    assert rota_report(hall.model_copy(update={"rota": ()})) == {"hall": "eco", "lunch": None, "lines": [], "gaps": []}


def test_rota_config_errors():
    from onewindow.server.config import ConfigError, parse_config

    text = demo_text()
    line = '\n[[halls.rota]]\nclerk = "lina"\ncovers = {covers}\nstart = "12:00"\nend = {end}\n'
    with pytest.raises(ConfigError, match="unknown window 'w9'"):
        parse_config(text + line.format(covers='["w1", "w9"]', end='"13:00"'), "hall.toml")
    with pytest.raises(ConfigError, match="end must be after start") as err:
        parse_config(text + line.format(covers='["w1"]', end='"11:00"'), "hall.toml")
    assert err.value.line is not None and err.value.line > 250  # points into the appended line
    with pytest.raises(ConfigError, match="lunch_until must be after lunch_from"):
        parse_config(text.replace('lunch_until = "13:30"', 'lunch_until = "11:00"'), "hall.toml")


def test_b_finishes_a_visitor_at_a_window_after_a_returns(desk):
    desk.sign_in("zhangwei", "w1")
    desk.sign_in("lina", "w2")
    desk.issue("eia")
    desk.away("zhangwei", "w1")
    t = desk.next("lina", "w1")  # B acting right at A's window
    assert (t["window"], t["clerk"]) == ("w1", "lina")
    desk.act("lina", t, "start")
    desk.back("zhangwei", "w1")
    # her cover has ended, but the visitor she serves is still hers to finish
    assert desk.c.post(f"{H}/windows/w1/next", headers=desk.clerk("lina")).status_code == 403
    assert desk.act("lina", t, "complete")["status"] == "done"
    # nobody else's though: wangfang (no post at window 1) may not touch window 1's visitors
    desk.issue("eia")
    t = desk.next("zhangwei", "w1")
    desk.sign_in("wangfang", "w3")
    desk.act("wangfang", t, "no-show", expect=403)
