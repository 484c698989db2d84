"""Complaints (issue 15, points 1-4): a client on the demo hall (SQLite), a clerk and a
manager, and a paired system device (the 12369 platform)."""
from __future__ import annotations

import pytest
from support.accounts import Staff
from support.devices import pair
from support.halls import HALL

COMPLAINTS = f"/api/v1/halls/{HALL}/complaints"


@pytest.fixture
def settings(settings):
    """Sessions that outlive the week the scripted tests move the clock by."""
    settings.session_ttl_s = 400 * 86400
    return settings


@pytest.fixture
def cclient(make_client, database_url):
    """The demo hall on SQLite, then on PostgreSQL (the root `database_url` fixture)."""
    return make_client(database_url=database_url)


def sql(client, query: str) -> list[tuple]:
    """Rows of `query` on the app's own database (either backend)."""
    rt = client.app.state.runtime
    rows = client.portal.call(rt.db.read, lambda tx: tx.all(query))
    return [tuple(r.values()) if isinstance(r, dict) else tuple(r) for r in rows]


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


def intake(client, headers, **kw):
    body = {"source": "window", "type": "air.cooking_fumes", "content": "楼下饭店油烟直排", "place": "东城区和平里3号",
            "name": "张三", "phone": "13812345678", **kw}
    return client.post(COMPLAINTS, headers=headers, json=body)


def step(client, headers, cid, step_, **kw):
    return client.post(f"/api/v1/complaints/{cid}/steps", headers=headers, json={"step": step_, **kw})
