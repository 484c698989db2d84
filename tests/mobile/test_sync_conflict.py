"""Issue 18, point 3: a case the centre changed while the van was away (suspended by the back office)
and the van changed too (another visit of the applicant): the centre's state stands, the van's step
joins the case's history, the manager sees a sync_conflict alert; the van takes back the status.
A van whose clock is off by ten minutes: the offset recorded with the batch, a clock_drift alert."""
from __future__ import annotations

import asyncio
import json
import sqlite3
import time

from support.accounts import login

from onewindow.server.services.sync import run_sync


def test_case_changed_at_both_ends_centre_wins_and_manager_sees_it(centre, vans):
    van = vans("van1")
    van.outfit()
    van.serve()
    van.ticket()
    case = van.serve_one(case=True, rating=None)["case"]
    van.cli()
    [central] = centre.sql("SELECT id, status FROM case_file WHERE number = :n", {"n": case["number"]})
    clerk = login(centre.http, "zhangwei", keep_cookie=False)
    r = centre.http.post(f"/api/v1/cases/{central['id']}/suspend", headers=clerk,
                         json={"reason": "correction", "notice": "补正材料 / more documents", "missing": ["营业执照"]})
    assert r.status_code == 200, r.text
    # Meanwhile in the van: the applicant came back (a visit).
    r = van.http.post(f"/api/v1/cases/{case['id']}/visit", headers=van.clerk, json={"note": "又来一次"})
    assert r.status_code == 200, r.text
    van.cli()
    [after] = centre.sql("SELECT status, visits FROM case_file WHERE id = :id", {"id": central["id"]})
    assert after["status"] == "suspended" and after["visits"] == 2
    types = [e["type"] for e in centre.sql("SELECT type FROM case_event WHERE case_id = :id ORDER BY id",
                                           {"id": central["id"]})]
    assert "suspended" in types and "visit" in types
    r = centre.http.get("/api/v1/halls/van1/alerts", headers=centre.manager)
    assert r.status_code == 200, r.text
    alerts = r.json() if isinstance(r.json(), list) else r.json().get("alerts", [])
    assert [a for a in alerts if a["kind"] == "sync_conflict" and case["number"] in a["message"]], alerts
    board = centre.http.get("/api/v1/halls/van1/dashboard", headers=centre.manager).json()
    assert [a for a in board["now"]["alerts"] if a["kind"] == "sync_conflict"], board["now"]["alerts"]  # dashboard
    con = sqlite3.connect(van.data / "onewindow.db")
    try:
        assert con.execute("SELECT status FROM case_file WHERE id = ?", (case["id"],)).fetchone()[0] == "suspended"
    finally:
        con.close()


def test_drifted_clock_recorded_and_alerted(centre, vans):
    van = vans("van1")
    van.outfit()
    outlet = json.loads((van.data / "outlet.json").read_text())
    out = asyncio.run(run_sync(van.data, outlet, False, clock=lambda: time.time() - 600))
    assert 590 < out["offset_s"] < 660  # nothing to send: the pull measured it
    van.serve()  # a day's work: the batches carry the van's clock too
    van.day(2)
    out = asyncio.run(run_sync(van.data, outlet, False, clock=lambda: time.time() - 600))
    assert out["batches"] >= 1
    assert all(590 < b["offset_s"] < 660 for b in centre.sql("SELECT offset_s FROM sync_batch WHERE outlet = 'van1'"))
    [a] = centre.sql("SELECT level, message FROM supervision_alert WHERE kind = 'clock_drift' AND hall = 'van1'")
    assert "+6" in a["message"]
