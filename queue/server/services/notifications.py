"""Messages to applicants through the durable outbox (store/outbox.py).

`Notifier.enqueue(tx, ...)` runs inside the caller's transaction: one INSERT
(and the daily-limit count), so a ticket called or a case accepted and its
message commit together or not at all, and the hot path never waits on a
gateway. A sender round per hall, started by runtime.py, claims due messages
with a lease and hands them to the hall's channel (services/channels/).

Guarantee (exactly what the code does):
- at most once per event: event_key is unique, so the same event enqueued
  twice (two processes, a restart) is one message;
- a message is handed to the gateway only after its intent (submit_at) is
  committed, and at most once: a sender that dies (kill -9) leaves its claims
  to expire after `lease_s`; those without an intent go back to the queue and
  are sent by any process, the one (at most one per sender: one in flight at a
  time) with an intent but no recorded outcome becomes `failed` with
  last_error "in_doubt" and is NOT resent, visible to the manager;
- the gateway down or throttling: nothing was handed over, so the message is
  retried with backoff (onewindow.notify.policy) up to max_tries, then failed.
"""
from __future__ import annotations

import asyncio
import collections
import functools
import hashlib
import hmac
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from onewindow.notify import InvalidPhone, TemplateError, backoff_s, normalize_phone, over_daily_limit
from onewindow.notify.receipts import outcome
from onewindow.notify.templates import LANGS, render_counted
from onewindow.server.config import Config
from onewindow.server.config.notify import NotifyRules
from onewindow.server.errors import Invalid
from onewindow.server.services.channels import Channel, ChannelDown, InDoubt, Outgoing, Rejected, open_channel
from onewindow.server.store import outbox
from onewindow.server.store.crypto import Box
from onewindow.server.store.database import Database, Tx

log = logging.getLogger("onewindow.notify")

RECEIPT_FLUSH_S = 0.05
KINDS = ("ticket_near", "ticket_called", "case_accepted", "case_suspended", "case_resumed", "case_completed",
         "case_rate_invite", "rectification_result",
         "complaint_received", "complaint_result",
         "appointment_reminder_day", "appointment_reminder_hour", "appointment_slot_gone",
         "key_project_booking", "visit_changed")


def check_phone(phone: str | None) -> str | None:
    """For the API edges that take a phone: '' or None -> None, a mobile number -> its 11 digits,
    anything else -> Invalid (422 bad_phone)."""
    if phone is None or not str(phone).strip():
        return None
    try:
        return normalize_phone(str(phone))
    except InvalidPhone as exc:
        raise Invalid(str(exc), "bad_phone") from None


