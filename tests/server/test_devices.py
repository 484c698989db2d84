"""Paired devices and remote tickets (issue 13, point 1): a manager pairs a
kiosk with a one-time code; the paired kiosk issues freely while a script
taking tickets without a device is stopped with 429 and Retry-After; remote
tickets take at most their share of a category's daily cap; a revoked device
stops working at once; pairing and revocation are audited."""
from __future__ import annotations

import pytest
from support.devices import code, pair
from support.halls import HALL, demo_config

from onewindow.server.config.halls import Limits
from onewindow.server.services.limits import RemoteLimits, TokenBuckets

REMOTE = {"X-Device-Token": ""}  # a phone or a script: no device


def issue(client, headers=None, category="eia"):
    return client.post(f"/api/v1/halls/{HALL}/tickets", json={"category": category}, headers=headers or {})


def audit_actions(client) -> list[tuple]:
    rt = client.app.state.runtime

    def fn(tx):
        return [(r["actor"], r["action"]) for r in tx.all("SELECT actor, action FROM audit_log ORDER BY id")]

    return client.portal.call(rt.db.read, fn)


def test_a_script_is_stopped_while_a_paired_kiosk_keeps_issuing(make_client, clock):
    client = make_client()
    # The script: a burst of 3 (a person takes one or two), then 429 with Retry-After.
    assert [issue(client, REMOTE).status_code for _ in range(3)] == [201, 201, 201]
    r = issue(client, REMOTE)
    assert r.status_code == 429
    body = r.json()
    assert body["code"] == "rate_limited" and "取号" in body["error"] and "try again" in body["error"]
    wait = int(r.headers["Retry-After"])
    assert wait == body["retry_after"] and 0 < wait <= 600
    assert [issue(client, REMOTE).status_code for _ in range(20)] == [429] * 20
    # The paired kiosk (the client's default) is not limited at all.
    issued = [issue(client) for _ in range(60)]
    assert {r.status_code for r in issued} == {201}
    assert {r.json()["channel"] for r in issued} == {"kiosk"}
    # After the wait the phone may take one again, and one only.
    clock.advance(wait)
    assert issue(client, REMOTE).status_code == 201
    assert issue(client, REMOTE).status_code == 429


def test_the_channel_is_recorded_in_the_issued_event(make_client):
    client = make_client()
    kiosk = issue(client).json()
    remote = issue(client, REMOTE).json()
    assert (kiosk["channel"], remote["channel"]) == ("kiosk", "remote")
    rt = client.app.state.runtime

    def fn(tx):
        rows = tx.all("SELECT ticket_id, data FROM ticket_event WHERE type = 'issued'")
        return {r["ticket_id"]: r["data"] for r in rows}

    data = client.portal.call(rt.db.read, fn)
    assert '"channel": "kiosk"' in data[kiosk["id"]] and '"device"' in data[kiosk["id"]]
    assert '"channel": "remote"' in data[remote["id"]] and '"device"' not in data[remote["id"]]


def test_remote_tickets_take_only_their_share_of_the_daily_cap(make_client, database_url):
    """eia: a cap of 10, remote_share 0.3: phones get 3, the door keeps the other 7."""
    config = demo_config(replace={'code = "eia"': 'code = "eia"\ndaily_cap = 10'})
    config = config.model_copy(update={"halls": (config.halls[0].model_copy(update={"limits": Limits(
        remote_per_client_per_hour=1000, remote_client_burst=1000, remote_share=0.3)}),)})
    client = make_client(config, database_url=database_url)
    remote = [issue(client, REMOTE) for _ in range(5)]
    assert [r.status_code for r in remote] == [201, 201, 201, 409, 409]
    assert remote[3].json()["code"] == "remote_cap"
    door = [issue(client) for _ in range(8)]
    assert [r.status_code for r in door] == [201] * 7 + [409]
    assert door[-1].json()["code"] == "daily_cap"
    numbers = [r.json()["number"] for r in remote[:3] + door[:7]]
    assert numbers == [f"A{i:03d}" for i in range(1, 11)]  # no number lost to a refused remote ticket


