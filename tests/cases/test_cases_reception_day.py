"""Category hours by weekday (issue 15, point 13): the leader's reception day
(004: every Tuesday) is a category open only in its sessions; the kiosk shows
it closed with when it opens, and neither the kiosk nor a remote ticket gets
one outside them."""
from __future__ import annotations

from datetime import datetime, time

import pytest
from support.clock import SHANGHAI, at
from support.halls import HALL, demo_text

from onewindow.server.config import ConfigError, parse_config
from onewindow.tickets.hours import Session, session_closed

ASSIST = 'items = ["general_matter", "complex_matter"]'
RECEPTION = ASSIST + '''
# 领导接待日: every Tuesday morning (004)
[[halls.categories.sessions]]
weekdays = ["tue"]
start = "09:00"
end = "12:00"
'''


def test_the_pure_rule():
    tuesday_morning = Session(frozenset({1}), time(9), time(12))
    local = datetime(2026, 11, 24, 10, tzinfo=SHANGHAI)  # a Tuesday
    assert session_closed(local, [tuesday_morning], "领导接待", "Leader reception") is None
    why = session_closed(local.replace(hour=12), [tuesday_morning], "领导接待", "Leader reception")
    assert why == "领导接待 取号时间：每周二 09:00–12:00 / Leader reception: tickets on Tue 09:00–12:00"
    assert session_closed(local.replace(day=23), [tuesday_morning], "领导接待", "x") is not None  # Monday
    assert session_closed(local.replace(day=23), [], "领导接待", "x") is None  # no sessions: open


def test_weekdays_are_checked_in_the_config():
    with pytest.raises(ConfigError) as err:
        parse_config(demo_text().replace(ASSIST, RECEPTION.replace('"tue"', '"tuesday"')), "hall.toml")
    assert "sessions.0.weekdays" in err.value.field and err.value.line is not None
    with pytest.raises(ConfigError, match="end must be after start"):
        parse_config(demo_text().replace(ASSIST, RECEPTION.replace('end = "12:00"', 'end = "08:00"')), "hall.toml")


@pytest.fixture
def reception(make_hall, demo_config):
    return lambda **kw: make_hall(demo_config(enforce_hours=True, replace={ASSIST: RECEPTION}), **kw)


def kiosk_state(hall, category: str) -> dict:
    r = hall.client.get(f"/api/v1/halls/{HALL}/kiosk")
    assert r.status_code == 200, r.text
    return next(c for c in r.json()["categories"] if c["code"] == category)


def take(hall, category: str) -> tuple[int, dict]:
    r = hall.client.post(f"/api/v1/halls/{HALL}/tickets", json={"category": category})
    return r.status_code, r.json()


def test_the_kiosk_issues_only_on_the_reception_day(reception, clock):
    hall = reception()  # Monday 2026-11-23 10:00
    state = kiosk_state(hall, "assist")
    assert state["state"] == "closed" and "每周二 09:00–12:00" in state["closed_reason"]
    status, body = take(hall, "assist")
    assert (status, body["code"]) == (409, "category_closed")
    assert take(hall, "eia")[0] == 201  # the other categories keep the hall's hours
    clock.set(at(2026, 11, 24, 9, 0))  # Tuesday
    assert kiosk_state(hall, "assist")["state"] == "open"
    assert take(hall, "assist")[0] == 201
    clock.set(at(2026, 11, 24, 12, 0))
    assert take(hall, "assist")[0] == 409


def test_remote_tickets_respect_it_too(reception, clock):
    hall = reception(paired=False)  # a phone: no paired kiosk
    status, body = take(hall, "assist")
    assert (status, body["code"]) == (409, "category_closed")
    clock.set(at(2026, 11, 24, 11, 59))
    assert take(hall, "assist")[0] == 201
