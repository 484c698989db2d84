"""DLE EOT real-time status: the queries and what the replies mean.

Ours because python-escpos never asks DLE EOT 2 (why the printer stopped: cover,
error) and its paper_status() reads no reply as "paper adequate".
"""

from __future__ import annotations

from collections.abc import Sequence

from .status import PrinterStatus

DLE, EOT = b"\x10", b"\x04"

# DLE EOT n accepts n = 1..4 (printer, offline cause, error cause, paper sensor).
STATUS_KINDS = (1, 2, 4)


def status_query(kind: int) -> bytes:
    """DLE EOT n, a real-time request the printer answers with one byte."""
    if kind not in (1, 2, 3, 4):
        raise ValueError("DLE EOT accepts n = 1..4")
    return DLE + EOT + bytes([kind])


STATUS_QUERY = b"".join(status_query(n) for n in STATUS_KINDS)


def _valid(byte: int) -> bool:
    # Every DLE EOT reply has bits 1 and 4 set and bits 0 and 7 clear.
    return byte & 0x93 == 0x12


def parse_status(reply: bytes, kinds: Sequence[int] = STATUS_KINDS) -> PrinterStatus:
    """Turn the replies to ``kinds`` (sent in that order) into a PrinterStatus.

    An empty reply is an offline printer: never read silence as "paper adequate".
    """
    if not reply:
        return PrinterStatus(offline=True, detail="no status reply")
    answers = {kind: byte for kind, byte in zip(kinds, reply, strict=False) if _valid(byte)}
    printer, cause, paper = answers.get(1), answers.get(2), answers.get(4)
    details: list[str] = []

    paper_out = bool(paper is not None and paper & 0x60) or bool(cause is not None and cause & 0x20)
    near_end = bool(paper is not None and paper & 0x0C) and not paper_out
    stopped = printer is not None and bool(printer & 0x08)
    if cause is not None:
        for bit, text in ((0x04, "cover open"), (0x40, "printer error"), (0x08, "paper being fed")):
            if cause & bit:
                details.append(text)
    # A stop explained by paper end alone is reported as paper_out, not offline.
    offline = bool(cause is not None and cause & 0x44) or (stopped and not paper_out)
    if stopped and not details and not paper_out:
        details.append("printer reports offline")
    if paper_out:
        details.append("paper out")
    elif near_end:
        details.append("paper near end")
    unknown = any(kind not in answers for kind in kinds)
    if unknown:
        details.append("incomplete status reply")
    return PrinterStatus(
        offline=offline,
        paper_out=paper_out,
        paper_near_end=near_end,
        unknown=unknown,
        detail=", ".join(details),
    )
