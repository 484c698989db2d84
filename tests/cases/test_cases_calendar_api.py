"""The contract's calendar endpoint, GET /api/v1/calendar/deadline: exact
answers for the 2026 schedule (国办发明电〔2025〕7号: Oct 1-7 off, Sat Oct 10
worked), every unit, and a JSON 422 naming the bad parameter."""
from __future__ import annotations

import pytest

URL = "/api/v1/calendar/deadline"


def deadline(client, start: str, amount, unit: str) -> dict:
    r = client.get(URL, params={"start": start, "amount": amount, "unit": unit})
    assert r.status_code == 200, r.text
    return r.json()


def test_contract_example_15_working_days_across_national_day(client):
    # Accepted Mon 09-28 (not counted): 09-29, 09-30; Oct 1-7 off; 10-8, 10-9, Sat 10-10 (make-up);
    # 10-12..10-16; 10-19..10-23 is the 15th.
    got = deadline(client, "2026-09-28T10:00+08:00", 15, "working_days")
    assert got == {"deadline": "2026-10-23T23:59:59+08:00", "provisional": False}


def test_public_without_a_token_and_a_plus_lost_in_the_query_string(client):
    # An unencoded "+" arrives as a space; the answer is the same.
    r = client.get(f"{URL}?start=2026-09-28T10:00+08:00&amount=15&unit=working_days")
    assert r.status_code == 200, r.text
    assert r.json() == {"deadline": "2026-10-23T23:59:59+08:00", "provisional": False}


def test_start_in_another_offset_is_taken_in_the_hall_zone(client):
    # 02:00Z is 10:00 in Shanghai; and a naive time is the hall's local time.
    assert deadline(client, "2026-09-28T02:00:00Z", 15, "working_days")["deadline"] == "2026-10-23T23:59:59+08:00"
    assert deadline(client, "2026-09-28T10:00", 15, "working_days")["deadline"] == "2026-10-23T23:59:59+08:00"
    # 20:00Z on Sep 27 is already Monday Sep 28 in the hall.
    assert deadline(client, "2026-09-27T20:00:00+00:00", 1, "working_days")["deadline"] == "2026-09-29T23:59:59+08:00"


def test_calendar_days_ending_on_a_holiday_end_on_the_next_working_day(client):
    # Day 1 is 09-29; day 7 is 10-05 (National Day) -> Thu 10-08.
    assert deadline(client, "2026-09-28T10:00+08:00", 7, "calendar_days") == {
        "deadline": "2026-10-08T23:59:59+08:00", "provisional": False}
    # An ordinary week: day 7 after Tue 03-10 is Tue 03-17.
    assert deadline(client, "2026-03-10T09:00+08:00", 7, "calendar_days")["deadline"] == "2026-03-17T23:59:59+08:00"


def test_acceptance_on_a_holiday_counts_from_the_next_working_day(client):
    # Sat 10-03 is a holiday: Thu 10-08 is day 1, Fri 10-09 day 2.
    assert deadline(client, "2026-10-03T10:00+08:00", 2, "working_days")["deadline"] == "2026-10-09T23:59:59+08:00"


def test_hours_are_wall_clock_hours_through_nights_and_holidays(client):
    assert deadline(client, "2026-09-30T16:00+08:00", 24, "hours") == {
        "deadline": "2026-10-01T16:00:00+08:00", "provisional": False}
    assert deadline(client, "2026-11-23T10:15:30+08:00", 1, "hours")["deadline"] == "2026-11-23T11:15:30+08:00"


def test_amount_zero_is_the_end_of_the_start_day(client):
    assert deadline(client, "2026-11-23T10:00+08:00", 0, "working_days")["deadline"] == "2026-11-23T23:59:59+08:00"


def test_a_year_without_a_schedule_is_provisional(client):
    # chinese_calendar knows 2026, not 2027.
    got = deadline(client, "2026-12-15T10:00+08:00", 20, "working_days")
    assert got["provisional"] is True
    assert got["deadline"] == "2027-01-13T23:59:59+08:00"  # weekends and Jan 1 only
    assert deadline(client, "2026-12-01T10:00+08:00", 5, "working_days")["provisional"] is False


@pytest.mark.parametrize(("params", "field"), [
    ({"amount": "15", "unit": "working_days"}, "start"),
    ({"start": "", "amount": "15", "unit": "working_days"}, "start"),
    ({"start": "yesterday", "amount": "15", "unit": "working_days"}, "start"),
    ({"start": "2026-02-30T10:00+08:00", "amount": "15", "unit": "working_days"}, "start"),
    ({"start": "2026-09-28T10:00+08:00", "unit": "working_days"}, "amount"),
    ({"start": "2026-09-28T10:00+08:00", "amount": "-1", "unit": "working_days"}, "amount"),
    ({"start": "2026-09-28T10:00+08:00", "amount": "1.5", "unit": "working_days"}, "amount"),
    ({"start": "2026-09-28T10:00+08:00", "amount": "ten", "unit": "working_days"}, "amount"),
    ({"start": "2026-09-28T10:00+08:00", "amount": "10001", "unit": "working_days"}, "amount"),
    ({"start": "2026-09-28T10:00+08:00", "amount": "15"}, "unit"),
    ({"start": "2026-09-28T10:00+08:00", "amount": "15", "unit": "weeks"}, "unit"),
])
def test_bad_parameters_are_a_422_naming_the_field(client, params, field):
    r = client.get(URL, params=params)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["field"] == field and body["error"].startswith(f"{field}:")


def test_unknown_hall_is_a_404(client):
    r = client.get(URL, params={"start": "2026-09-28T10:00+08:00", "amount": 1, "unit": "hours", "hall": "nope"})
    assert r.status_code == 404 and "error" in r.json()


def test_years_list_the_seeded_schedule_with_its_source(client):
    r = client.get("/api/v1/calendar/years")
    assert r.status_code == 200
    years = {y["year"]: y for y in r.json()}
    assert 2027 not in years
    y2026 = years[2026]
    assert y2026["seeded"] is True and y2026["source"].startswith("chinese_calendar")
    assert "2026-10-01" in y2026["holidays"] and "2026-10-10" in y2026["workdays"]
