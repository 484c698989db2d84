"""Issue 17, point 1: each hall is an outlet of a kind (000 第五条: comprehensive 综合, special 专项,
mobile 流动), with an address and its opening days; a mobile outlet opens on its published visits
(the database, issue 18: no `visits` in the file any more); a wrong setting stops the server with
file:line: field."""
from __future__ import annotations

from datetime import date

import pytest
from support.halls import demo_config, small_hall_toml

from onewindow.promises import seeded_calendar
from onewindow.server.config import ConfigError, parse_config


def outlet(fields: str) -> str:
    """A small hall with `fields` right after its name (line 4 on)."""
    lines = small_hall_toml(2).split("\n")
    return "\n".join([*lines[:3], *fields.strip().split("\n"), *lines[3:]])


def error(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as exc:
        parse_config(text, "city.toml")
    return exc.value


def test_the_demo_hall_is_a_comprehensive_outlet():
    hall = demo_config().halls[0]
    assert (hall.kind, hall.opening_days) == ("comprehensive", ("mon", "tue", "wed", "thu", "fri"))
    assert hall.address.startswith("市政务服务中心")


def test_defaults_keep_old_hall_files_loading():
    hall = parse_config(small_hall_toml(2), "old.toml").halls[0]
    assert (hall.kind, hall.address, hall.opening_days) == ("comprehensive", "", ("mon", "tue", "wed", "thu", "fri"))


def test_opening_days_and_published_visits_say_when_an_outlet_opens():
    """By the seeded 2026 calendar: 01-02 (Fri) and 01-03 (Sat) are New Year holidays, 01-04 (Sun) and
    02-14 (Sat) make-up working days (调休)."""
    cal = seeded_calendar()
    d = date
    hall = demo_config().halls[0]  # Monday to Friday: the working week, make-up days included
    assert [hall.opens_on(x, cal) for x in (d(2026, 11, 23), d(2026, 11, 28), d(2026, 1, 2), d(2026, 1, 4))] == [
        True, False, False, True]
    park = parse_config(outlet('kind = "special"\naddress = "园区"\nopening_days = ["tue", "sat"]'), "c").halls[0]
    days = (d(2026, 11, 23), d(2026, 11, 24), d(2026, 11, 28), d(2026, 1, 3), d(2026, 2, 14), d(2026, 1, 4))
    # Monday no; Tuesday; an ordinary Saturday; not the New Year Saturday; a make-up Saturday; not a make-up Sunday
    assert [park.opens_on(x, cal) for x in days] == [False, True, True, False, True, False]
    van = parse_config(outlet('kind = "mobile"'), "c").halls[0]  # no visits in the file: they are published
    published = {d(2026, 11, 10), d(2026, 11, 24)}  # the days of its published visits (store/sync.py visit_days)
    assert [van.opens_on(d(2026, 11, x), cal, published) for x in (10, 11, 24)] == [True, False, True]
    assert not van.opens_on(d(2026, 11, 24), cal)  # nothing published: a van does not open, working day or not


@pytest.mark.parametrize(("fields", "line", "field", "says"), [
    ('kind = "branch"', 4, "halls.0.kind", "'comprehensive', 'special' or 'mobile'"),
    ('opening_days = ["mon", "funday"]', 4, "halls.0.opening_days.1", "'mon'"),
    ('opening_days = []', 4, "halls.0.opening_days", "at least 1"),
    ('opening_days = ["mon", "mon"]', 4, "halls.0.opening_days", "duplicate opening days"),
    # A file from before the published schedule: refused where it lists visits, saying where they live now.
    ('kind = "mobile"\nvisits = [2026-11-10, 2026-11-24]', 5, "halls.0.visits", "publish them at /visits"),
    ('kind = "special"\nvisits = []', 5, "halls.0.visits", "publish them at /visits"),
    ('address = "' + "路" * 201 + '"', 4, "halls.0.address", "at most 200"),
])
def test_a_wrong_outlet_setting_names_file_line_and_field(fields, line, field, says):
    exc = error(outlet(fields))
    assert (exc.path, exc.line, exc.field) == ("city.toml", line, field), str(exc)
    assert says in exc.message, exc.message
