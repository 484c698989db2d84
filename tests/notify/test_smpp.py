"""SMS over SMPP 3.4 against the local SMSC (tests/support/smsc.py): the exact text,
receipts, long texts in parts, a stuck and a down gateway."""
from __future__ import annotations

from support.accounts import Staff
from support.console import Desk
from support.notify import enqueue, message, smpp_config, states
from support.wait import wait_until

TEXT = "【生态环境局】请A001号到1号窗口办理。"


def test_the_smsc_receives_the_exact_text_and_its_receipt_marks_it_delivered(make_client, smsc):
    client = make_client(smpp_config(smsc.port))
    mid = enqueue(client)
    wait_until(lambda: message(client, mid)["state"] == "delivered", timeout=20, what="the delivery receipt")
    got = smsc.received()
    assert [(m.text, m.dest, m.source, m.data_coding, m.parts) for m in got] == [
        (TEXT, "8613812345678", "10690001", 8, 1)]
    row = message(client, mid)
    assert row["provider_id"] == got[0].message_id and row["tries"] == 1 and row["segments"] == 1
    assert smsc.binds == 1 and smsc.receipt_acks == 1  # one bind_transceiver; the receipt was answered


def test_a_long_text_goes_in_parts_and_arrives_whole(make_client, smsc):
    client = make_client(smpp_config(smsc.port))
    missing = ["建设项目环境影响报告书（全本）", "公众参与说明", "建设单位营业执照副本复印件", "委托书及受托人身份证明"]
    link = "https://zw.example.cn/case?id=123&t=abcdefghijklmnop"
    mid = enqueue(client, kind="case_suspended", event_key="case:1:suspended",
                  params={"number": "ECO-20261123-0001", "missing": missing, "link": link})
    wait_until(lambda: message(client, mid)["state"] == "delivered", timeout=20, what="the receipt")
    row = message(client, mid)
    assert row["segments"] == 3
    [got] = smsc.received()
    assert got.parts == 3 and got.text == row["body"]
    assert "建设单位营业执照副本复印件、委托书及受托人身份证明" in got.text


def test_an_english_text_without_signature_goes_in_the_gsm_alphabet(make_client, smsc, demo_config):
    from support.notify import notify_toml, smpp_table
    cfg = demo_config(replace={**notify_toml("smpp", smpp_table(smsc.port)),
                               'signature = "【生态环境局】"\n': 'signature = ""\n'})
    client = make_client(cfg)
    mid = enqueue(client, lang="en")
    wait_until(lambda: message(client, mid)["state"] == "delivered", timeout=20, what="the receipt")
    [got] = smsc.received()
    assert (got.text, got.data_coding) == ("Ticket A001: please go to 1号窗口 now.", 8)  # a window name in Chinese
    mid2 = enqueue(client, lang="en", event_key="ascii", params={"number": "A002", "window": "window 2"})
    wait_until(lambda: message(client, mid2)["state"] == "delivered", timeout=20, what="the receipt")
    assert [(m.text, m.data_coding) for m in smsc.received()][1] == ("Ticket A002: please go to window 2 now.", 0)


def test_a_stuck_gateway_never_slows_issuing_or_calling(make_client, smsc):
    """The SMSC takes submit_sm and never answers: the sender waits (up to timeout_s) in its own
    thread while the hall issues and calls; every issue and call is answered before the stuck
    message's timeout, and the stuck message is in doubt (not resent)."""
    client = make_client(smpp_config(smsc.port, smpp={"timeout_s": 20}))
    smsc.hold.set()
    stuck = enqueue(client, event_key="stuck")
    wait_until(lambda: smsc.held == 1, timeout=20, what="the SMSC to hold a submit_sm")
    desk = Desk(client, Staff(client))
    desk.sign_in("zhangwei", "w1")
    done = 0
    for _ in range(20):
        desk.issue("eia")
        t = desk.next("zhangwei", "w1")
        enqueue(client, event_key=f"called:{t['id']}", params={"number": t["number"], "window": "1号窗口"})
        desk.act("zhangwei", t, "complete")
        done += 1
    # All 20 issues, calls and completions were answered while the first message still waits
    # for its answer: nothing on the hot path waited for the gateway.
    assert done == 20
    assert message(client, stuck)["state"] == "sending"
    assert smsc.count() == 0


