"""One truth for waits (issue 12, points 2–5) through the API with an injected clock: the
kiosk's tile says what a ticket taken then gets (ahead, seconds, minutes, words), as do the
ticket's answer, the phone's tracking answer, the hall answer, the console and the slip; when no
window serves a category, every one of them says so and when service resumes; a category at its
daily cap is shown full before the tap."""
from __future__ import annotations

import pytest
from support.clock import at
from support.halls import HALL, printers_toml
from support.kiosk import driver

from onewindow.printer import decode

WAIT_KEYS = ("ahead", "estimated_wait_s", "estimated_wait_min", "wait_text", "serving_now", "resumes_at")


def tiles(client) -> dict[str, dict]:
    r = client.get(f"/api/v1/halls/{HALL}/kiosk?kiosk=door")
    assert r.status_code == 200, r.text
    return {c["code"]: c for c in r.json()["categories"]}


def issue(client, category: str) -> dict:
    r = client.post(f"/api/v1/halls/{HALL}/tickets", json={"category": category, "kiosk": "door"})
    assert r.status_code == 201, r.text
    return r.json()


def track(client, t: dict) -> dict:
    r = client.get(f"/api/v1/tickets/{t['id']}", params={"token": t["track_token"]})
    assert r.status_code == 200, r.text
    return r.json()


def waits(d: dict) -> dict:
    return {k: d[k] for k in WAIT_KEYS}


def slip_lines(client, n: int) -> list[str]:
    """The text of the door printer's n-th job, decoded from the bytes it got (native mode)."""
    return [line.text for line in decode(driver(client).jobs[n]).lines]


@pytest.fixture
def native(kiosk_client):
    """The demo hall whose door printer prints text (so the slip's bytes decode to its lines)."""
    return lambda **kw: kiosk_client(printers_toml(width=576, mode="native"), **kw)


def test_the_tile_says_what_a_ticket_taken_then_gets(native, clerks, clock):
    client = native()
    c = clerks(client)
    zw, _ = c.at("w1"), c.at("w2")
    for cat in ("eia", "permit", "consult", "consult", "eia"):
        issue(client, cat)
    # window 1 busy, window 2 idle; five waiting across the pool every window serves
    assert client.post(f"/api/v1/halls/{HALL}/windows/w1/next", headers=zw).status_code == 200
    jobs = len(driver(client).jobs)
    for n, cat in enumerate(("eia", "consult", "assist")):
        tile = tiles(client)[cat]
        # the tile counts the people a ticket taken now has ahead (the pool), not the category alone
        assert tile["ahead"] == 4 + n and tile["waiting"] != tile["ahead"]
        t = issue(client, cat)
        assert waits(t) == waits(tile), cat
        assert t["serving_now"] and t["resumes_at"] is None
        assert waits(track(client, t)) == waits(t)
        hall = {x["code"]: x for x in client.get(f"/api/v1/halls/{HALL}").json()["categories"]}
        # the hall answer now tells of the next ticket after this one: the same rule, one more ahead
        assert hall[cat]["ahead"] == t["ahead"] + 1
        assert waits(tiles(client)[cat]) == waits(hall[cat])
        # the slip prints the answer's words
        zh, en = t["wait_text"]["zh"], t["wait_text"]["en"]
        assert t["estimated_wait_min"] >= 1 and zh == f"约 {t['estimated_wait_min']} 分钟"
        lines = slip_lines(client, jobs + n)
        assert f"预计等候 {zh}" in lines and f"Estimated wait: {en}" in lines, lines
    # the console shows the same figure for its categories as the kiosk's tile
    desk = client.get(f"/api/v1/halls/{HALL}/windows/w2/console", headers=c.at("w2")).json()
    now = tiles(client)
    for w in desk["waiting"]:
        assert w["wait_text"] == now[w["code"]]["wait_text"], w["code"]


