"""Fixtures of the bureau's tests (issue 17): a city's three outlets on one deployment (the demo
hall, comprehensive; a special outlet in an industrial park; a mobile outlet, a van) and their staff."""
from __future__ import annotations

import pytest
from support.accounts import Staff
from support.clock import at
from support.halls import demo_text, park_text
from support.mobile import publish_visits

from onewindow.server.config import Config, parse_config

# The van visits twice in November and twice in December 2026 (000 第五条: at least twice a month),
# published at /visits on 2026-11-01 (the city fixture); the tests' clock starts on one of its days,
# Monday 2026-11-23.
VAN_VISITS = ("2026-11-10", "2026-11-23", "2026-12-08", "2026-12-22")

PARK = park_text(("mon", "tue", "wed", "thu", "fri", "sat"), enforce_hours=False, windows=2, close="18:00",
                 address="高新区园区管委会一楼 / 1F, Park Management Committee")


def van_text() -> str:
    """The demo hall made a van: same categories and items, one window; it opens on its published visits."""
    text = demo_text()
    text = text[:text.index("[[halls.printers]]")]  # no printers in a van
    replace = {
        'id = "eco"': 'id = "van"',
        'name = "市生态环境局政务服务大厅"': 'name = "流动服务车（东山片区）"',
        'name_en = "City Eco-Environment Bureau Service Hall"': 'name_en = "Mobile service van (Dongshan)"',
        'kind = "comprehensive"': 'kind = "mobile"',
        'lunch_from = "11:30"\nlunch_until = "13:30"\n': "",  # one clerk: no lunch rota
        'address = "市政务服务中心二楼 / 2F, City Government Service Centre"':
            'address = "东山镇各村轮流停靠 / Villages of Dongshan town in turn"',
    }
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    # One window (w1); the others and the lunch rota (which names them) stay in the hall.
    head, _, windows = text.partition("[[halls.windows]]")
    first = windows.split("[[halls.windows]]")[0].partition("[[halls.rota]]")[0]
    return head + "[[halls.windows]]" + first


def city_config() -> Config:
    return parse_config(demo_text() + "\n" + PARK + "\n" + van_text(), "city.toml")


@pytest.fixture
def city(make_client, clock):
    """The city, the van's visits published (through the API, as its manager would) on 2026-11-01."""
    client = make_client(config=city_config())
    admin = Staff(client).admin
    publish_visits(client, admin, clock, "van", VAN_VISITS, at(2026, 11, 1, 9))
    # A visit on Monday 11-16 published, then cancelled: the van does not open that day (utilisation).
    [gone] = publish_visits(client, admin, clock, "van", ["2026-11-16"], at(2026, 11, 1, 9))
    back = clock.now
    clock.set(at(2026, 11, 2, 9))
    r = client.delete(f"/api/v1/halls/van/visits/{gone['id']}", headers=admin)
    assert r.status_code == 200, r.text
    clock.now = back
    return client


@pytest.fixture
def people(city):
    """The admin, a hall manager, the bureau manager and clerks (support.accounts.Staff)."""
    s = Staff(city)
    s.make("boss", role="manager")
    s.make("city", role="bureau_manager", display_name="市局 张主任")
    s.make("zhangwei")
    s.make("parker")
    return s
