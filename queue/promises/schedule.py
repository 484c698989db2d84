"""One year's official holiday schedule, and the parser for an admin's file.

The State Council publishes each year's schedule as a notice: the days off
(holidays) and the weekend days that become working days (make-up days, 调休).
An administrator types that notice into a TOML or JSON file:

    year = 2027
    holidays = ["2027-01-01", "2027-10-01..2027-10-07"]   # dates or inclusive ranges
    workdays = ["2027-09-26", "2027-10-09"]               # weekend make-up days

Everything here is pure: the server reads the file or request body and passes
the text (or the decoded JSON object) in.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

# A notice for year Y may place the New Year holiday and its make-up Saturday
# in the last days of December Y-1 (the 2007, 2012, 2019 and 2023 notices did).
SPILLOVER_FROM = (12, 25)
FIRST_YEAR, LAST_YEAR = 1949, 2999  # a year outside this is a typo, not a notice

FIELDS = ("year", "holidays", "workdays")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class ScheduleError(ValueError):
    """A schedule is invalid; `field` and `value` name what is wrong."""

    def __init__(self, field: str, value: object, problem: str):
        self.field, self.value, self.problem = field, value, problem
        super().__init__(f"{field}: {value!r} {problem}")


@dataclass(frozen=True)
class YearSchedule:
    """The days off and make-up working days of one year, and where they came from.

    Weekdays not listed are working days and weekends not listed are days off,
    so only the exceptions are stored. Validated on construction.
    """

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    source: str

    def __post_init__(self) -> None:
        if isinstance(self.year, bool) or not isinstance(self.year, int):
            raise ScheduleError("year", self.year, "is not a whole number")
        if not FIRST_YEAR <= self.year <= LAST_YEAR:
            raise ScheduleError(
                "year", self.year, f"is not between {FIRST_YEAR} and {LAST_YEAR}"
            )
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "workdays", frozenset(self.workdays))
        earliest = date(self.year - 1, *SPILLOVER_FROM)
        for field in ("holidays", "workdays"):
            for day in sorted(getattr(self, field)):
                if type(day) is not date:
                    raise ScheduleError(field, day, "is not a date")
                if not (earliest <= day and day.year <= self.year):
                    raise ScheduleError(
                        field,
                        day.isoformat(),
                        f"is outside {self.year} (only {earliest.isoformat()} "
                        "onwards may carry the New Year holiday)",
                    )
        if not self.holidays:
            # A schedule without days off is an unfinished file; loading it would
            # silently make every deadline in that year look authoritative.
            raise ScheduleError("holidays", [], "lists no days off; every notice has some")
        for day in sorted(self.holidays & self.workdays):
            raise ScheduleError(
                "workdays", day.isoformat(), "is also listed under holidays"
            )
        for day in sorted(self.workdays):
            if day.weekday() < 5:
                raise ScheduleError(
                    "workdays",
                    day.isoformat(),
                    f"is a {day:%A}, already a working day; list only weekend make-up days",
                )


def parse_schedule(text: str | bytes, *, fmt: str, source: str) -> YearSchedule:
    """Parse an admin's schedule file. `fmt` is "toml" or "json"."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ScheduleError("file", source, f"is not UTF-8 text ({exc.reason})") from None
    if fmt == "toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ScheduleError("file", source, f"is not valid TOML: {exc}") from None
    elif fmt == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ScheduleError("file", source, f"is not valid JSON: {exc}") from None
    else:
        raise ScheduleError("format", fmt, 'is not "toml" or "json"')
    return schedule_from_mapping(data, source=source)


def schedule_from_mapping(data: object, *, source: str) -> YearSchedule:
    """Build a schedule from decoded TOML/JSON (e.g. an API request body)."""
    if not isinstance(data, Mapping):
        raise ScheduleError("schedule", data, "is not a table/object")
    for key in data:
        if key not in FIELDS:
            # A misspelt "holiday" would otherwise load a year with no holidays.
            raise ScheduleError("schedule", key, f"is an unknown field (expected {', '.join(FIELDS)})")
    for key in FIELDS:
        if key not in data:
            raise ScheduleError("schedule", key, "is missing")
    return YearSchedule(
        year=data["year"],
        holidays=frozenset(_dates("holidays", data["holidays"], ranges=True)),
        workdays=frozenset(_dates("workdays", data["workdays"], ranges=False)),
        source=source,
    )


def _dates(field: str, items: object, *, ranges: bool) -> Iterable[date]:
    if isinstance(items, (str, bytes)) or not isinstance(items, list):
        raise ScheduleError(field, items, "is not a list")
    for index, item in enumerate(items):
        where = f"{field}[{index}]"
        if isinstance(item, str) and ".." in item:
            if not ranges:
                raise ScheduleError(where, item, "is a range; list each make-up day")
            first_text, _, last_text = item.partition("..")
            first, last = _date(where, first_text), _date(where, last_text)
            if last < first:
                raise ScheduleError(where, item, "ends before it starts")
            yield from (first + timedelta(days=i) for i in range((last - first).days + 1))
        else:
            yield _date(where, item)


def _date(where: str, value: object) -> date:
    # TOML's bare 2027-10-01 arrives as a date; a datetime would be a mistake.
    if type(value) is date:
        return value
    if isinstance(value, datetime) or not isinstance(value, str):
        raise ScheduleError(where, value, "is not a date (YYYY-MM-DD)")
    text = value.strip()
    if not _DATE.fullmatch(text):
        raise ScheduleError(where, value, "is not a date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ScheduleError(where, value, "is not a real date") from None
