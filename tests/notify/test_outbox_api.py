"""The manager's outbox view and the /metrics figures."""
from __future__ import annotations

from support.accounts import Staff
from support.notify import enqueue, message, smpp_config
from support.wait import wait_until


def test_the_manager_sees_counts_and_masked_failures(make_client, smsc, demo_config):
    client = make_client(smpp_config(smsc.port, daily_limit=1))
    staff = Staff(client)
    boss, clerk = staff.user("boss", role="manager"), staff.user("xiaoli")
    ok = enqueue(client, event_key="one")
    assert enqueue(client, event_key="two") is None  # the daily limit: recorded as failed
    wait_until(lambda: message(client, ok)["state"] == "delivered", timeout=20, what="the receipt")
    smsc.down()
    late = enqueue(client, event_key="three", phone="13987654321")
    wait_until(lambda: message(client, late)["tries"] == 1 and message(client, late)["state"] == "queued",
               timeout=20, what="a refused try")

    r = client.get("/api/v1/halls/eco/outbox", headers=boss)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["channel"] == "smpp"
    assert out["states"] == {"queued": 1, "sending": 0, "sent": 0, "delivered": 1, "failed": 1}
    assert out["retrying"] == 1
    fails = {f["recipient"]: f for f in out["failures"]}
    assert set(fails) == {"138****5678", "139****4321"}
    assert fails["138****5678"]["last_error"] == "daily_limit"
    assert fails["139****4321"]["last_error"].startswith("SMSC unreachable") and fails["139****4321"]["tries"] == 1
    assert "13812345678" not in r.text and "13987654321" not in r.text and "body" not in r.text

    assert client.get("/api/v1/halls/eco/outbox", headers=clerk).status_code == 403
    assert client.get("/api/v1/halls/nowhere/outbox", headers=boss).status_code == 404

    metrics = client.get("/metrics").text
    assert 'onewindow_notify_outbox{channel="smpp",hall="eco",state="queued"} 1.0' in metrics
    assert 'onewindow_notify_outbox{channel="smpp",hall="eco",state="sending"} 0.0' in metrics
    assert 'onewindow_notify_delivered_total{channel="smpp",hall="eco",kind="ticket_called"} 1.0' in metrics
    assert 'onewindow_notify_failed_total{channel="smpp",hall="eco",kind="ticket_called"} 1.0' in metrics
    assert 'onewindow_notify_sent_segments_total{channel="smpp",hall="eco"} 1.0' in metrics
    assert "13812345678" not in metrics
