"""Issue 18: the mobile outlet's pure rules (queue/mobile): publishing lead time, twice a month per
town, the case conflict rule, the clock offset; the outlet's block of a config file."""
from __future__ import annotations

from datetime import date, time

import pytest

from onewindow.mobile import (
    Visit,
    VisitError,
    case_conflict,
    check_change,
    check_visit,
    clock_offset,
    drifted,
    resolve_case,
    row_digest,
    thin_towns,
)
from onewindow.server.services.sync import hall_section

D = date(2026, 11, 23)


def v(town: str, day: date, start=time(9), end=time(15)) -> Visit:
    return Visit(town, day, start, end)


def test_three_days_ahead():
    check_visit(v("东山镇", date(2026, 11, 26)), D)
    for day in (date(2026, 11, 25), D, date(2026, 11, 20)):
        with pytest.raises(VisitError) as exc:
            check_visit(v("东山镇", day), D)
        assert exc.value.code == "too_late"
    with pytest.raises(VisitError) as exc:
        check_visit(v("东山镇", date(2026, 12, 1), time(15), time(9)), D)
    assert exc.value.code == "bad_hours"
    check_change(date(2026, 11, 26), D)
    with pytest.raises(VisitError):
        check_change(date(2026, 11, 25), D)


def test_each_town_twice_a_month():
    visits = [v("东山镇", date(2026, 11, 26)), v("东山镇", date(2026, 11, 28)), v("西岭乡", date(2026, 11, 27)),
              v("西岭乡", date(2026, 12, 3)), v("西岭乡", date(2026, 12, 17))]
    assert thin_towns(visits, "2026-11") == {"西岭乡": 1}
    assert thin_towns(visits, "2026-12") == {"东山镇": 0}  # a town served that is not visited at all
    assert thin_towns([], "2026-11") == {}


def test_case_conflict_rule():
    van = {"status": "accepted", "visits": 2, "deadline_at": 10.0}
    central = {"status": "suspended", "visits": 1, "deadline_at": 10.0, "card": "green"}
    seen = row_digest({**central, "status": "accepted"})
    assert case_conflict(seen, central)  # the centre suspended it since
    assert not case_conflict(row_digest(central), central)
    assert not case_conflict(None, central)
    out = resolve_case(van, central, True)
    assert out["status"] == "suspended" and out["visits"] == 2  # the centre's state, the van's other facts
    assert resolve_case(van, central, False) == van


def test_clock_offset():
    assert clock_offset(1000.0, 1600.25) == 600.25 and drifted(600.25) and not drifted(-59.0)


def test_hall_section_keeps_only_the_outlet():
    text = 'x = 1\n\n[[halls]]\nid = "eco"\n[[halls.windows]]\nid = "w1"\n\n[[halls]]\nid = "van1"\nkind = "mobile"\n'
    out = hall_section(text, "van1")
    assert out.startswith("x = 1") and 'id = "van1"' in out and '"eco"' not in out and "w1" not in out


def test_a_mobile_outlets_receipt_says_when_it_can_be_tracked():
    from support.mobile import city_text

    from onewindow.server.config import parse_config
    from onewindow.server.services.receipts import case_receipt

    cfg = parse_config(city_text(), "city.toml")
    case = {"number": "HP-VAN1-20261203-0001", "item_name": "登记表备案", "applicant_name": "张*",
            "accepted_at": "2026-12-03T10:00:00+08:00", "deadline": "2026-12-14T23:59:59+08:00",
            "promised": {"unit": "working_days"}, "provisional": False, "window": "w1"}
    hall = {h.id: h for h in cfg.halls}
    assert "联网同步后可扫码查询" in case_receipt(hall["van1"], case, "张伟").query_hint
    assert "trackable by the QR code after sync" in case_receipt(hall["van1"], case, "张伟").query_hint
    assert "同步" not in case_receipt(hall["eco"], case, "张伟").query_hint