class Notifier:
    def __init__(self, config: Config, db: Database, clock: Callable[[], float], box: Box, data_dir: Path,
                 channels: dict[str, Channel] | None = None):
        self.halls = {h.id: h for h in config.halls}
        self.db = db
        self.clock = clock
        self.box = box
        self.data_dir = Path(data_dir)
        self._rkey = box.derive("notify recipient")[0]
        # Who holds a claim: host, process and a random part (a restarted process is another owner).
        self.owner = f"{socket.gethostname()[:32]}:{os.getpid()}:{secrets.token_hex(4)}"
        self.channels: dict[str, Channel] = dict(channels or {})
        self._wake: dict[str, asyncio.Event] = {}
        self._down_until: dict[str, float] = {}
        self._down_count: dict[str, int] = {}
        self._next_send: dict[str, float] = {}  # monotonic: when the hall's next message may go (rate_per_s)
        self._tasks: list[asyncio.Task] = []
        self._stopping = False
        # Receipts that came before their message's 'sent' was committed (SMSCs answer fast): kept a while.
        self._receipts: set[asyncio.Future] = set()
        self._receipt_buf: list[tuple[str, str, str, str]] = []
        self._early: collections.OrderedDict[tuple[str, str], tuple[str, str, float]] = collections.OrderedDict()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None

    def rules(self, hall: str) -> NotifyRules | None:
        h = self.halls.get(hall)
        return None if h is None else h.notify

    # ----- enqueue: inside the caller's transaction ----------------------------------------------

    def enqueue(self, tx: Tx, *, hall: str, kind: str, phone: str, params: dict, event_key: str,
                lang: str = "zh") -> int | None:
        """Inside the caller's transaction (store.database Tx). Returns the message id, or None when
        not sent: the hall's channel is off, the phone is not a mobile number, the template cannot be
        filled (logged), or the recipient's daily limit is reached (recorded as failed 'daily_limit').
        Quiet hours only delay. Opted-out is the caller's decision. The same event_key twice: the
        first message's id, nothing new stored."""
        rules = self.rules(hall)
        if rules is None or rules.channel == "off":
            return None
        lang = lang if lang in LANGS else "zh"
        try:
            number = normalize_phone(phone)
            body, seg = render_counted(kind, params, lang, rules.signature)
        except (InvalidPhone, TemplateError) as exc:
            log.warning("message %s for %s not queued: %s", kind, event_key, exc)
            return None
        now = self.clock()
        tz = self.halls[hall].tz
        local = datetime.fromtimestamp(now, tz)
        day = local.date().isoformat()
        rh = self.recipient_hash(number)
        row: dict[str, Any] = dict(hall=hall, channel=rules.channel, kind=kind, event_key=event_key[:160],
                                   recipient=self.box.encrypt(number), recipient_hash=rh, day=day, lang=lang,
                                   body=body, segments=seg.segments, now=now)
        # A soft limit: two processes enqueuing for one person at the same instant may both pass it.
        if rules.daily_limit and over_daily_limit(outbox.count_for_recipient(tx, rh, day), rules.daily_limit):
            mid, created = outbox.insert(tx, **row, state="failed", next_try_at=now, last_error=outbox.LIMITED)
            if not created:
                prior = outbox.existing(tx, event_key[:160])
                return mid if prior and prior["last_error"] != outbox.LIMITED else None
            return None
        due = rules.quiet.next_allowed(local).timestamp()
        mid, created = outbox.insert(tx, **row, state="queued", next_try_at=due)
        if created:
            self.wake(hall)
        return mid

    def recipient_hash(self, number: str) -> str:
        return hmac.new(self._rkey, number.encode(), hashlib.sha256).hexdigest()

    def wake(self, hall: str) -> None:
        """Tell the hall's sender to look now (from any thread; it may be before the commit, so it
        looks again shortly after, and polls anyway)."""
        loop, ev = self._loop, self._wake.get(hall)
        if loop is None or ev is None:
            return
        if threading.get_ident() == self._loop_thread:  # a hot write on the loop: no self-pipe wake-up needed
            loop.call_later(0.02, ev.set)
            return
        try:
            loop.call_soon_threadsafe(loop.call_later, 0.02, ev.set)
        except RuntimeError:  # the loop closed
            pass

    # ----- the sender -----------------------------------------------------------------------------

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        for hid, h in self.halls.items():
            if h.notify.channel == "off":
                continue
            ch = self.channels.get(hid)
            if ch is None:
                ch = open_channel(hid, h.notify, self.data_dir, functools.partial(self._on_receipt, hid))
                if ch is None:
                    continue
                self.channels[hid] = ch
            await ch.open()
            self._wake[hid] = asyncio.Event()
            self._tasks.append(asyncio.create_task(self._run(hid), name=f"onewindow-notify-{hid}"))

    async def stop(self, grace_s: float = 15.0) -> None:
        """Finish the message in flight (up to `grace_s`), put unsent claims back, close the channels."""
        self._stopping = True
        for ev in self._wake.values():
            ev.set()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=grace_s)
        for t in self._tasks:
            t.cancel()
        for t in self._tasks:
            try:
                await t
            except (asyncio.CancelledError, Exception):  # stopping
                pass
        self._tasks.clear()
        try:
            await self.db.write(outbox.release, self.owner, self.clock())
        except Exception:  # the database may be closing: the leases expire instead
            log.warning("could not release the outbox claims; they expire after the lease")
        for ch in self.channels.values():
            await ch.close()
        await asyncio.sleep(0)  # receipts the channels handed over while closing
        self._flush_receipts()
        if self._receipts:
            await asyncio.gather(*self._receipts, return_exceptions=True)

    async def _run(self, hall: str) -> None:
        rules = self.rules(hall)
        assert rules is not None
        ev = self._wake[hall]
        last_recover = float("-inf")
        while not self._stopping:
            busy = False
            try:
                now = self.clock()
                if now - last_recover >= min(rules.lease_s / 2, 5):
                    last_recover = now
                    requeued, doubt = await self.db.write(outbox.recover, hall, now)
                    if requeued or doubt:
                        log.warning("outbox %s: %d expired claims queued again, %d in doubt (not resent)",
                                    hall, requeued, doubt)
                    await self._retry_early()
                busy = await self.round(hall)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("notification round of %s failed", hall)
            if not busy:
                try:
                    await asyncio.wait_for(ev.wait(), rules.poll_s)
                except TimeoutError:
                    pass
                ev.clear()

    async def round(self, hall: str) -> bool:
        """Claim and send one batch; True when there was something to send (look again at once)."""
        rules = self.rules(hall)
        ch = self.channels.get(hall)
        if rules is None or ch is None:
            return False
        now = self.clock()
        if now < self._down_until.get(hall, 0):
            return False
        batch = await self.db.write(outbox.claim, hall, self.owner, now, rules.lease_s, rules.batch)
        if not batch:
            return False
        pending: Callable[[Tx], None] | None = None  # the last message's outcome, committed with the next intent
        sent_pid: str | None = None
        for n, msg in enumerate(batch):
            if self._stopping:  # a graceful stop: the rest of the batch back to the queue at once
                await self.db.write(_settle_down, pending, [r["id"] for r in batch[n:]], self.owner, self.clock())
                await self._early_receipt(hall, ch.name, sent_pid)
                return False
            now = self.clock()
            ok = await self.db.write(_intend, pending, msg["id"], self.owner, now, rules.lease_s)
            pending = None
            await self._early_receipt(hall, ch.name, sent_pid)
            sent_pid = None
            if not ok:
                continue  # the claim was taken over (this sender was too slow): not ours to send
            await self._pace(hall, rules.rate_per_s)
            out = Outgoing(id=msg["id"], hall=hall, phone=self.box.decrypt(msg["recipient"]), text=msg["body"],
                           kind=msg["kind"], event_key=msg["event_key"])
            try:
                pid = await ch.send(out)
            except ChannelDown as exc:
                pending = self._retry(msg, rules, str(exc))
                self._channel_down(hall, str(exc))
                rest = batch[n + 1:]
                await self.db.write(_settle_down, pending, [r["id"] for r in rest], self.owner, self.clock())
                return False
            except Rejected as exc:
                pending = functools.partial(outbox.failed, msg_id=msg["id"], owner=self.owner, error=str(exc),
                                            now=self.clock())
            except InDoubt as exc:
                pending = functools.partial(outbox.failed, msg_id=msg["id"], owner=self.owner,
                                            error=f"in_doubt: {exc}", now=self.clock())
            except Exception as exc:  # a channel bug: treat as in doubt, never resend blindly
                log.exception("channel %s failed on message %s", ch.name, msg["id"])
                pending = functools.partial(outbox.failed, msg_id=msg["id"], owner=self.owner,
                                            error=f"in_doubt: {type(exc).__name__}", now=self.clock())
            else:
                pending = functools.partial(outbox.sent, msg_id=msg["id"], owner=self.owner, provider_id=pid,
                                            now=self.clock())
                sent_pid = pid
                self._down_count[hall] = 0
        if pending is not None:
            await self.db.write(_apply, pending)
            await self._early_receipt(hall, ch.name, sent_pid)
        return True

    async def _pace(self, hall: str, rate: float) -> None:
        """Keep to the gateway account's rate (messages a second), so it never has to throttle us."""
        if rate <= 0:
            return
        now = time.monotonic()
        at = max(self._next_send.get(hall, now), now)
        self._next_send[hall] = at + 1 / rate
        if at > now:
            await asyncio.sleep(at - now)

    async def _retry_early(self, limit: int = 200) -> None:
        """Receipts kept because their message was not yet recorded as sent, perhaps by another process
        (an SMSC may hand a receipt to any bind of the account): tried again; forgotten after an hour."""
        now = self.clock()
        for (channel, pid), (result, stat, at) in list(self._early.items())[:limit]:
            if now - at > 3600:
                self._early.pop((channel, pid), None)
                continue
            if now - at < 1:
                continue
            if await self.db.write(outbox.receipt, channel, pid, result, stat, now):
                self._early.pop((channel, pid), None)

    async def _early_receipt(self, hall: str, channel: str, pid: str | None) -> None:
        """A receipt that arrived before its message was recorded as sent: apply it now."""
        if pid is None:
            return
        early = self._early.pop((channel, pid), None)
        if early is not None:
            result, stat, _at = early
            await self.db.write(outbox.receipt, channel, pid, result, stat, self.clock())

    def _retry(self, msg: dict, rules: NotifyRules, error: str) -> Callable[[Tx], None]:
        now = self.clock()
        if msg["tries"] >= rules.max_tries:
            return functools.partial(outbox.failed, msg_id=msg["id"], owner=self.owner,
                                     error=f"gave up after {msg['tries']} tries: {error}", now=now)
        return functools.partial(outbox.retry, msg_id=msg["id"], owner=self.owner,
                                 next_try_at=now + backoff_s(msg["tries"], msg["id"]), error=error, now=now)

    def _channel_down(self, hall: str, error: str) -> None:
        k = self._down_count.get(hall, 0) + 1
        self._down_count[hall] = k
        self._down_until[hall] = self.clock() + backoff_s(k)
        log.warning("notification channel of %s down (%d): %s", hall, k, error)

    def _on_receipt(self, hall: str, provider_id: str, stat: str) -> None:
        """From the channel's thread: a delivery receipt. Receipts are recorded in groups, one
        write every RECEIPT_FLUSH_S, so a busy gateway's receipts cost the writer few transactions."""
        result = outcome(stat)
        loop = self._loop
        if result is None or loop is None:
            return
        ch = self.channels.get(hall)
        item = (ch.name if ch is not None else "", provider_id, result, stat)

        def add() -> None:
            self._receipt_buf.append(item)
            if len(self._receipt_buf) == 1:
                loop.call_later(RECEIPT_FLUSH_S, self._flush_receipts)

        try:
            loop.call_soon_threadsafe(add)
        except RuntimeError:
            pass

    def _flush_receipts(self) -> None:
        batch, self._receipt_buf = self._receipt_buf, []
        if not batch:
            return

        async def record() -> None:
            try:
                missed = await self.db.write(_receipts, batch, self.clock())
            except Exception as exc:
                log.warning("recording %d delivery receipts failed: %s", len(batch), exc)
                return
            now = self.clock()
            for channel, pid, result, stat in missed:  # 'sent' not committed yet, or another process sent it
                self._early[(channel, pid)] = (result, stat, now)
            while len(self._early) > 10_000:
                self._early.popitem(last=False)

        t = asyncio.ensure_future(record())
        self._receipts.add(t)  # held until done (the loop keeps only weak references)
        t.add_done_callback(self._receipts.discard)

    # ----- the manager's view -----------------------------------------------------------------

    async def summary(self, hall: str) -> dict:
        from onewindow.server.store.crypto import mask_phone

        data = await self.db.read(outbox.summary, hall)
        tz = self.halls[hall].tz
        for f in data["failures"]:
            f["recipient"] = mask_phone(self.box.decrypt(f.pop("recipient")))
            f["updated_at"] = datetime.fromtimestamp(f["updated_at"], tz).isoformat(timespec="seconds")
        by_state = {s: 0 for s in outbox.STATES}
        for c in data["counts"]:
            by_state[c["state"]] = by_state.get(c["state"], 0) + c["n"]
        rules = self.rules(hall)
        return {"hall": hall, "channel": rules.channel if rules else "off", "states": by_state,
                "retrying": data["retrying"], "by_channel": data["counts"], "failures": data["failures"]}

    async def metric_families(self) -> list:
        """For /metrics: the outbox now per hall, channel and state (gauge), and counters of messages
        handed to a gateway, delivered and failed per hall, channel and kind (they only grow)."""
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        now = GaugeMetricFamily("onewindow_notify_outbox", "Messages in the outbox now by state",
                                labels=["hall", "channel", "state"])
        handed = CounterMetricFamily("onewindow_notify_sent", "Messages handed to a gateway (sent or delivered)",
                                     labels=["hall", "channel", "kind"])
        segs = CounterMetricFamily("onewindow_notify_sent_segments", "SMS segments handed to a gateway",
                                   labels=["hall", "channel"])
        delivered = CounterMetricFamily("onewindow_notify_delivered", "Messages with a delivery receipt",
                                        labels=["hall", "channel", "kind"])
        failed = CounterMetricFamily("onewindow_notify_failed", "Messages failed (refused, in doubt, gave up, "
                                     "daily limit)", labels=["hall", "channel", "kind"])
        rows = await self.db.read(outbox.counts)
        by_state: dict[tuple, int] = collections.Counter()
        sent: dict[tuple, int] = collections.Counter()
        seg: dict[tuple, int] = collections.Counter()
        for r in rows:
            by_state[(r["hall"], r["channel"], r["state"])] += r["n"]
            if r["state"] in ("sent", "delivered"):
                sent[(r["hall"], r["channel"], r["kind"])] += r["n"]
                seg[(r["hall"], r["channel"])] += r["segs"]
            if r["state"] == "delivered":
                delivered.add_metric([r["hall"], r["channel"], r["kind"]], r["n"])
            if r["state"] == "failed":
                failed.add_metric([r["hall"], r["channel"], r["kind"]], r["n"])
        for hid, h in self.halls.items():  # every state of every hall's channel, zeros too
            if h.notify.channel != "off":
                for st in outbox.STATES:
                    by_state.setdefault((hid, h.notify.channel, st), 0)
        for key, n in sorted(by_state.items()):
            now.add_metric(list(key), n)
        for key, n in sorted(sent.items()):
            handed.add_metric(list(key), n)
        for key, n in sorted(seg.items()):
            segs.add_metric(list(key), n)
        return [now, handed, segs, delivered, failed]


def _receipts(tx: Tx, batch: list[tuple[str, str, str, str]], now: float) -> list[tuple[str, str, str, str]]:
    """Record receipts; those that matched no sent message."""
    return [r for r in batch if outbox.receipt(tx, r[0], r[1], r[2], r[3], now) == 0]


def _apply(tx: Tx, fn: Callable[[Tx], None]) -> None:
    fn(tx)


def _intend(tx: Tx, pending: Callable[[Tx], None] | None, msg_id: int, owner: str, now: float,
            lease_s: float) -> bool:
    if pending is not None:
        pending(tx)
    return outbox.intend(tx, msg_id, owner, now, lease_s)


def _settle_down(tx: Tx, pending: Callable[[Tx], None] | None, rest: list[int], owner: str, now: float) -> None:
    """The channel went down (or the sender stops) mid-batch: the last outcome recorded, the rest of
    the batch unclaimed."""
    if pending is not None:
        pending(tx)
    outbox.release_ids(tx, owner, rest, now)

