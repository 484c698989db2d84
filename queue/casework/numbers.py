"""Case numbers (办件编号): HP-20261123-0001, the outlet's prefix, the service day, a sequence.

Applicants quote the number on 12369, at any window and on the tracking page, and the bureau
looks cases up across outlets: a number is unique across the whole deployment, forever.
- Each outlet has its own prefix: `case_prefix` in its [[halls]] block, or the default: "HP" for
  the first fixed (comprehensive or special) outlet of the file (a one-hall deployment keeps its
  numbers), "HP-" and the first 8 characters of the hall id, upper case, for every other outlet
  (a van: HP-VAN1-20261203-0001, as before).
- No two outlets share a prefix (`case_prefixes` refuses the file), and the sequence is counted per
  prefix and day (not per hall): a prefix that moves to another hall carries its count with it.
- A number splits back from the right (`parts`), so distinct prefixes give distinct numbers.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

CASE_PREFIX = "HP"
DERIVED_CHARS = 8  # of the hall id, in a derived prefix
# A number stays on one line of a 58 mm receipt (26 characters at body size; printer/layout.py),
# well within the 32 characters it is stored in; a derived prefix is 11 (HP-DONGSHAN).
PREFIX_MAX = 12
PREFIX_PATTERN = rf"^[A-Z][A-Z0-9_-]{{0,{PREFIX_MAX - 1}}}$"
_NUMBER = re.compile(r"^(?P<prefix>.+)-(?P<day>\d{8})-(?P<seq>\d{4,})$")


def default_prefix(hall_id: str, first_fixed: bool) -> str:
    return CASE_PREFIX if first_fixed else f"{CASE_PREFIX}-{hall_id.upper()[:DERIVED_CHARS]}"


def case_prefixes(halls: Iterable[tuple[str, str, str | None]]) -> dict[str, str]:
    """Each outlet's prefix, from (hall id, kind, configured prefix or None) in file order.
    ValueError naming both outlets when two would number alike."""
    out: dict[str, str] = {}
    owner: dict[str, str] = {}
    first_fixed = True
    for hid, kind, given in halls:
        fixed = kind != "mobile"
        prefix = given or default_prefix(hid, first_fixed and fixed)
        if fixed:  # the first fixed outlet holds the default even when it names its own prefix
            first_fixed = False
        if prefix in owner:
            raise ValueError(
                f"halls {owner[prefix]!r} and {hid!r} would both number their cases {prefix}-YYYYMMDD-NNNN: "
                f"give each its own case_prefix (a case number must be unique across all outlets)")
        owner[prefix] = hid
        out[hid] = prefix
    return out


def case_number(prefix: str, day: str, seq: int) -> str:
    """`day` ISO (2026-11-23): HP-20261123-0001."""
    return f"{prefix}-{day.replace('-', '')}-{seq:04d}"


def parts(number: str) -> tuple[str, str, int] | None:
    """(prefix, ISO day, sequence) of a case number; None for anything else."""
    m = _NUMBER.match(number)
    if m is None:
        return None
    d = m["day"]
    return m["prefix"], f"{d[:4]}-{d[4:6]}-{d[6:]}", int(m["seq"])
