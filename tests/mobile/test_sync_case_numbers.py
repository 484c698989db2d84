"""Issue 17: a van's case numbers, made offline, are unique across the deployment: two vans whose
ids begin alike (both would derive HP-DONGSHAN) number apart with their configured prefixes, and
neither meets the fixed hall's numbers of the same day once synced."""
from __future__ import annotations

import contextlib

from support.accounts import login
from support.halls import demo_text
from support.mobile import ITEM, Van, make_centre, today, van_text

VANS = {"dongshan-east": "HP-DSE", "dongshan-west": "HP-DSW"}


def city() -> str:
    """The demo hall and two vans, each van its own case_prefix (the file refuses them without)."""
    out = [demo_text()]
    for hall, prefix in VANS.items():
        text = van_text(hall)
        out.append(text.replace('kind = "mobile"', f'kind = "mobile"\ncase_prefix = "{prefix}"', 1))
    return "\n".join(out)


def test_vans_synced_cases_never_share_a_number(tmp_path, settings):
    with make_centre(tmp_path, settings, text=city()) as centre, contextlib.ExitStack() as stack:
        vans = [Van(tmp_path / hall, hall, centre) for hall in VANS]
        for v in vans:
            stack.callback(v.stop)
            v.outfit()
            v.serve()
            v.day(5)  # cases at the 1st and 4th ticket
            v.cli()
        eco = accept_at_centre(centre, "eco")
        day = today().isoformat().replace("-", "")
        assert eco == f"HP-{day}-0001"
        cases = centre.sql("SELECT hall, number FROM case_file ORDER BY hall, number")
        assert [(c["hall"], c["number"]) for c in cases] == [
            *((hall, f"{prefix}-{day}-{i:04d}") for hall, prefix in VANS.items() for i in (1, 2)), ("eco", eco)]


def accept_at_centre(centre, hall: str) -> str:
    """A case accepted at `hall`'s window w1, at the centre: its number."""
    clerk = login(centre.http, "zhangwei", keep_cookie=False)
    r = centre.http.post("/api/v1/devices/pair", json={"code": centre.code(hall, "kiosk")})
    kiosk = {"X-Device-Token": r.json()["device_token"]}
    assert centre.http.post(f"/api/v1/halls/{hall}/windows/w1/sign-in", headers=clerk).status_code == 200
    r = centre.http.post(f"/api/v1/halls/{hall}/tickets", json={"category": "eia"}, headers=kiosk)
    assert r.status_code == 201, r.text
    tid = r.json()["id"]
    assert centre.http.post(f"/api/v1/halls/{hall}/windows/w1/next", headers=clerk).json()["id"] == tid
    assert centre.http.post(f"/api/v1/tickets/{tid}/start", headers=clerk).status_code == 200
    r = centre.http.post(f"/api/v1/tickets/{tid}/complete", headers=clerk, json={"outcome": "accepted", "case": {
        "item": ITEM, "applicant_name": "张三", "applicant_phone": "13812345678", "project": "扩建"}})
    assert r.status_code == 200, r.text
    return r.json()["case"]["number"]