def test_pairing_code_is_one_time_and_expires(make_client, clock, staff_of):
    client = make_client(paired=False)
    _admin, clerk, boss = staff_of(client)
    # Only a manager or admin makes codes.
    r = client.post(f"/api/v1/halls/{HALL}/devices/pairing-codes", headers=clerk,
                    json={"kind": "kiosk", "name": "门口取号机"})
    assert r.status_code == 403
    c = code(client, boss, HALL, "kiosk", "门口取号机", kiosk="door")
    assert len(c) == 8 and c.isdigit()
    first = client.post("/api/v1/devices/pair", json={"code": c})
    assert first.status_code == 201
    dev = first.json()
    assert dev["device"] == {"id": dev["device"]["id"], "hall": HALL, "kind": "kiosk", "name": "门口取号机",
                             "kiosk": "door"}
    again = client.post("/api/v1/devices/pair", json={"code": c})
    assert again.status_code == 401 and again.json()["code"] == "bad_pairing_code"
    # A code is valid 10 minutes.
    late = code(client, boss, HALL, "pad", "1号窗口评价器")
    clock.advance(601)
    r = client.post("/api/v1/devices/pair", json={"code": late})
    assert r.status_code == 401 and r.json()["code"] == "bad_pairing_code"
    # The token works as the kiosk; the manager sees the device (never its token).
    assert issue(client, {"X-Device-Token": dev["device_token"]}).json()["channel"] == "kiosk"
    listed = client.get(f"/api/v1/halls/{HALL}/devices", headers=boss).json()
    assert [(d["kind"], d["name"], d["kiosk"], d["paired_by"], d["active"]) for d in listed] == \
        [("kiosk", "门口取号机", "door", "boss", True)]
    assert dev["device_token"] not in str(listed)
    assert client.get(f"/api/v1/halls/{HALL}/devices", headers=clerk).status_code == 403


def test_guessing_codes_is_stopped(make_client):
    client = make_client(paired=False)
    statuses = [client.post("/api/v1/devices/pair", json={"code": f"{i:08d}"}).status_code for i in range(12)]
    assert statuses[:10] == [401] * 10 and statuses[10:] == [429, 429]


def test_revocation_works_at_once_and_is_audited(make_client, staff_of):
    client = make_client(paired=False)
    _admin, _clerk, boss = staff_of(client)
    token = pair(client, boss, HALL, "kiosk", "门口取号机")
    kiosk = {"X-Device-Token": token}
    assert issue(client, kiosk).status_code == 201
    assert client.get(f"/api/v1/halls/{HALL}/kiosk", headers=kiosk).status_code == 200
    dev = client.get(f"/api/v1/halls/{HALL}/devices", headers=boss).json()[0]
    r = client.delete(f"/api/v1/devices/{dev['id']}", headers=boss)
    assert r.status_code == 200 and r.json()["active"] is False and r.json()["revoked_by"] == "boss"
    r = issue(client, kiosk)
    assert r.status_code == 401 and r.json()["code"] == "device_revoked"
    assert client.get(f"/api/v1/halls/{HALL}/kiosk", headers=kiosk).json()["code"] == "device_revoked"
    # A token nobody paired is refused the same way (not taken as a phone's remote ticket).
    assert issue(client, {"X-Device-Token": "made-up"}).json()["code"] == "device_revoked"
    actions = audit_actions(client)
    assert ("boss", "device_code") in actions and ("boss", "device_paired") in actions
    assert ("boss", "device_revoked") in actions


def test_only_a_kiosk_of_this_hall_issues_as_a_kiosk(make_client, staff_of):
    client = make_client(paired=False)
    _admin, _clerk, boss = staff_of(client)
    pad = pair(client, boss, HALL, "pad", "1号窗口评价器")
    r = issue(client, {"X-Device-Token": pad})
    assert r.status_code == 403 and r.json()["code"] == "wrong_device"


def test_token_buckets_per_category_and_bounded():
    limits = RemoteLimits(Limits(remote_per_client_per_hour=6, remote_client_burst=3,
                                 remote_per_category_per_minute=20))
    # 20 phones at once, each within its own limit: the category's limit stops the 21st.
    for i in range(20):
        limits.check("eia", f"10.0.0.{i}", 0.0)
    with pytest.raises(Exception) as err:
        limits.check("eia", "10.0.0.99", 0.0)
    assert err.value.code == "rate_limited" and err.value.retry_after == 3  # one a 3 s at 20 a minute
    limits.check("permit", "10.0.0.99", 0.0)  # another category is not held up
    b = TokenBuckets(1, 1.0, max_keys=100)
    for i in range(1000):
        b.take(str(i), 0.0)
    assert len(b) == 100


@pytest.fixture
def staff_of(settings):
    """`staff_of(client)`: headers of the admin, a clerk and a manager ("boss")."""
    from support.accounts import Accounts

    def make(client):
        acc = Accounts(client, settings.admin_password, keep_cookies=False)
        return acc.admin, acc.make("zhangwei"), acc.make("boss", "manager")

    return make

