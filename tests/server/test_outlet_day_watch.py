"""An outlet's opening days through the running server (issue 17, point 1), clock injected: the
coverage watch says "nobody is serving" only while the outlet is open (its opening days on the
working calendar, a Saturday it opens; a van during its published visits), and when no window
serves, the time service resumes skips the days the outlet does not open (a van: its next visit)."""
from __future__ import annotations

import pytest
from support.accounts import Staff
from support.clock import at
from support.halls import demo_text, park_text
from support.mobile import publish_visits, van_text
from support.wait import wait_until

from onewindow.server.config import parse_config
from onewindow.server.services.coverage import in_opening_hours

H = "/api/v1/halls"

# Open Mondays, Wednesdays and Saturdays: Tuesday is a working day it does not open, Saturday a day
# off the calendar on which it does.
PARK = park_text(("mon", "wed", "sat"))


@pytest.fixture
def city(make_client, clock):
    """The demo hall, the park and a van whose visit on Tuesday 11-24 (东山镇 10:00-12:00) and Thursday
    12-03 were published on 2026-11-01; the van's hours are read at the rates loop's next turn."""
    van = van_text("van1").replace("enforce_hours = false", "enforce_hours = true")
    client = make_client(config=parse_config(demo_text() + "\n" + PARK + "\n" + van, "city.toml"))
    admin = Staff(client).admin
    publish_visits(client, admin, clock, "van1", ["2026-11-24"], at(2026, 11, 1, 9), start="10:00", end="12:00")
    publish_visits(client, admin, clock, "van1", ["2026-12-03"], at(2026, 11, 1, 9), start="13:00", end="16:00")
    client.portal.call(client.app.state.runtime.halls["van1"].refresh_rates)
    return client


def uncovered(client, hall: str) -> list[str]:
    return client.app.state.runtime.coverage.current(hall)["uncovered"]


def issue(client, hall: str, category: str) -> None:
    r = client.post(f"{H}/{hall}/tickets", json={"category": category})
    assert r.status_code == 201, r.text


def tile(client, hall: str, category: str) -> dict:
    r = client.get(f"{H}/{hall}")
    assert r.status_code == 200, r.text
    return next(c for c in r.json()["categories"] if c["code"] == category)


def test_opening_hours_of_the_watch_follow_the_outlets_days(city):
    rt = city.app.state.runtime
    park, van = rt.halls["park"], rt.halls["van1"]
    ts = lambda *a: at(*a).timestamp()  # noqa: E731
    assert in_opening_hours(park, ts(2026, 11, 23, 10))  # Monday
    assert not in_opening_hours(park, ts(2026, 11, 24, 10))  # Tuesday: a working day it does not open
    assert in_opening_hours(park, ts(2026, 11, 28, 10))  # Saturday: it opens
    assert not in_opening_hours(park, ts(2026, 10, 3, 10))  # a Saturday of the National Day holiday
    assert in_opening_hours(van, ts(2026, 11, 24, 11))  # during the visit
    assert not in_opening_hours(van, ts(2026, 11, 24, 9, 30))  # before it, on its day
    assert not in_opening_hours(van, ts(2026, 11, 24, 12, 30))  # the van has left
    assert not in_opening_hours(van, ts(2026, 11, 25, 10))  # a working day without a visit


def test_the_watch_warns_on_a_saturday_the_outlet_opens_and_not_the_day_after_it_closes(city, clock):
    clock.set(at(2026, 11, 28, 10))  # Saturday, an opening day of the park
    issue(city, "park", "assist")
    wait_until(lambda: uncovered(city, "park") == ["assist"], what="nobody serving the park on its Saturday")
    clock.set(at(2026, 11, 30, 16))  # Monday: tickets taken, nobody at the window
    issue(city, "park", "assist")
    wait_until(lambda: uncovered(city, "park") == ["assist"], what="nobody serving the park on Monday")
    # Tuesday morning, before the leftovers of Monday are cancelled: the park is closed, nothing to say.
    clock.set(at(2026, 12, 1, 10))
    city.portal.call(city.app.state.runtime.coverage.evaluate, "park")
    assert uncovered(city, "park") == []


def test_the_watch_falls_silent_when_the_van_leaves(city, clock):
    clock.set(at(2026, 11, 24, 11, 30))
    issue(city, "van1", "eia")
    wait_until(lambda: uncovered(city, "van1") == ["eia"], what="nobody serving the van during its visit")
    clock.set(at(2026, 11, 24, 12, 30))  # the same day, the visit over: the hall's own hours do not count
    city.portal.call(city.app.state.runtime.coverage.evaluate, "van1")
    assert uncovered(city, "van1") == []


@pytest.mark.parametrize("now, resumes, zh", [
    (at(2026, 11, 25, 18), "2026-11-28T09:00:00+08:00", "11月28日（周六）09:00 恢复"),  # Wednesday evening
    (at(2026, 11, 24, 8), "2026-11-25T09:00:00+08:00", "11月25日（周三）09:00 恢复"),  # closed Tuesday
    (at(2026, 11, 28, 17, 30), "2026-11-30T09:00:00+08:00", "11月30日（周一）09:00 恢复"),  # Saturday evening
    (at(2026, 11, 23, 8), "2026-11-23T09:00:00+08:00", "暂无窗口服务，09:00 恢复"),  # before opening today
])
def test_service_resumes_on_the_next_day_the_outlet_opens(city, clock, now, resumes, zh):
    clock.set(now)
    t = tile(city, "park", "assist")
    assert (t["serving_now"], t["resumes_at"]) == (False, resumes)
    assert t["wait_text"]["zh"].endswith(zh)


def test_a_van_resumes_at_its_next_visit(city, clock):
    clock.set(at(2026, 11, 23, 10))  # Monday, no visit: Tuesday's at 10:00
    t = tile(city, "van1", "eia")
    assert t["resumes_at"] == "2026-11-24T10:00:00+08:00"
    assert t["wait_text"]["en"] == "No window serving now; resumes Tue 24 Nov at 10:00"
    clock.set(at(2026, 11, 24, 12, 30))  # after the visit: the next one, nine days on
    assert tile(city, "van1", "eia")["resumes_at"] == "2026-12-03T13:00:00+08:00"
