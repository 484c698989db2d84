"""The van takes the published schedule with it (issue 18 point 1; issue 17 point 1): its visits are
the days it opens and takes tickets (services/halls.py), and on the road it only has its own
database, so `sync --pull` (and every sync) copies the centre's visits of the outlet, cancelled ones
as cancelled; the centre stays the schedule's one home."""
from __future__ import annotations

import sqlite3
from datetime import timedelta

from support.mobile import today


def van_visits(van) -> list[tuple]:
    con = sqlite3.connect(van.data / "onewindow.db")
    try:
        return list(con.execute("SELECT day, town, start, \"end\", categories, status FROM mobile_visit "
                                "WHERE hall = 'van1' ORDER BY day"))
    finally:
        con.close()


def test_the_outfit_carries_the_published_visits(centre, vans):
    days = [(today() + timedelta(days=n)).isoformat() for n in (4, 6, 8)]
    ids = []
    for day in days:
        r = centre.http.post("/api/v1/halls/van1/visits", headers=centre.manager, json={
            "town": "东山镇", "place": "东山镇政府广场", "day": day, "start": "09:00", "end": "12:00",
            "categories": ["eia"]})
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    r = centre.http.delete(f"/api/v1/halls/van1/visits/{ids[2]}", headers=centre.manager)
    assert r.status_code == 200, r.text
    r = centre.http.post("/api/v1/halls/van2/visits", headers=centre.manager, json={
        "town": "西岭乡", "place": "乡政府", "day": days[0], "start": "09:00", "end": "12:00", "categories": ["eia"]})
    assert r.status_code == 201, r.text

    van = vans("van1")
    van.outfit()
    assert van_visits(van) == [(days[0], "东山镇", "09:00", "12:00", '["eia"]', "published"),
                               (days[1], "东山镇", "09:00", "12:00", '["eia"]', "published"),
                               (days[2], "东山镇", "09:00", "12:00", '["eia"]', "cancelled")]
    # Moved at the centre: the next pull brings the change (the van's copy is replaced, not added to).
    r = centre.http.put(f"/api/v1/halls/van1/visits/{ids[1]}", headers=centre.manager, json={
        "town": "东山镇", "place": "村委会", "day": days[1], "start": "13:00", "end": "16:00", "categories": ["eia"]})
    assert r.status_code == 200, r.text
    van.cli("--pull")
    assert [v[2:4] for v in van_visits(van)] == [("09:00", "12:00"), ("13:00", "16:00"), ("09:00", "12:00")]
