"""The outbox in a running app: idempotent enqueue, the file channel, daily limit,
quiet hours, opted-out, and the sender's lease recovery (injected clock)."""
from __future__ import annotations

import json

import pytest
from support.clock import at
from support.wait import wait_until

from onewindow.server.store import outbox

PHONE = "13812345678"


def enqueue(client, **kw):
    rt = client.app.state.runtime
    args = {"hall": "eco", "kind": "ticket_called", "phone": PHONE, "params": {"number": "A001", "window": "1号窗口"},
            "event_key": "ticket:1:called"}
    args.update(kw)
    return client.portal.call(rt.db.write, lambda tx: rt.notifier.enqueue(tx, **args))


def row(client, mid):
    rt = client.app.state.runtime
    return client.portal.call(rt.db.read, outbox.get, mid)


def rows(client):
    rt = client.app.state.runtime
    return client.portal.call(rt.db.read, lambda tx: [dict(r) for r in tx.all(
        "SELECT id, event_key, state, last_error, next_try_at, recipient, body FROM notify_outbox ORDER BY id")])


def test_the_same_event_twice_is_one_message_and_the_file_channel_sends_it(client, settings):
    first = enqueue(client)
    again = enqueue(client)
    assert first is not None and again == first
    assert len(rows(client)) == 1
    wait_until(lambda: row(client, first)["state"] == "sent", timeout=20, what="the file channel's send")
    log = settings.data_dir / "notify" / "eco.log"
    lines = [json.loads(x) for x in log.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 1
    assert lines[0]["text"] == "【生态环境局】请A001号到1号窗口办理。"
    assert lines[0]["to"] == "138****5678"  # the demo's log never holds the number
    assert log.stat().st_mode & 0o777 == 0o600
    stored = rows(client)[0]
    assert PHONE not in stored["recipient"]  # encrypted at rest
    assert row(client, first)["provider_id"] == f"file:{first}"


def test_the_daily_limit_holds_back_and_records(make_client, demo_config):
    cfg = demo_config(replace={'channel = "file"': 'channel = "file"\ndaily_limit = 2'})
    client = make_client(cfg)
    ids = [enqueue(client, event_key=f"e{i}") for i in range(4)]
    assert ids[0] and ids[1] and ids[2] is None and ids[3] is None
    limited = [r for r in rows(client) if r["last_error"] == outbox.LIMITED]
    assert [r["event_key"] for r in limited] == ["e2", "e3"] and {r["state"] for r in limited} == {"failed"}
    assert enqueue(client, event_key="e0") == ids[0]  # the same event again: still its message
    # another recipient is not limited by this one
    assert enqueue(client, event_key="other", phone="13900000000") is not None


def test_quiet_hours_only_delay(client, clock):
    clock.set(at(2026, 11, 23, 22, 30))
    mid = enqueue(client, event_key="late")
    assert mid is not None
    assert row(client, mid)["next_try_at"] == at(2026, 11, 24, 8, 0).timestamp()
    rt = client.app.state.runtime
    assert client.portal.call(rt.notifier.round, "eco") is False  # not due yet: nothing claimed
    assert row(client, mid)["state"] == "queued"
    clock.set(at(2026, 11, 24, 8, 0))
    assert client.portal.call(rt.notifier.round, "eco") is True
    assert row(client, mid)["state"] == "sent"


@pytest.mark.parametrize("phone", ["12345678901", "1381234567", "abc", ""])
def test_a_malformed_phone_queues_nothing(client, phone):
    assert enqueue(client, phone=phone, event_key=f"bad-{phone}") is None
    assert rows(client) == []


def test_an_unknown_kind_or_missing_parameter_queues_nothing(client):
    assert enqueue(client, kind="nonsense", event_key="x") is None
    assert enqueue(client, params={"number": "A001"}, event_key="y") is None
    assert rows(client) == []


def test_channel_off_queues_nothing(make_client, demo_config):
    client = make_client(demo_config(replace={'channel = "file"': 'channel = "off"'}))
    assert enqueue(client) is None


def test_an_expired_claim_goes_back_unless_it_was_submitted(client, clock):
    """A sender that died: its claims expire after lease_s; the one it had begun to submit is in doubt.
    (Enqueued in quiet hours, so the app's own sender, whose clock stays there, takes none of them.)"""
    rt = client.app.state.runtime
    clock.set(at(2026, 11, 23, 22, 30))
    a, b = enqueue(client, event_key="a"), enqueue(client, event_key="b")
    morning = at(2026, 11, 24, 8, 0).timestamp()

    def dead_sender(tx):
        claimed = outbox.claim(tx, "eco", "dead:1:x", morning, 60, 10)
        assert outbox.intend(tx, claimed[0]["id"], "dead:1:x", morning, 60)
        return [c["id"] for c in claimed]

    claimed = client.portal.call(rt.db.write, dead_sender)
    assert set(claimed) == {a, b}
    # before the lease ends nothing moves
    assert client.portal.call(rt.db.write, outbox.recover, "eco", morning + 59) == (0, 0)
    requeued, doubt = client.portal.call(rt.db.write, outbox.recover, "eco", morning + 61)
    assert (requeued, doubt) == (1, 1)
    got = {r["id"]: (r["state"], r["last_error"]) for r in rows(client)}
    assert got[claimed[0]][0] == "failed" and got[claimed[0]][1].startswith("in_doubt")
    assert got[claimed[1]] == ("queued", None)
    # the dead sender's late answer changes nothing: the row is no longer its claim
    client.portal.call(rt.db.write, outbox.sent, claimed[1], "dead:1:x", "late", morning + 62)
    assert row(client, claimed[1])["state"] == "queued"


def test_the_runtime_starts_a_sender_for_each_hall_with_a_channel(client):
    rt = client.app.state.runtime
    assert {t.get_name() for t in rt.notifier._tasks if not t.done()} == {"onewindow-notify-eco"}


def test_check_phone_for_the_api_edges():
    from onewindow.server.errors import Invalid
    from onewindow.server.services.notifications import check_phone

    assert check_phone(None) is None and check_phone("  ") is None
    assert check_phone("+86 138-1234-5678") == "13812345678"
    with pytest.raises(Invalid) as e:
        check_phone("12345")
    assert e.value.code == "bad_phone"
