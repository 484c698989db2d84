"""Issue 18, point 3: only a paired van's signed requests sync: a tampered payload, an unsigned one,
an unknown or revoked van, a device that is not a van, a row of another outlet: refused (401/403)
and audited; two vans offline on the same day: no id or number clash at the centre."""
from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import httpx
from support.accounts import ADMIN_PASSWORD, login
from support.mobile import sync_state

from onewindow.server.services.sync import sign


def signed(outlet: dict, body: bytes, path: str = "/api/v1/sync/changes", device=None, token=None,
           sent_body: bytes | None = None) -> httpx.Response:
    h = hashlib.sha256((token or outlet["device_token"]).encode()).hexdigest()
    sent = "1764700000.000"
    headers = {"content-type": "application/json", "x-onewindow-device": str(device or outlet["device"]),
               "x-onewindow-sent-at": sent, "x-onewindow-signature": sign(h, "POST", path, sent, body)}
    return httpx.post(outlet["central"] + path, content=body if sent_body is None else sent_body, headers=headers)


def refusals(centre) -> list[dict]:
    admin = login(centre.http, "admin", ADMIN_PASSWORD, keep_cookie=False)
    r = centre.http.get("/api/v1/audit", headers=admin, params={"action": "sync_refused", "limit": 50})
    assert r.status_code == 200, r.text
    return [json.loads(e["data"]) if isinstance(e["data"], str) else e["data"] for e in r.json()["entries"]]


def test_tampered_unsigned_unpaired_refused_and_audited(centre, vans):
    van = vans("van1")
    van.outfit()
    outlet = json.loads((van.data / "outlet.json").read_text())
    assert signed(outlet, b"{}").status_code == 200
    # A batch whose rows were changed after signing.
    body = json.dumps({"seq": 1, "rows": {}, "marks": {}}).encode()
    forged = json.dumps({"seq": 1, "rows": {"ticket": [{"id": 1, "hall": "van1"}]}, "marks": {}}).encode()
    r = signed(outlet, body, "/api/v1/sync/batches", sent_body=forged)
    assert r.status_code == 401 and r.json()["code"] == "bad_signature"
    r = httpx.post(outlet["central"] + "/api/v1/sync/batches", content=body)
    assert r.status_code == 401 and r.json()["code"] == "sync_unsigned"
    r = signed(outlet, b"{}", device=987654)  # a van the centre never paired
    assert r.status_code == 401 and r.json()["code"] == "device_revoked"
    # A kiosk of the outlet (a paired device, but no van) cannot sync.
    r = centre.http.post("/api/v1/devices/pair", json={"code": centre.code("van1", "kiosk")})
    kiosk = r.json()
    r = signed(outlet, b"{}", device=kiosk["device"]["id"], token=kiosk["device_token"])
    assert r.status_code == 403 and r.json()["code"] == "not_a_van"
    # A van sending another outlet's rows.
    body = json.dumps({"seq": 1, "rows": {"ticket": [{"id": 1, "hall": "van2", "number": "A001"}]}}).encode()
    r = signed(outlet, body, "/api/v1/sync/batches")
    assert r.status_code == 403 and r.json()["code"] == "foreign_row"
    # Revoked: the sync command fails, the centre says why.
    r = centre.http.delete(f"/api/v1/devices/{outlet['device']}", headers=centre.admin)
    assert r.status_code == 200, r.text
    out = van.cli(check=False)
    assert out.returncode == 1 and "device_revoked" in out.stderr
    codes = [e["code"] for e in refusals(centre)]
    assert sorted(codes) == sorted(["bad_signature", "sync_unsigned", "device_revoked", "not_a_van",
                                    "device_revoked"]), codes
    assert {e["path"] for e in refusals(centre)} >= {"/api/v1/sync/batches", "/api/v1/sync/changes"}
    # Nothing of the forged batch reached the centre.
    assert centre.sql("SELECT count(*) AS n FROM ticket WHERE hall LIKE 'van%'")[0]["n"] == 0


def test_two_vans_same_day_no_clash(centre, vans):
    v1, v2 = vans("van1"), vans("van2")
    for v in (v1, v2):
        v.outfit()
        v.serve()
        v.day(4)
        v.cli()
    local = {}
    for v in (v1, v2):
        con = sqlite3.connect(v.data / "onewindow.db")
        local[v.hall] = sorted(con.execute("SELECT id, number FROM ticket"))
        con.close()
    assert [i for i, _ in local["van1"]] == [i for i, _ in local["van2"]]  # each van numbers from 1 offline
    tickets = centre.sql("SELECT id, hall, number, service_day FROM ticket WHERE hall IN ('van1', 'van2')")
    assert len(tickets) == 8 and len({t["id"] for t in tickets}) == 8
    assert sorted((t["hall"], t["number"]) for t in tickets) == [
        (h, f"A00{i}") for h in ("van1", "van2") for i in range(1, 5)]
    cases = centre.sql("SELECT id, hall, number FROM case_file WHERE hall IN ('van1', 'van2')")
    assert len({c["number"] for c in cases}) == len(cases) == 2
    assert {c["number"].split("-")[1] for c in cases} == {"VAN1", "VAN2"}
    # Each van's events point at its own tickets at the centre.
    bad = centre.sql("SELECT count(*) AS n FROM ticket_event e JOIN ticket t ON t.id = e.ticket_id "
                     "WHERE e.hall != t.hall")
    assert bad[0]["n"] == 0
    assert Path(v1.data / "outlet.json").stat().st_mode & 0o077 == 0  # the van's credential: owner only


def test_a_number_the_centre_gave_meanwhile_is_refused_not_lost(centre, vans):
    van = vans("van1")
    van.outfit()
    van.serve()
    van.day(2)
    # Meanwhile the centre issued van1's A001 itself (its queue served there, online).
    r = centre.http.post("/api/v1/halls/van1/devices/pairing-codes", headers=centre.admin,
                         json={"kind": "kiosk", "name": "k"})
    kiosk = centre.http.post("/api/v1/devices/pair", json={"code": r.json()["code"]}).json()["device_token"]
    r = centre.http.post("/api/v1/halls/van1/tickets", json={"category": "eia"}, headers={"X-Device-Token": kiosk})
    assert r.status_code == 201 and r.json()["number"] == "A001", r.text
    out = van.cli(check=False)
    assert out.returncode == 1 and "number_clash" in out.stderr
    assert centre.sql("SELECT count(*) AS n FROM ticket WHERE hall = 'van1'")[0]["n"] == 1  # nothing half-applied
    st = sync_state(van)
    assert st["pending"]["seq"] == 1  # kept, to be sent again once settled
