"""A year without a loaded schedule: deadlines are provisional and the admin
is alerted (and reminded in November); loading the State Council's notice
through the API recomputes every provisional deadline and records who
loaded it."""
from __future__ import annotations

from support.clock import at
from support.halls import HALL

YEARS = "/api/v1/calendar/years"
# A made-up 2027 notice for the test: New Year Jan 1-3, Sat Jan 9 worked.
NOTICE_2027 = {"year": 2027, "holidays": ["2027-01-01..2027-01-03", "2027-02-06..2027-02-12"],
               "workdays": ["2027-01-09"]}


def test_november_reminds_the_admin_to_load_next_year(hall):
    # The clock starts on 2026-11-23; chinese_calendar knows 2026 only.
    [reminder] = hall.alerts(kind="calendar_missing")
    assert reminder["level"] == "yellow" and "2027" in reminder["message"]
    hall.check()
    assert len(hall.alerts(kind="calendar_missing")) == 1


def test_a_year_not_loaded_is_provisional_alerted_and_recomputed_once_loaded(hall):
    hall.clock.set(at(2026, 12, 15))
    out = hall.accept("eia_report_book")  # 20 working days from Tue 12-15 run into 2027
    case_id = out["case"]["id"]
    assert out["case"]["provisional"] is True
    assert out["case"]["deadline"] == "2027-01-13T23:59:59+08:00"  # weekends and Jan 1 only
    assert hall.case(case_id)["provisional"] is True
    listed = hall.client.get(f"/api/v1/halls/{HALL}/cases", headers=hall.clerk).json()
    assert listed[0]["provisional"] is True
    levels = sorted(a["level"] for a in hall.alerts(kind="calendar_missing") if "2027" in a["message"])
    assert levels == ["red", "yellow"]  # deadlines provisional, and the November reminder

    r = hall.client.post(YEARS, headers=hall.admin, json={**NOTICE_2027, "source": "国办发明电（测试）"})
    assert r.status_code == 201, r.text
    loaded = r.json()
    assert loaded["year"] == 2027 and loaded["loaded_by"] == "admin" and loaded["source"] == "国办发明电（测试）"
    assert loaded["recomputed"] == [out["case"]["number"]]
    assert loaded["loaded_at"] == "2026-12-15T10:00:00+08:00"

    case = hall.case(case_id)
    # Jan 4-8, Sat Jan 9 (make-up day), Jan 11-12: one day sooner than the provisional answer.
    assert case["deadline"] == "2027-01-12T23:59:59+08:00" and case["provisional"] is False
    last = case["history"][-1]
    assert last["type"] == "deadline_recomputed" and last["actor"] == "admin"
    assert last["data"]["old_deadline"] == "2027-01-13T23:59:59+08:00"
    assert hall.alerts(kind="calendar_missing") == []  # settled by the load
    assert len(hall.alerts(all_=True, kind="calendar_missing")) == 2

    years = {y["year"]: y for y in hall.client.get(YEARS).json()}
    assert years[2027]["seeded"] is False and years[2027]["loaded_by"] == "admin"
    assert "2027-02-10" in years[2027]["holidays"] and years[2027]["workdays"] == ["2027-01-09"]
    r = hall.client.get("/api/v1/calendar/deadline",
                        params={"start": "2026-12-15T10:00+08:00", "amount": 20, "unit": "working_days"})
    assert r.json() == {"deadline": "2027-01-12T23:59:59+08:00", "provisional": False}
    hall.check()
    assert hall.alerts(kind="calendar_missing") == []


def test_loading_a_year_is_for_admins(hall):
    assert hall.client.post(YEARS, headers=hall.manager, json=NOTICE_2027).status_code == 403
    hall.client.cookies.clear()
    assert hall.client.post(YEARS, json=NOTICE_2027).status_code == 401


def test_a_bad_schedule_is_a_422_naming_the_field(hall):
    cases = [
        ({"year": 2027, "holiday": [], "workdays": []}, "schedule"),
        ({"year": 2027, "holidays": ["2027-02-30"], "workdays": []}, "holidays[0]"),
        ({"year": 2027, "holidays": ["2027-01-01"], "workdays": ["2027-01-04"]}, "workdays"),  # a Monday
        ({"year": 2027, "holidays": [], "workdays": []}, "holidays"),
        ({"year": "2027", "holidays": ["2027-01-01"], "workdays": []}, "year"),
        ({"year": 2027, "holidays": "2027-01-01", "workdays": []}, "holidays"),
        ([2027], "schedule"),
    ]
    for body, field in cases:
        r = hall.client.post(YEARS, headers=hall.admin, json=body)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["field"] == field, (body, r.json())
    r = hall.client.post(YEARS, headers={**hall.admin, "content-type": "application/json"}, content=b"{not json")
    assert r.status_code == 400
    assert 2027 not in {y["year"] for y in hall.client.get(YEARS).json()}


def test_a_schedule_file_in_toml(hall):
    toml = b'year = 2027\nholidays = ["2027-01-01..2027-01-03"]\nworkdays = []\n'
    r = hall.client.post(YEARS, headers={**hall.admin, "content-type": "application/toml"}, content=toml,
                         params={"source": "notice.toml"})
    assert r.status_code == 201, r.text
    assert r.json()["source"] == "notice.toml"
    r = hall.client.get("/api/v1/calendar/deadline",
                        params={"start": "2026-12-31T10:00+08:00", "amount": 1, "unit": "working_days"})
    assert r.json() == {"deadline": "2027-01-04T23:59:59+08:00", "provisional": False}
