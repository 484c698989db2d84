"""An outlet issues tickets only on the days it opens (issue 17 point 1, issue 18 point 1): a fixed
outlet on its opening days (not a working day it does not open; yes an ordinary Saturday it does
open), a mobile outlet during its published visits (not a day without one, not a cancelled one, not
outside the visit's hours, not a category the visit does not offer). The kiosk shows why; the kiosk
and a remote ticket are refused with 409 hall_closed / category_closed. Clock injected."""
from __future__ import annotations

import pytest
from support.accounts import Staff
from support.clock import at
from support.halls import demo_text, park_text
from support.mobile import publish_visits, van_text

from onewindow.server.config import parse_config

H = "/api/v1/halls"
REMOTE = {"X-Device-Token": ""}  # no device: a remote ticket (the client is otherwise a paired kiosk)

PARK = park_text(("tue", "sat"))


@pytest.fixture
def city(make_client, clock):
    van = van_text("van1").replace("enforce_hours = false", "enforce_hours = true")
    client = make_client(config=parse_config(demo_text() + "\n" + PARK + "\n" + van, "city.toml"))
    admin = Staff(client).admin
    # Published on 2026-11-01: Tuesday 11-24 in 东山镇 09:00-12:00 (eia and consult only), Thursday 11-26
    # in 西岭乡, Friday 11-27 in 东山镇 (cancelled below). Nothing on Wednesday 11-25.
    publish_visits(client, admin, clock, "van1", ["2026-11-24"], at(2026, 11, 1, 9), end="12:00")
    publish_visits(client, admin, clock, "van1", ["2026-11-26"], at(2026, 11, 1, 9), town="西岭乡")
    [gone] = publish_visits(client, admin, clock, "van1", ["2026-11-27"], at(2026, 11, 1, 9))
    clock.set(at(2026, 11, 2, 9))
    r = client.delete(f"{H}/van1/visits/{gone['id']}", headers=admin)
    assert r.status_code == 200 and r.json()["status"] == "cancelled", r.text
    return client


def kiosk(city, hall: str) -> dict:
    r = city.get(f"{H}/{hall}/kiosk")
    assert r.status_code == 200, r.text
    return r.json()


def ticket(city, hall: str, category: str, remote: bool = False):
    return city.post(f"{H}/{hall}/tickets", json={"category": category}, headers=REMOTE if remote else None)


def refused(city, hall: str, category: str, code: str) -> str:
    """Both the kiosk and a remote ticket are refused with `code`; the message (Chinese / English)."""
    out = []
    for remote in (False, True):
        r = ticket(city, hall, category, remote)
        assert r.status_code == 409 and r.json()["code"] == code, (remote, r.text)
        out.append(r.json()["error"])
    assert out[0] == out[1]
    return out[0]


def test_a_fixed_outlet_issues_on_its_opening_days_only(city, clock):
    clock.set(at(2026, 11, 23, 10))  # Monday: a working day the park does not open
    why = refused(city, "park", "assist", "hall_closed")
    assert why == "本网点今天不开放（每周二、六开放） / This outlet does not open today (open Tue, Sat)"
    k = kiosk(city, "park")
    assert k["open"] is False and k["closed_reason"] == why
    assert [(c["state"], c["closed_reason"]) for c in k["categories"]] == [("closed", why)]
    clock.set(at(2026, 11, 24, 10))  # Tuesday
    assert ticket(city, "park", "assist").status_code == 201
    assert ticket(city, "park", "assist", remote=True).status_code == 201
    assert kiosk(city, "park")["categories"][0]["state"] == "open"
    clock.set(at(2026, 11, 28, 10))  # an ordinary Saturday (no working day): the park opens on Saturdays
    assert ticket(city, "park", "assist").status_code == 201, "a Saturday outlet issues on Saturday"
    clock.set(at(2026, 11, 28, 17))  # its hours still hold
    assert refused(city, "park", "assist", "hall_closed").startswith("取号时间 09:00–17:00")
    clock.set(at(2026, 10, 3, 10))  # a Saturday in the National Day holiday
    assert refused(city, "park", "assist", "hall_closed") == "今天不办公 / The hall is closed today"


def test_a_mobile_outlet_issues_during_its_published_visits_only(city, clock):
    clock.set(at(2026, 11, 25, 10))  # Wednesday, a working day: no visit published
    why = refused(city, "van1", "eia", "hall_closed")
    assert why == "流动服务车今天没有已公布的服务安排 / The mobile outlet has no published visit today"
    k = kiosk(city, "van1")
    assert k["open"] is False and {(c["state"], c["closed_reason"]) for c in k["categories"]} == {("closed", why)}

    clock.set(at(2026, 11, 24, 10))  # Tuesday: in 东山镇 09:00-12:00, eia and consult
    assert ticket(city, "van1", "eia").status_code == 201
    assert ticket(city, "van1", "consult", remote=True).status_code == 201
    k = kiosk(city, "van1")
    states = {c["code"]: (c["state"], c["closed_reason"]) for c in k["categories"]}
    assert k["open"] is True and states["eia"] == ("open", None)
    # A category the visit does not offer: closed, with why.
    offered = "今天的流动服务不办理排污许可 / Pollution discharge permit is not offered on today's visit"
    assert states["permit"] == ("closed", offered), states["permit"]
    assert refused(city, "van1", "permit", "category_closed") == offered

    clock.set(at(2026, 11, 24, 12))  # the van has left 东山镇
    assert refused(city, "van1", "eia", "hall_closed") == ("流动服务今天：东山镇 09:00–12:00 / "
                                                           "Today's visits: 东山镇 09:00–12:00")
    clock.set(at(2026, 11, 26, 16))  # Thursday in 西岭乡 09:00-17:00
    assert ticket(city, "van1", "eia").status_code == 201
    clock.set(at(2026, 11, 27, 10))  # Friday: that visit was cancelled
    assert refused(city, "van1", "eia", "hall_closed").startswith("流动服务车今天没有已公布的服务安排")
    clock.set(at(2026, 11, 28, 10))  # a Saturday without a visit
    assert refused(city, "van1", "eia", "hall_closed").startswith("流动服务车今天没有")


def test_enforce_hours_off_still_takes_tickets_any_day(make_client, clock):
    """The demo's switch (take tickets at any hour so it can be tried) covers opening days too."""
    city = make_client(config=parse_config(demo_text() + "\n" + park_text(("tue", "sat"), enforce_hours=False),
                                           "c.toml"))
    clock.set(at(2026, 11, 23, 10))  # Monday: not an opening day of the park
    assert ticket(city, "park", "assist").status_code == 201
