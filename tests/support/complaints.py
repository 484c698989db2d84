"""Complaints in tests (tests/complaints): the intake and step calls, and SQL on the app's database."""
from __future__ import annotations

from support.halls import HALL

COMPLAINTS = f"/api/v1/halls/{HALL}/complaints"


def intake(client, headers, **kw):
    body = {"source": "window", "type": "air.cooking_fumes", "content": "楼下饭店油烟直排", "place": "东城区和平里3号",
            "name": "张三", "phone": "13812345678", **kw}
    return client.post(COMPLAINTS, headers=headers, json=body)


def step(client, headers, cid, step_, **kw):
    return client.post(f"/api/v1/complaints/{cid}/steps", headers=headers, json={"step": step_, **kw})


def sql(client, query: str) -> list[tuple]:
    """Rows of `query` on the app's own database (either backend)."""
    rt = client.app.state.runtime
    rows = client.portal.call(rt.db.read, lambda tx: tx.all(query))
    return [tuple(r.values()) if isinstance(r, dict) else tuple(r) for r in rows]
