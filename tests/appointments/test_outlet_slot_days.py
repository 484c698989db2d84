"""Appointment slots only on the days an outlet opens (issue 17, point 1): a fixed outlet open
Mon/Wed/Fri offers none on a Tuesday or Thursday (working days; its Thursday evening session
neither), and a booking then is refused with 422 outlet_closed saying which days it opens; a
van offers slots only during its published visits that offer the service. Clock injected
(Monday 2026-11-23 10:00)."""
from __future__ import annotations

import pytest
from support.accounts import Staff
from support.clock import at
from support.halls import demo_config, demo_text
from support.mobile import publish_visits, van_text

from onewindow.server.config import parse_config

MWF = {'opening_days = ["mon", "tue", "wed", "thu", "fri"]': 'opening_days = ["mon", "wed", "fri"]'}


def slots(client, hall: str, day: str, category: str = "permit") -> list[str]:
    r = client.get(f"/api/v1/halls/{hall}/slots", params={"category": category, "date": day})
    assert r.status_code == 200, r.text
    return [s["start"][11:16] for s in r.json()]


def book(client, hall: str, start: str, category: str = "permit"):
    return client.post(f"/api/v1/halls/{hall}/appointments",
                       json={"category": category, "start": start, "phone": "13912340001"})


def test_a_fixed_outlet_offers_slots_on_its_opening_days_only(make_client):
    client = make_client(demo_config(replace=MWF))
    assert slots(client, "eco", "2026-11-24") == []  # Tuesday, a working day it does not open
    assert slots(client, "eco", "2026-11-26") == []  # Thursday: nor its Thursday evening session
    assert slots(client, "eco", "2026-11-25")[:2] == ["09:00", "09:30"]  # Wednesday
    r = book(client, "eco", "2026-11-24T09:00:00+08:00")
    assert (r.status_code, r.json()["code"]) == (422, "outlet_closed"), r.text
    assert "2026-11-24" in r.json()["error"] and "每周一、三、五开放" in r.json()["error"]
    assert "open Mon, Wed, Fri" in r.json()["error"]
    assert book(client, "eco", "2026-11-25T09:10:00+08:00").json()["code"] == "no_such_slot"  # open, wrong time
    ok = book(client, "eco", "2026-11-25T09:00:00+08:00")
    assert ok.status_code == 201, ok.text
    r = client.post(f"/api/v1/appointments/{ok.json()['id']}/reschedule", params={"token": ok.json()["token"]},
                    json={"start": "2026-11-26T09:00:00+08:00"})
    assert (r.status_code, r.json()["code"]) == (422, "outlet_closed")


@pytest.fixture
def van(make_client, clock):
    """The demo hall and a van (its lunch and other windows removed), published on 2026-11-01:
    Tuesday 11-24 in 东山镇 10:00-12:00 offering permits, Thursday 11-26 in 西岭乡 offering advice only."""
    client = make_client(config=parse_config(demo_text() + "\n" + van_text("van1"), "city.toml"))
    admin = Staff(client).admin
    publish_visits(client, admin, clock, "van1", ["2026-11-24"], at(2026, 11, 1, 9), start="10:00", end="12:00",
                   categories=("permit",))
    publish_visits(client, admin, clock, "van1", ["2026-11-26"], at(2026, 11, 1, 9), town="西岭乡",
                   categories=("consult",))
    return client


def test_a_van_offers_slots_during_its_visits_that_offer_the_service(van):
    assert slots(van, "van1", "2026-11-24") == ["10:00", "10:30", "11:00", "11:30"]
    assert slots(van, "van1", "2026-11-25") == []  # a working day without a visit
    assert slots(van, "van1", "2026-11-26") == []  # a visit that does not offer permits
    r = book(van, "van1", "2026-11-25T10:00:00+08:00")
    assert (r.status_code, r.json()["code"]) == (422, "outlet_closed"), r.text
    assert "流动服务车" in r.json()["error"] and "2026-11-25" in r.json()["error"]
    assert book(van, "van1", "2026-11-24T09:00:00+08:00").json()["code"] == "no_such_slot"  # before the van comes
    assert book(van, "van1", "2026-11-24T10:00:00+08:00").status_code == 201
