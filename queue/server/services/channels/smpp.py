"""SMS over SMPP 3.4 (python-smpplib, a blocking client: it lives in a thread of
its own, and the event loop only waits on futures).

One bind_transceiver per hall: submit_sm out, submit_sm_resp with the SMSC's
message id back, deliver_sm delivery receipts in on the same bind (answered with
deliver_sm_resp), enquire_link both ways while idle. One message in flight at a
time, so "in doubt" (sent, no answer) concerns at most one message.

Texts the GSM 7-bit alphabet can carry go as data_coding 0, others (Chinese) as
UCS-2 (8); longer ones as concatenated parts (UDH), each its own submit_sm; the
first part's id is the message's id for receipts.
"""
from __future__ import annotations

import asyncio
import logging
import queue as stdqueue
import select
import socket
import threading
import time

from smpplib import consts, exceptions, gsm, smpp
from smpplib.client import Client

from onewindow.notify.receipts import RECEIPT_BIT, STATES, parse_receipt
from onewindow.server.config.notify import Smpp
from onewindow.server.services.channels import ChannelDown, InDoubt, Outgoing, Receipt, Rejected

log = logging.getLogger("onewindow.notify.smpp")

# Answers meaning "not now": the message was not taken, try again later.
TRANSIENT = frozenset({consts.SMPP_ESME_RTHROTTLED, consts.SMPP_ESME_RMSGQFUL, consts.SMPP_ESME_RSYSERR})
RECONNECT_S = 2.0


class _Broken(Exception):
    """The connection is unusable; `error` is what the waiting send gets."""

    def __init__(self, error: Exception):
        super().__init__(str(error))
        self.error = error


