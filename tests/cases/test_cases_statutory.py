"""Statutory limits enforced (issue 15, point 7): every case carries its
statutory deadline in its own unit, supervision alarms before and at it apart
from the promise's cards, and a configured promise longer than the law's limit
is refused with file:line: field: message."""
from __future__ import annotations

import pytest
from support.clock import at
from support.halls import demo_text

from onewindow.server.cli import main
from onewindow.server.config import ConfigError, parse_config

REGISTRATION = ('promised = { amount = 7, unit = "working_days" }', 'promised = { amount = 70, unit = "working_days" }')


def test_a_promise_longer_than_the_statutory_limit_is_refused_with_its_line():
    text = demo_text().replace(*REGISTRATION)
    line = text.splitlines().index(REGISTRATION[1]) + 1
    with pytest.raises(ConfigError) as err:
        parse_config(text, "hall.toml")
    assert err.value.line == line
    assert err.value.field == "halls.0.items.2.promised"
    assert str(err.value).startswith(f"hall.toml:{line}: halls.0.items.2.promised: ")
    assert "70 working_days is longer than the statutory 15 working_days" in str(err.value)


def test_check_config_refuses_it(tmp_path, capsys):
    bad = tmp_path / "hall.toml"
    bad.write_text(demo_text().replace(*REGISTRATION), encoding="utf-8")
    assert main(["check-config", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:" in err and "halls.0.items.2.promised" in err and "statutory 15 working_days" in err


def test_a_case_answers_its_statutory_deadline_in_its_own_unit(hall):
    out = hall.accept("eia_registration")["case"]  # Mon 2026-11-23: 7 promised, 15 statutory working days
    assert out["deadline"] == "2026-12-02T23:59:59+08:00"
    assert out["statutory_deadline"] == "2026-12-14T23:59:59+08:00"
    case = hall.case(out["id"])
    assert case["statutory_deadline"] == "2026-12-14T23:59:59+08:00"
    assert case["statutory"] == {"amount": 15, "unit": "working_days"}
    general = hall.accept("general_matter", category="consult")["case"]  # no statutory limit
    assert general["statutory_deadline"] is None


def statutory(alerts: list[dict], case_id: int) -> list[str]:
    return [a["level"] for a in alerts if a["case_id"] == case_id and a["kind"] == "statutory"]


def test_supervision_alarms_before_and_at_the_statutory_deadline(hall):
    case_id = hall.accept("eia_registration")["case"]["id"]  # promised 12-02, statutory Mon 12-14
    hall.clock.set(at(2026, 12, 3, 9))  # the promise is broken: its red card, the law not yet
    hall.check()
    assert hall.case(case_id)["card"] == "red"
    assert statutory(hall.alerts(), case_id) == []
    hall.clock.set(at(2026, 12, 11, 9))  # Fri: the working day before the statutory day
    hall.check()
    assert statutory(hall.alerts(), case_id) == ["yellow"]
    hall.clock.set(at(2026, 12, 15, 0, 0, 0))  # past the law's limit
    hall.check()
    hall.check()
    assert statutory(hall.alerts(), case_id) == ["red", "yellow"]
    red = next(a for a in hall.alerts() if a["kind"] == "statutory" and a["level"] == "red")
    assert "法定" in red["message"] and "statutory" in red["message"]
    hall.case_action(case_id, "complete")
    assert statutory(hall.alerts(), case_id) == []  # settled with the case
    assert statutory(hall.alerts(all_=True), case_id) == ["red", "yellow"]


def test_a_suspension_moves_the_statutory_deadline_too(hall):
    case_id = hall.accept("eia_registration")["case"]["id"]
    hall.case_action(case_id, "suspend", {"reason": "expert_review", "notice": "专家评审"})
    hall.clock.set(at(2026, 11, 30, 10))  # Tue..Mon: five working days stood still
    resumed = hall.case_action(case_id, "resume")
    assert resumed["deadline"] == "2026-12-09T23:59:59+08:00"
    assert resumed["statutory_deadline"] == "2026-12-21T23:59:59+08:00"


def test_no_tickets_on_a_statutory_day_off_before_its_notice(make_hall, demo_config, clock):
    """Issue 15, point 8: 2027-02-08 (初三, a Monday) is a day off although 2027's notice is not loaded."""
    clock.set(at(2027, 2, 8, 10))
    hall = make_hall(demo_config(enforce_hours=True))
    r = hall.client.post("/api/v1/halls/eco/tickets", json={"category": "eia"})
    assert (r.status_code, r.json()["code"]) == (409, "hall_closed")
    clock.set(at(2027, 2, 9, 10))
    assert hall.client.post("/api/v1/halls/eco/tickets", json={"category": "eia"}).status_code == 201
