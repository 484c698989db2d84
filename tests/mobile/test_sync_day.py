"""Issue 18, points 2-4: a van outfitted, a day served offline, then synced: the centre's report for
the outlet equals the van's own; the case accepted offline is tracked at the centre with the
receipt's link."""
from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from support.mobile import Van, make_centre, sync_state

# Fields of a report that depend on the moment it is read, not on what happened (the open time of
# today's windows runs until now; a task's time left), and the row ids (the centre gives its own).
VOLATILE = {"generated_at", "open_s", "share", "left_s", "id", "ticket_id"}


def strip(x):
    if isinstance(x, dict):
        return {k: strip(v) for k, v in x.items() if k not in VOLATILE}
    if isinstance(x, list):
        return [strip(v) for v in x]
    return x


def test_day_offline_then_sync_reports_equal(centre, vans):
    day_then_sync(centre, vans("van1"))


def test_day_offline_then_sync_to_a_postgresql_centre(tmp_path, settings, pg_url):
    with make_centre(tmp_path, settings, pg_url) as centre:
        van = Van(tmp_path / "van1", "van1", centre)
        try:
            day_then_sync(centre, van)
        finally:
            van.stop()


def day_then_sync(centre, van):
    van.outfit()
    van.serve()
    served = van.day(7)
    cases = [s["case"] for s in served if s.get("case")]
    assert len(cases) == 2
    # Offline: nothing of the van at the centre.
    assert centre.sql("SELECT count(*) AS n FROM ticket WHERE hall = 'van1'")[0]["n"] == 0
    van.sign_out()  # the window's open time is counted until now while it is signed in
    own = van.report(van.http, van.admin)
    assert own["totals"]["issued"] == 7

    out = van.cli()
    assert '"batches"' in out.stdout
    central = van.report(centre.http, centre.manager)
    diff = [(k, central[k], own[k]) for k in own if k not in VOLATILE and strip(central.get(k)) != strip(own[k])]
    assert not diff
    assert central["totals"]["issued"] == 7 and central["cases"]
    # The bureau's view across outlets: the van's day is the outlet's.
    r = centre.http.get("/api/v1/bureau/overview", headers=centre.admin)
    assert r.status_code == 200, r.text
    outlet = next(o for o in r.json()["outlets"] if o["id"] == "van1")
    assert outlet["kind"] == "mobile" and outlet["today"]["served"] == own["totals"]["served"] == 6
    # The rectification task of the bad rating, and the waits, as the outlet's.
    assert [t["level"] for t in central["tasks"]] == [t["level"] for t in own["tasks"]] == [2]
    # Clock offset recorded (the same machine: small), the marks acknowledged.
    st = sync_state(van)
    assert st["seq"] >= 1 and st["pending"] is None and abs(st["offset_s"]) < 60
    assert centre.sql("SELECT count(*) AS n FROM sync_batch WHERE outlet = 'van1'")[0]["n"] == st["seq"]

    # The receipt's link (the van's id and token) shows the case at the centre once synced.
    link = urlparse(cases[0]["track_url"])
    q = parse_qs(link.query)
    r = centre.http.get(f"/api/v1/cases/{q['id'][0]}/progress", params={"token": q["token"][0]})
    assert r.status_code == 200, r.text
    assert r.json()["number"] == cases[0]["number"]
    # A second sync with nothing new sends nothing twice.
    before = centre.sql("SELECT count(*) AS n FROM ticket_event WHERE hall = 'van1'")[0]["n"]
    van.cli()
    assert centre.sql("SELECT count(*) AS n FROM ticket_event WHERE hall = 'van1'")[0]["n"] == before