def test_nobody_serving_says_so_and_when_service_resumes(native, clerks, clock):
    client = native()
    c = clerks(client)
    # 10:00, nobody signed in, nobody away: no window serves, and nothing says when one will
    tile = tiles(client)["eia"]
    assert (tile["serving_now"], tile["resumes_at"]) == (False, None)
    assert tile["wait_text"] == {"zh": "暂无窗口服务", "en": "No window serving now"}
    t = issue(client, "eia")
    assert waits(t) == waits(tile)
    assert "暂无窗口服务" in slip_lines(client, 0)

    # 15:00: window 1's clerk is away until 16:30, every other window closed
    clock.set(at(2026, 11, 23, 15, 0))
    zw = c.at("w1")
    r = client.post(f"{'/api/v1/halls/' + HALL}/windows/w1/away", headers=zw,
                    json={"reason": "meeting", "back_at": "16:30"})
    assert r.status_code == 200, r.text
    tile = tiles(client)["permit"]
    assert tile["serving_now"] is False and tile["resumes_at"] == "2026-11-23T16:30:00+08:00"
    assert tile["wait_text"] == {"zh": "暂无窗口服务，16:30 恢复", "en": "No window serving now; resumes at 16:30"}
    assert tile["estimated_wait_s"] >= 90 * 60  # the wait counts from 16:30, not from a made-up window
    t = issue(client, "permit")
    assert waits(t) == waits(tile)
    assert waits(track(client, t)) == {**waits(t), "ahead": t["ahead"]}
    lines = slip_lines(client, 1)
    assert "暂无窗口服务，16:30 恢复" in lines and "No window serving now; resumes at 16:30" in lines, lines
    assert not any(x.startswith("预计等候") for x in lines), lines

    # he is back: a wait again, and the tile still agrees with the ticket
    assert client.post(f"/api/v1/halls/{HALL}/windows/w1/back", headers=zw).status_code == 200
    tile = tiles(client)["permit"]
    assert tile["serving_now"] is True and tile["resumes_at"] is None
    assert waits(issue(client, "permit")) == waits(tile)


@pytest.mark.parametrize("moment, resumes", [
    ((8, 50), "09:00"),  # before opening (tickets from 08:45)
    ((12, 0), "13:30"),  # lunch, and nobody of the rota in
])
def test_nobody_serving_before_opening_or_at_lunch(kiosk_client, clock, moment, resumes):
    clock.set(at(2026, 11, 23, *moment))
    client = kiosk_client(printers_toml(), enforce_hours=True)
    tile = tiles(client)["consult"]
    assert tile["open"] and tile["serving_now"] is False
    assert tile["resumes_at"] == f"2026-11-23T{resumes}:00+08:00"
    assert tile["wait_text"]["zh"] == f"暂无窗口服务，{resumes} 恢复"
    t = issue(client, "consult")
    assert waits(t) == waits(tile)


def test_a_full_category_is_shown_full_before_the_tap(kiosk_client, clock):
    client = kiosk_client(printers_toml(),
                          replace={"default_service_min = 15\n": "default_service_min = 15\ndaily_cap = 2\n"})
    assert tiles(client)["eia"]["state"] == "open" and tiles(client)["eia"]["left"] == 2
    issue(client, "eia")
    assert (tiles(client)["eia"]["state"], tiles(client)["eia"]["left"]) == ("open", 1)
    issue(client, "eia")
    eia = tiles(client)["eia"]
    assert (eia["state"], eia["open"], eia["left"]) == ("full", False, 0)
    assert "今日" in eia["closed_reason"] and "today" in eia["closed_reason"]
    assert tiles(client)["permit"]["state"] == "open"  # uncapped categories stay open
    r = client.post(f"/api/v1/halls/{HALL}/tickets", json={"category": "eia", "kiosk": "door"})
    assert r.status_code == 409 and r.json()["code"] == "daily_cap"  # the tap would have been refused
    # the next service day the cap starts afresh
    clock.set(at(2026, 11, 24, 10, 0))
    assert tiles(client)["eia"]["state"] == "open"


def test_a_category_whose_own_hours_ended_is_shown_closed_with_why(kiosk_client, clock):
    clock.set(at(2026, 11, 23, 15, 0))
    morning_only = {"default_service_min = 15\n": 'default_service_min = 15\nticketing_until = "12:00"\n'}
    client = kiosk_client(printers_toml(), enforce_hours=True, replace=morning_only)
    eia = tiles(client)["eia"]
    assert (eia["state"], eia["open"]) == ("closed", False) and eia["closed_reason"]


def test_on_a_day_off_service_resumes_on_the_next_day_the_hall_opens(native, clock):
    clock.set(at(2026, 11, 28, 8, 0))  # a Saturday; the demo hall takes tickets at any hour
    client = native()
    tile = tiles(client)["consult"]
    assert (tile["serving_now"], tile["resumes_at"]) == (False, "2026-11-30T09:00:00+08:00")  # not today's 09:00
    assert tile["wait_text"]["zh"] == "暂无窗口服务，11月30日（周一）09:00 恢复"
    assert waits(issue(client, "consult")) == waits(tile)
    assert "暂无窗口服务，11月30日（周一）09:00 恢复" in slip_lines(client, 0)  # the slip says the day too
