"""How many SMS segments a text takes (3GPP TS 23.038).

GSM-7 when every character is in the default alphabet or its extension table
(an extension character takes two septets): 160 septets in one segment, 153 in
each part of a longer one (the concatenation header takes the rest). Otherwise
UCS-2 (any Chinese text): 70 characters, 67 per part; a character outside the
Basic Multilingual Plane takes two units.
"""
from __future__ import annotations

from dataclasses import dataclass

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM_EXTENDED = frozenset("^{}\\[~]|€\f")

SINGLE = {"gsm7": 160, "ucs2": 70}
PART = {"gsm7": 153, "ucs2": 67}


@dataclass(frozen=True)
class Segments:
    encoding: str  # gsm7 | ucs2
    units: int  # septets (gsm7) or UTF-16 code units (ucs2)
    segments: int

    @property
    def single(self) -> bool:
        return self.segments <= 1


def is_gsm7(text: str) -> bool:
    return all(c in GSM_BASIC or c in GSM_EXTENDED for c in text)


def count_segments(text: str) -> Segments:
    if is_gsm7(text):
        enc, units = "gsm7", sum(2 if c in GSM_EXTENDED else 1 for c in text)
    else:
        enc, units = "ucs2", len(text.encode("utf-16-be")) // 2
    if units <= SINGLE[enc]:
        return Segments(enc, units, 1 if units else 0)
    return Segments(enc, units, -(-units // PART[enc]))
