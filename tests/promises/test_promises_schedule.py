"""The admin's yearly schedule file: what it accepts and how it refuses."""

import json
from datetime import date

import pytest

from onewindow.promises.schedule import (
    ScheduleError,
    YearSchedule,
    parse_schedule,
    schedule_from_mapping,
)

# A made-up schedule for 2027 (the State Council has not published it).
TOML_2027 = """
year = 2027
holidays = [
  2027-01-01,                 # bare TOML date
  "2027-02-05..2027-02-07",   # inclusive range
  "2027-10-01",
]
workdays = ["2027-02-20"]
"""


def test_toml_dates_strings_and_ranges():
    schedule = parse_schedule(TOML_2027, fmt="toml", source="notice.toml")
    assert schedule.year == 2027
    assert schedule.holidays == {
        date(2027, 1, 1),
        date(2027, 2, 5),
        date(2027, 2, 6),
        date(2027, 2, 7),
        date(2027, 10, 1),
    }
    assert schedule.workdays == {date(2027, 2, 20)}
    assert schedule.source == "notice.toml"


def test_json_gives_the_same_schedule_as_toml():
    body = {
        "year": 2027,
        "holidays": ["2027-01-01", "2027-02-05..2027-02-07", "2027-10-01"],
        "workdays": ["2027-02-20"],
    }
    from_json = parse_schedule(json.dumps(body).encode("utf-8-sig"), fmt="json", source="x")
    from_toml = parse_schedule(TOML_2027, fmt="toml", source="x")
    assert from_json == from_toml
    assert schedule_from_mapping(body, source="x") == from_toml


def test_new_year_holiday_may_reach_back_into_late_december():
    # Like the 2019 notice: 2018-12-30..2019-01-01 off, Saturday 2018-12-29 worked.
    body = {
        "year": 2019,
        "holidays": ["2018-12-30..2019-01-01"],
        "workdays": ["2018-12-29"],
    }
    schedule = schedule_from_mapping(body, source="2019")
    assert date(2018, 12, 30) in schedule.holidays
    assert schedule.workdays == {date(2018, 12, 29)}


def error_for(body: dict) -> ScheduleError:
    base = {"year": 2027, "holidays": ["2027-01-01"], "workdays": []}
    with pytest.raises(ScheduleError) as caught:
        schedule_from_mapping({**base, **body}, source="test")
    return caught.value


@pytest.mark.parametrize(
    ("body", "field", "value"),
    [
        ({"holidays": ["2027-01-01", "2027-13-01"]}, "holidays[1]", "2027-13-01"),
        ({"holidays": ["2027-02-30"]}, "holidays[0]", "2027-02-30"),
        ({"holidays": ["2027/10/01"]}, "holidays[0]", "2027/10/01"),
        ({"holidays": ["20271001"]}, "holidays[0]", "20271001"),
        ({"holidays": [20271001]}, "holidays[0]", 20271001),
        ({"workdays": ["next saturday"]}, "workdays[0]", "next saturday"),
        ({"holidays": ["2027-10-07..2027-10-01"]}, "holidays[0]", "2027-10-07..2027-10-01"),
        ({"holidays": ["2027-10-01..oct 7"]}, "holidays[0]", "oct 7"),
        ({"workdays": ["2027-02-20..2027-02-21"]}, "workdays[0]", "2027-02-20..2027-02-21"),
        ({"holidays": ["2026-10-01"]}, "holidays", "2026-10-01"),
        ({"holidays": ["2027-01-01", "2026-12-01"]}, "holidays", "2026-12-01"),
        ({"workdays": ["2028-01-01"]}, "workdays", "2028-01-01"),
        ({"holidays": ["2027-02-20"], "workdays": ["2027-02-20"]}, "workdays", "2027-02-20"),
        ({"workdays": ["2027-02-22"]}, "workdays", "2027-02-22"),  # a Monday
        ({"holidays": []}, "holidays", []),
        ({"holidays": "2027-01-01"}, "holidays", "2027-01-01"),
        ({"year": "2027"}, "year", "2027"),
        ({"year": True}, "year", True),
        ({"year": 20277}, "year", 20277),
        ({"holiday": ["2027-01-01"]}, "schedule", "holiday"),
    ],
)
def test_errors_name_the_field_and_the_bad_value(body, field, value):
    error = error_for(body)
    assert (error.field, error.value) == (field, value)
    assert field in str(error) and repr(value) in str(error)


def test_a_missing_field_is_named():
    with pytest.raises(ScheduleError) as caught:
        schedule_from_mapping({"year": 2027, "holidays": ["2027-01-01"]}, source="t")
    assert (caught.value.field, caught.value.value) == ("schedule", "workdays")
    assert "missing" in str(caught.value)


def test_a_toml_datetime_is_not_a_date():
    text = 'year = 2027\nholidays = [2027-10-01T00:00:00]\nworkdays = []\n'
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(text, fmt="toml", source="t")
    assert caught.value.field == "holidays[0]"


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ("year = 2027\nholidays = [", "toml"),
        ('{"year": 2027,', "json"),
        (b"\xff\xfe year", "json"),
    ],
)
def test_unreadable_files_are_refused_naming_the_source(text, fmt):
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(text, fmt=fmt, source="upload.bin")
    assert caught.value.field == "file"
    assert "upload.bin" in str(caught.value)


def test_a_json_list_is_not_a_schedule():
    with pytest.raises(ScheduleError) as caught:
        parse_schedule('["2027-01-01"]', fmt="json", source="t")
    assert caught.value.field == "schedule"


def test_unknown_format_is_refused():
    with pytest.raises(ScheduleError) as caught:
        parse_schedule("", fmt="yaml", source="t")
    assert (caught.value.field, caught.value.value) == ("format", "yaml")


def test_schedule_errors_are_value_errors():
    # The server maps ValueError to a 400 answer.
    with pytest.raises(ValueError):
        YearSchedule(2027, frozenset(), frozenset(), "t")
