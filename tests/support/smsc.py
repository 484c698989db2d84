"""A local SMSC for tests: real SMPP 3.4 PDUs over TCP on 127.0.0.1, written from
the specification (section 4: bind_transceiver, submit_sm, deliver_sm,
enquire_link, unbind, generic_nack), independent of the client library the
server uses, so a wrong PDU on either side shows.

It answers every submit_sm with a message id, sends a delivery receipt
(deliver_sm with the receipt bit, the receipted_message_id and message_state
TLVs, and the Appendix B text) when asked for one, reassembles concatenated
parts (UDH), and counts what it received. `down()` / `up()` make it unreachable
and back on the same port; `delay_s` slows each answer (a sender mid-batch),
`hold` makes it take submit_sm without ever answering (a stuck gateway).
"""
from __future__ import annotations

import collections
import socket
import struct
import threading
import time
from dataclasses import dataclass

BIND_TRANSCEIVER = 0x00000009
SUBMIT_SM = 0x00000004
DELIVER_SM = 0x00000005
UNBIND = 0x00000006
ENQUIRE_LINK = 0x00000015
GENERIC_NACK = 0x80000000
RESP = 0x80000000

ESME_ROK = 0x00
ESME_RINVCMDID = 0x03
ESME_RBINDFAIL = 0x0D
ESME_RINVPASWD = 0x0E

# GSM 03.38 default alphabet (0x1B escapes to the extension table)
GSM_BASIC = ("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
             "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM_EXT = {0x0A: "\f", 0x14: "^", 0x28: "{", 0x29: "}", 0x2F: "\\", 0x3C: "[", 0x3D: "~", 0x3E: "]", 0x40: "|",
           0x65: "€"}


@dataclass
class Received:
    message_id: str
    source: str
    dest: str
    text: str
    data_coding: int
    parts: int
    system_id: str
    at: float = 0.0  # time.monotonic() when it was complete


def _cstr(data: bytes, pos: int) -> tuple[str, int]:
    end = data.index(b"\0", pos)
    return data[pos:end].decode("latin-1"), end + 1


def _gsm_decode(data: bytes) -> str:
    out, esc = [], False
    for b in data:
        if esc:
            out.append(GSM_EXT.get(b, "?"))
            esc = False
        elif b == 0x1B:
            esc = True
        else:
            out.append(GSM_BASIC[b] if b < len(GSM_BASIC) else "?")
    return "".join(out)


def parse_submit(body: bytes) -> dict:
    """The mandatory fields of submit_sm (4.4.1) and its TLVs."""
    f: dict = {}
    pos = 0
    f["service_type"], pos = _cstr(body, pos)
    f["source_ton"], f["source_npi"] = body[pos], body[pos + 1]
    f["source"], pos = _cstr(body, pos + 2)
    f["dest_ton"], f["dest_npi"] = body[pos], body[pos + 1]
    f["dest"], pos = _cstr(body, pos + 2)
    f["esm_class"], f["protocol_id"], f["priority"] = body[pos], body[pos + 1], body[pos + 2]
    f["schedule"], pos = _cstr(body, pos + 3)
    f["validity"], pos = _cstr(body, pos)
    f["registered_delivery"], f["replace"], f["data_coding"], f["default_msg_id"], sm_len = body[pos:pos + 5]
    pos += 5
    f["short_message"] = body[pos:pos + sm_len]
    pos += sm_len
    tlvs = {}
    while pos + 4 <= len(body):
        tag, length = struct.unpack(">HH", body[pos:pos + 4])
        tlvs[tag] = body[pos + 4:pos + 4 + length]
        pos += 4 + length
    f["tlvs"] = tlvs
    return f


def pdu(command: int, seq: int, body: bytes = b"", status: int = 0) -> bytes:
    return struct.pack(">IIII", 16 + len(body), command, status, seq) + body


def receipt_body(source: str, dest: str, message_id: str, stat: str = "DELIVRD", state: int = 2) -> bytes:
    """deliver_sm carrying a delivery receipt from the SMSC to the ESME (source and dest swapped)."""
    now = time.strftime("%y%m%d%H%M", time.gmtime())
    text = (f"id:{message_id} sub:001 dlvrd:001 submit date:{now} done date:{now} stat:{stat} err:000 "
            f"text:").encode("ascii")
    body = b"\0"  # service_type
    body += bytes([1, 1]) + dest.encode() + b"\0"  # source: the handset
    body += bytes([0, 0]) + source.encode() + b"\0"  # destination: the sender's address
    body += bytes([0x04, 0, 0]) + b"\0" + b"\0"  # esm_class: receipt; protocol_id; priority; schedule; validity
    body += bytes([0, 0, 0, 0, len(text)]) + text
    mid = message_id.encode() + b"\0"
    body += struct.pack(">HH", 0x001E, len(mid)) + mid  # receipted_message_id
    body += struct.pack(">HHB", 0x0427, 1, state)  # message_state
    return body