def test_the_gateway_down_for_minutes_then_back(make_client, smsc, clock):
    client = make_client(smpp_config(smsc.port))
    rt = client.app.state.runtime
    smsc.down()
    desk = Desk(client, Staff(client))
    desk.sign_in("zhangwei", "w1")
    ids = []
    for _ in range(5):
        desk.issue("eia")
        t = desk.next("zhangwei", "w1")
        ids.append(enqueue(client, event_key=f"called:{t['id']}", params={"number": t["number"], "window": "1号窗口"}))
        desk.act("zhangwei", t, "complete")
    wait_until(lambda: message(client, ids[0])["tries"] >= 1 and message(client, ids[0])["state"] == "queued",
               timeout=20, what="a failed try")
    first = message(client, ids[0])
    assert first["last_error"].startswith("SMSC unreachable") and first["next_try_at"] > clock()
    for _ in range(6):  # ten minutes down, in steps: every try refused, nothing lost
        clock.advance(100)
        client.portal.call(rt.notifier.round, "eco")
    assert set(states(client).values()) == {"queued"}
    assert message(client, ids[0])["tries"] >= 2
    smsc.up()
    clock.advance(700)  # past the longest backoff

    def all_delivered() -> bool:
        client.portal.call(rt.notifier.round, "eco")
        return set(states(client).values()) == {"delivered"}

    wait_until(all_delivered, timeout=30, what="every message delivered after the gateway came back")
    assert sorted(smsc.texts().values()) == [1] * 5  # each once


def test_an_idle_bind_is_kept_alive_and_unbound_on_stop(make_client, smsc):
    client = make_client(smpp_config(smsc.port, smpp={"enquire_link_s": 0.3}))
    mid = enqueue(client)
    wait_until(lambda: message(client, mid)["state"] == "delivered", timeout=20, what="the receipt")
    wait_until(lambda: smsc.enquire_links >= 2, timeout=20, what="enquire_link while idle")
    rt = client.app.state.runtime
    client.portal.call(rt.notifier.stop)
    wait_until(lambda: smsc.unbinds == 1, timeout=20, what="the unbind")
    assert smsc.binds == 1


def test_a_wrong_password_is_a_retry_not_a_loss(make_client, smsc, demo_config):
    from support.notify import notify_toml, smpp_table
    client = make_client(demo_config(replace=notify_toml("smpp", smpp_table(smsc.port).replace(
        'password = "secret"', 'password = "wrong"'))))
    mid = enqueue(client)
    wait_until(lambda: message(client, mid)["tries"] >= 1 and message(client, mid)["state"] == "queued", timeout=20,
               what="the refused bind")
    assert "SMSC unreachable" in message(client, mid)["last_error"] and smsc.count() == 0


def test_a_graceful_stop_finishes_the_message_in_flight_and_puts_the_rest_back(make_client, demo_config):
    from support.smsc import Smsc
    with Smsc(delay_s=0.5) as slow:
        client = make_client(smpp_config(slow.port))
        rt = client.app.state.runtime
        ids = [enqueue(client, event_key=f"k{i}", params={"number": f"A00{i}", "window": "1号窗口"}) for i in range(4)]

        def in_flight():
            return [m for m in (message(client, i) for i in ids) if m["submit_at"] is not None]

        wait_until(in_flight, timeout=20, what="a message handed to the SMSC")
        client.portal.call(rt.notifier.stop)
        rows = [message(client, i) for i in ids]
        states = [r["state"] for r in rows]
        assert "failed" not in states and "sending" not in states, states  # nothing left in doubt
        done = [r for r in rows if r["state"] in ("sent", "delivered")]
        assert 1 <= len(done) < 4 and slow.count() == len(done)
        assert all(r["tries"] == 0 for r in rows if r["state"] == "queued")  # unclaimed as if never tried


def test_the_account_rate_is_kept(make_client, smsc):
    """rate_per_s = 10: six messages take five intervals of 100 ms; asserted as a loose lower bound
    (0.3 s: the SMSC may see the first one late on a busy machine), while without the rate they
    go out within milliseconds."""
    client = make_client(smpp_config(smsc.port, rate_per_s=10))
    for i in range(6):
        enqueue(client, event_key=f"r{i}", params={"number": f"A{i:03d}", "window": "1号窗口"})
    wait_until(lambda: smsc.count() == 6, timeout=30, what="six messages")
    got = smsc.received()
    assert got[-1].at - got[0].at >= 0.3
