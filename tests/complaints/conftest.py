"""Complaints (issue 15, points 1-4): a client on the demo hall (SQLite, then PostgreSQL), a clerk and
a manager, and a paired system device (the 12369 platform). Calls: support.complaints."""
from __future__ import annotations

import pytest
from support.accounts import Staff
from support.devices import pair
from support.halls import HALL


@pytest.fixture
def settings(settings):
    """Sessions that outlive the week the scripted tests move the clock by."""
    settings.session_ttl_s = 400 * 86400
    return settings


@pytest.fixture
def cclient(make_client, database_url):
    """The demo hall on SQLite, then on PostgreSQL (the root `database_url` fixture)."""
    return make_client(database_url=database_url)


@pytest.fixture
def people(cclient):
    staff = Staff(cclient)
    out = {"clerk": staff.make("zhangwei"), "manager": staff.make("boss", role="manager"), "admin": staff.admin}
    cclient.cookies.clear()  # each call says who it is by its header alone
    return out


@pytest.fixture
def platform(cclient, people):
    """X-Device-Token headers of the 12369 platform, paired as a system of the hall."""
    return {"X-Device-Token": pair(cclient, people["admin"], HALL, kind="system", name="12369 platform")}
