"""SMPP 3.4 delivery receipts (Appendix B): the short_message of a deliver_sm
with the receipt bit of esm_class set, e.g.
`id:0000001 sub:001 dlvrd:001 submit date:2612031000 done date:2612031000 stat:DELIVRD err:000 text:...`
"""
from __future__ import annotations

import re

RECEIPT_BIT = 0x04  # esm_class: SMSC delivery receipt
FINAL_OK = frozenset({"DELIVRD"})
FINAL_FAILED = frozenset({"EXPIRED", "DELETED", "UNDELIV", "REJECTD", "UNKNOWN"})
# message_state TLV (0x0427) values to the receipt's stat words
STATES = {1: "ENROUTE", 2: "DELIVRD", 3: "EXPIRED", 4: "DELETED", 5: "UNDELIV", 6: "ACCEPTD", 7: "UNKNOWN",
          8: "REJECTD"}

_FIELD = re.compile(r"(id|stat|err):(\S*)", re.IGNORECASE)


def parse_receipt(text: str) -> tuple[str, str] | None:
    """(message id, stat word) or None when it is not a receipt."""
    found = {k.lower(): v for k, v in _FIELD.findall(text or "")}
    if "id" not in found or "stat" not in found:
        return None
    return found["id"], found["stat"].upper()


def outcome(stat: str) -> str | None:
    """'delivered', 'failed', or None for an intermediate state (ENROUTE, ACCEPTD)."""
    if stat in FINAL_OK:
        return "delivered"
    if stat in FINAL_FAILED:
        return "failed"
    return None