class Smsc:
    def __init__(self, system_id: str = "onewindow", password: str = "secret", receipts: bool = True,
                 delay_s: float = 0.0):
        self.system_id, self.password = system_id, password
        self.receipts = receipts
        self.delay_s = delay_s
        self.hold = threading.Event()  # set: a stuck SMSC, submit_sm taken but never answered nor recorded
        self.held = 0
        self.port = 0
        self.lock = threading.Lock()
        self.messages: list[Received] = []
        self.binds = 0
        self.unbinds = 0
        self.enquire_links = 0
        self.receipt_acks = 0
        self.pdus_seen: collections.Counter = collections.Counter()
        self._next_id = 0
        self._parts: dict[tuple, dict[int, bytes]] = {}
        self._listener: socket.socket | None = None
        self._conns: set[socket.socket] = set()
        self._stop = threading.Event()

    # ----- control ------------------------------------------------------------------------------

    def start(self) -> Smsc:
        self._listen()
        return self

    def _listen(self) -> None:
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", self.port))
        s.listen(16)
        self.port = s.getsockname()[1]
        self._listener = s
        threading.Thread(target=self._accept, args=(s,), name="smsc-accept", daemon=True).start()

    def down(self) -> None:
        """Unreachable: the port refuses connections, the open ones are cut."""
        with self.lock:
            listener, self._listener = self._listener, None
            conns, self._conns = set(self._conns), set()
        if listener is not None:
            listener.close()
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            c.close()

    def up(self) -> None:
        self._listen()

    def stop(self) -> None:
        self._stop.set()
        self.down()

    def __enter__(self) -> Smsc:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ----- what arrived --------------------------------------------------------------------------

    def count(self) -> int:
        with self.lock:
            return len(self.messages)

    def texts(self) -> collections.Counter:
        with self.lock:
            return collections.Counter(m.text for m in self.messages)

    def received(self) -> list[Received]:
        with self.lock:
            return list(self.messages)

    # ----- the protocol ----------------------------------------------------------------------------

    def _accept(self, listener: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return  # closed: down() or stop()
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self.lock:
                if self._listener is not listener:
                    conn.close()
                    return
                self._conns.add(conn)
            threading.Thread(target=self._serve, args=(conn,), name="smsc-conn", daemon=True).start()

    def _read(self, conn: socket.socket, n: int) -> bytes:
        buf = b""
        while len(buf) < n:
            chunk = conn.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("closed")
            buf += chunk
        return buf

    def _serve(self, conn: socket.socket) -> None:
        bound_as = None
        try:
            while True:
                length, command, _status, seq = struct.unpack(">IIII", self._read(conn, 16))
                body = self._read(conn, length - 16) if length > 16 else b""
                with self.lock:
                    self.pdus_seen[command] += 1
                if command == BIND_TRANSCEIVER:
                    system_id, pos = _cstr(body, 0)
                    password, pos = _cstr(body, pos)
                    if system_id != self.system_id or password != self.password:
                        conn.sendall(pdu(command | RESP, seq, b"SMSC\0", ESME_RINVPASWD))
                        continue
                    bound_as = system_id
                    with self.lock:
                        self.binds += 1
                    conn.sendall(pdu(command | RESP, seq, b"SMSC\0"))
                elif command == SUBMIT_SM:
                    if bound_as is None:
                        conn.sendall(pdu(command | RESP, seq, b"\0", ESME_RBINDFAIL))
                        continue
                    if self.hold.is_set():
                        with self.lock:
                            self.held += 1
                        continue
                    if self.delay_s:
                        time.sleep(self.delay_s)
                    f = parse_submit(body)
                    mid = self._take(f, bound_as)
                    conn.sendall(pdu(command | RESP, seq, mid.encode() + b"\0"))
                    if self.receipts and f["registered_delivery"] & 1:
                        conn.sendall(pdu(DELIVER_SM, 0x7F000000 + seq, receipt_body(f["source"], f["dest"], mid)))
                elif command == DELIVER_SM | RESP:
                    with self.lock:
                        self.receipt_acks += 1
                elif command == ENQUIRE_LINK:
                    with self.lock:
                        self.enquire_links += 1
                    conn.sendall(pdu(command | RESP, seq))
                elif command == ENQUIRE_LINK | RESP:
                    pass
                elif command == UNBIND:
                    with self.lock:
                        self.unbinds += 1
                    conn.sendall(pdu(command | RESP, seq))
                    return
                else:
                    conn.sendall(pdu(GENERIC_NACK, seq, status=ESME_RINVCMDID))
        except (ConnectionError, OSError, struct.error):
            return
        finally:
            with self.lock:
                self._conns.discard(conn)
            conn.close()

    def _take(self, f: dict, system_id: str) -> str:
        """Record a submit_sm (or one part of a concatenated message); its message id."""
        with self.lock:
            self._next_id += 1
            mid = f"{self._next_id:08X}"
            data = f["short_message"] or f["tlvs"].get(0x0424, b"")  # or message_payload
            total = 1
            if f["esm_class"] & 0x40:  # UDHI: a concatenation header first (IE 0x00, 8-bit reference)
                udhl = data[0]
                udh, data = data[1:1 + udhl], data[1 + udhl:]
                ref, total, n = udh[2], udh[3], udh[4]
                key = (f["dest"], ref, total)
                parts = self._parts.setdefault(key, {})
                parts[n] = data
                if len(parts) < total:
                    return mid
                data = b"".join(parts[i] for i in sorted(parts))
                del self._parts[key]
            text = data.decode("utf-16-be") if f["data_coding"] == 8 else _gsm_decode(data)
            self.messages.append(Received(mid, f["source"], f["dest"], text, f["data_coding"], total, system_id,
                                          time.monotonic()))
            return mid
