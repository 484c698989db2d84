"""Only a paired rating pad rates as the window's pad (issue 13, point 3): the
attack "take the window's last-completed ticket and file a worst rating with
channel pad" fails without the pad's device token; the QR channel still uses
the ticket's own tracking token, without any device."""
from __future__ import annotations

HALL = "eco"


def test_a_pad_without_a_paired_device_cannot_rate(day):
    zhang = day.user("zhangwei")
    day.sign_in(zhang, "w1")
    t = day.issue("eia")
    day.at(60)
    day.next(zhang, "w1")
    day.act(zhang, t, "start")
    day.at(600)
    day.act(zhang, t, "complete")
    # Anyone on the network can read the window's last completed ticket ...
    last = day.get(f"/api/v1/halls/{HALL}/windows/w1/last-completed").json()["ticket"]
    url = f"/api/v1/tickets/{last['id']}/rating"
    worst = {"level": 1, "channel": "pad", "reasons": [], "comment": "forged"}
    # ... but filing a pad rating needs a paired pad: none, a kiosk's token, a made-up one.
    r = day.c.post(url, json=worst, headers={"X-Device-Token": ""})
    assert r.status_code == 401 and r.json()["code"] == "device_required"
    r = day.c.post(url, json=worst, headers={"X-Device-Token": day.c.devices.token(HALL, "kiosk")})
    assert r.status_code == 403 and r.json()["code"] == "wrong_device"
    r = day.c.post(url, json=worst, headers={"X-Device-Token": "made-up"})
    assert r.status_code == 401 and r.json()["code"] == "device_revoked"
    assert day.get(f"/api/v1/halls/{HALL}/rating-tasks", who=day.admin).json() == []  # no task opened
    # The QR page needs no device, only the ticket's token; the paired pad rates as before.
    r = day.c.post(url, json={"level": 5, "channel": "qr", "token": t["track_token"]},
                   headers={"X-Device-Token": ""})
    assert r.status_code == 201, r.text


def test_the_paired_pad_rates(day):
    zhang = day.user("zhangwei")
    day.sign_in(zhang, "w1")
    t = day.issue("eia")
    day.at(60)
    day.next(zhang, "w1")
    day.act(zhang, t, "start")
    day.at(600)
    day.act(zhang, t, "complete")
    r = day.c.post(f"/api/v1/tickets/{t['id']}/rating", json={"level": 4, "channel": "pad"},
                   headers={"X-Device-Token": day.c.devices.token(HALL, "pad")})
    assert r.status_code == 201 and r.json()["channel"] == "pad"