class SmppChannel:
    name = "smpp"

    def __init__(self, cfg: Smpp, on_receipt: Receipt):
        self.cfg = cfg
        self.on_receipt = on_receipt
        self._q: stdqueue.SimpleQueue = stdqueue.SimpleQueue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.connected = False

    async def open(self) -> None:
        self._thread = threading.Thread(target=self._run, name="onewindow-smpp", daemon=True)
        self._thread.start()

    async def send(self, msg: Outgoing) -> str:
        if self._thread is None:
            await self.open()
        loop = asyncio.get_running_loop()
        fut: asyncio.Future = loop.create_future()
        self._q.put((msg, loop, fut))
        return await fut

    async def close(self) -> None:
        self._stop.set()
        self._q.put(None)
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join, 10)

    # ----- the thread -----------------------------------------------------------------------

    def _run(self) -> None:
        client: Client | None = None
        retry_at = 0.0
        last_link = time.monotonic()
        while not self._stop.is_set():
            try:
                item = self._q.get(timeout=0.2)
            except stdqueue.Empty:
                item = None
            if item is None and self._stop.is_set():
                break
            if client is not None and item is not None:
                # Before writing a message: read what is pending, and find a connection the SMSC
                # closed meanwhile, so a message is never written into a dead connection.
                try:
                    self._poll(client)
                except Exception:  # closed, or unbound by the SMSC: connect again below
                    self._drop(client)
                    client = None
            if client is None:
                if item is None and time.monotonic() < retry_at:
                    continue
                try:
                    client = self._connect()
                    last_link = time.monotonic()
                except Exception as exc:  # whatever the library raises: the SMSC is not there
                    retry_at = time.monotonic() + RECONNECT_S
                    if item is not None:
                        _settle(item, error=ChannelDown(f"SMSC unreachable: {exc or type(exc).__name__}"))
                    continue
            try:
                if item is not None:
                    _settle(item, result=self._submit(client, item[0]))
                    last_link = time.monotonic()
                else:
                    self._poll(client)
                    if time.monotonic() - last_link > self.cfg.enquire_link_s:
                        client.send_pdu(smpp.make_pdu("enquire_link", client=client))
                        last_link = time.monotonic()
            except _Broken as b:
                self._drop(client)
                client, retry_at = None, time.monotonic() + RECONNECT_S
                if item is not None:
                    _settle(item, error=b.error)
            except (Rejected, ChannelDown, InDoubt) as exc:
                if item is not None:
                    _settle(item, error=exc)
            except Exception as exc:  # a library error: the connection may be in any state
                log.warning("SMPP connection dropped: %s", exc)
                self._drop(client)
                client, retry_at = None, time.monotonic() + RECONNECT_S
                if item is not None:
                    _settle(item, error=InDoubt(f"SMPP error while sending: {exc or type(exc).__name__}"))
        if client is not None:
            try:
                client.unbind()
            except Exception:  # closing anyway
                pass
            self._drop(client)
        while True:  # refuse what is still queued
            try:
                item = self._q.get_nowait()
            except stdqueue.Empty:
                break
            if item is not None:
                _settle(item, error=ChannelDown("SMPP channel closed"))

    def _connect(self) -> Client:
        c = Client(self.cfg.host, self.cfg.port, timeout=self.cfg.timeout_s, allow_unknown_opt_params=True,
                   logger_name="onewindow.notify.smpp.client")
        try:
            c.connect()
            # Small PDUs both ways (submit, answer, receipt, its answer): without this, Nagle's
            # algorithm and delayed ACKs hold each one for tens of milliseconds.
            c._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            c.bind_transceiver(system_id=self.cfg.system_id, password=self.cfg.secret(),
                               system_type=self.cfg.system_type)
        except Exception:
            self._drop(c)
            raise
        self.connected = True
        log.info("bound to SMSC %s:%s", self.cfg.host, self.cfg.port)
        return c

    def _drop(self, client: Client) -> None:
        self.connected = False
        try:
            client.disconnect()
        except Exception:
            pass

    def _submit(self, client: Client, msg: Outgoing) -> str:
        parts, coding, esm = gsm.make_parts(msg.text)
        dest = f"{self.cfg.country_code}{msg.phone}" if self.cfg.dest_ton == 1 else msg.phone
        ids = []
        for n, part in enumerate(parts):
            pdu = smpp.make_pdu(
                "submit_sm", client=client,
                source_addr_ton=self.cfg.source_ton, source_addr_npi=self.cfg.source_npi,
                source_addr=self.cfg.source_addr, dest_addr_ton=self.cfg.dest_ton, dest_addr_npi=self.cfg.dest_npi,
                destination_addr=dest, short_message=part, data_coding=coding, esm_class=esm,
                registered_delivery=1 if self.cfg.receipts else 0)
            try:
                client.send_pdu(pdu)
            except (exceptions.ConnectionError, OSError) as exc:
                # Nothing of the first part left us; a later part: the message is half sent.
                raise _Broken(ChannelDown(f"SMSC connection lost: {exc}") if n == 0
                              else InDoubt("connection lost between parts")) from None
            resp = self._await_resp(client, pdu.sequence)
            if resp.status != consts.SMPP_ESME_ROK:
                desc = consts.DESCRIPTIONS.get(resp.status, "unknown")
                if n == 0 and resp.status in TRANSIENT:
                    raise ChannelDown(f"SMSC: {desc} (0x{resp.status:02x})")
                if n == 0:
                    raise Rejected(f"SMSC: {desc} (0x{resp.status:02x})")
                raise InDoubt(f"part {n + 1} refused: {desc}")
            mid = resp.message_id
            ids.append(mid.decode("ascii", "replace") if isinstance(mid, bytes) else str(mid))
        return ids[0]

    def _await_resp(self, client: Client, sequence: int):
        deadline = time.monotonic() + self.cfg.timeout_s
        while True:
            if time.monotonic() > deadline:
                raise _Broken(InDoubt("no submit_sm_resp from the SMSC in time"))
            try:
                pdu = client.read_pdu()
            except TimeoutError:
                raise _Broken(InDoubt("no submit_sm_resp from the SMSC in time")) from None
            except (exceptions.ConnectionError, OSError):
                raise _Broken(InDoubt("SMSC connection lost while waiting for submit_sm_resp")) from None
            if pdu.command == "submit_sm_resp" and pdu.sequence == sequence:
                return pdu
            self._handle(client, pdu)

    def _poll(self, client: Client) -> None:
        sock = client._socket  # smpplib has no public "is there a PDU waiting"
        if sock is None:
            raise _Broken(ChannelDown("not connected"))
        while select.select([sock], [], [], 0)[0]:
            try:
                pdu = client.read_pdu()
            except (TimeoutError, exceptions.ConnectionError, OSError):
                raise _Broken(ChannelDown("SMSC closed the connection")) from None
            self._handle(client, pdu)

    def _handle(self, client: Client, pdu) -> None:
        if pdu.command == "deliver_sm":
            resp = smpp.make_pdu("deliver_sm_resp", client=client)
            resp.sequence = pdu.sequence
            client.send_pdu(resp)
            if (pdu.esm_class or 0) & RECEIPT_BIT:
                self._receipt(pdu)
        elif pdu.command == "enquire_link":
            resp = smpp.make_pdu("enquire_link_resp", client=client)
            resp.sequence = pdu.sequence
            client.send_pdu(resp)
        elif pdu.command == "unbind":
            resp = smpp.make_pdu("unbind_resp", client=client)
            resp.sequence = pdu.sequence
            client.send_pdu(resp)
            raise _Broken(ChannelDown("the SMSC unbound"))

    def _receipt(self, pdu) -> None:
        mid = getattr(pdu, "receipted_message_id", None)
        state = getattr(pdu, "message_state", None)
        text = pdu.short_message or b""
        parsed = parse_receipt(text.decode("latin-1") if isinstance(text, bytes) else str(text))
        if mid:
            pid = mid.decode("ascii", "replace").rstrip("\0") if isinstance(mid, bytes) else str(mid)
            stat = STATES.get(int(state), "UNKNOWN") if state is not None else (parsed[1] if parsed else "UNKNOWN")
        elif parsed:
            pid, stat = parsed
        else:
            return
        try:
            self.on_receipt(pid, stat)
        except Exception:  # a receipt lost is a message left "sent"
            log.exception("recording a delivery receipt failed")


def _settle(item, result=None, error: Exception | None = None) -> None:
    _msg, loop, fut = item

    def done() -> None:
        if fut.done():
            return
        if error is not None:
            fut.set_exception(error)
        else:
            fut.set_result(result)

    try:
        loop.call_soon_threadsafe(done)
    except RuntimeError:  # the loop closed: nobody waits
        pass
