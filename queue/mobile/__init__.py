"""The mobile outlet (流动服务网点, 000 第五条(三), 第十六条(一)): pure rules, no I/O.

- A visit is published at least PUBLISH_LEAD_DAYS days before it happens (announced to the towns).
- Each town an outlet serves is visited at least VISITS_PER_MONTH times in every month it is served.
- Sync (services/sync.py): the van's rows are copied to the centre in numbered batches; the rules for
  ids, clocks and a case both sides changed are the functions below.
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, time

PUBLISH_LEAD_DAYS = 3  # 000 第十六条(一): the schedule is announced at least three days ahead
VISITS_PER_MONTH = 2  # 000 第五条(三): at least twice a month
CLOCK_DRIFT_S = 60.0  # a van clock further off than this from the centre's is flagged


class VisitError(ValueError):
    """A visit breaking a rule; `code` names the rule."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class Visit:
    town: str
    day: date
    start: time
    end: time


def check_visit(visit: Visit, today: date) -> None:
    """Refuse a visit published (or moved) less than PUBLISH_LEAD_DAYS days ahead, or with its hours backwards."""
    if visit.end <= visit.start:
        raise VisitError("结束时间须晚于开始时间 / the visit must end after it starts", "bad_hours")
    lead = (visit.day - today).days
    if lead < PUBLISH_LEAD_DAYS:
        raise VisitError(f"流动服务须至少提前{PUBLISH_LEAD_DAYS}天公布 / a visit must be published at least "
                         f"{PUBLISH_LEAD_DAYS} days ahead ({visit.day} is {lead} day(s) away)", "too_late")


def check_change(old_day: date, today: date) -> None:
    """A published visit close at hand is not moved or cancelled silently either: the towns rely on it."""
    if (old_day - today).days < PUBLISH_LEAD_DAYS:
        raise VisitError(f"{old_day} 的流动服务已临近，不能更改 / the visit on {old_day} is less than "
                         f"{PUBLISH_LEAD_DAYS} days away and cannot be changed", "too_late")


def thin_towns(visits: list[Visit], month: str) -> dict[str, int]:
    """The towns visited fewer than VISITS_PER_MONTH times in `month` (YYYY-MM), among the towns the
    outlet serves (any visit in its schedule): town -> visits that month."""
    towns = {v.town for v in visits}
    counts = Counter(v.town for v in visits if f"{v.day:%Y-%m}" == month)
    return {t: counts.get(t, 0) for t in sorted(towns) if counts.get(t, 0) < VISITS_PER_MONTH}


# ----- sync ---------------------------------------------------------------------------------------

# Tables in the order the centre applies them: parents before the rows that point at them.
SYNC_TABLES = ("ticket", "case_file", "case_suspension", "rating", "rectification_task",
               "ticket_event", "case_event", "audit_log")
# Append-only: sent once, after the high-water mark. The others change and are sent again when touched.
APPEND_ONLY = ("ticket_event", "case_event", "audit_log")
# What each row's reference columns point at (translated to the centre's ids through the mapping).
REFERENCES: dict[str, dict[str, str]] = {
    "ticket": {},
    "case_file": {"ticket_id": "ticket"},
    "case_suspension": {"case_id": "case_file"},
    "rating": {"ticket_id": "ticket", "case_id": "case_file"},
    "rectification_task": {"rating_id": "rating", "ticket_id": "ticket"},
    "ticket_event": {"ticket_id": "ticket"},
    "case_event": {"case_id": "case_file"},
    "audit_log": {},
}
# Personal fields: re-encrypted for the journey (transport key), never plain in the payload.
PERSONAL = {"ticket": ("phone_enc",), "case_file": ("applicant_name_enc", "applicant_phone_enc")}
# The case fields whose change means "the centre changed this case".
CASE_STATE = ("status", "deadline_at", "completed_at", "closed_reason", "card", "statutory_deadline_at")


def row_digest(row: dict, fields: tuple[str, ...] = CASE_STATE) -> str:
    """A fingerprint of a row's state, to tell later whether someone else changed it."""
    return hashlib.sha256(json.dumps([row.get(f) for f in fields], default=str).encode()).hexdigest()


def case_conflict(mapped_digest: str | None, central_now: dict | None) -> bool:
    """The centre changed the case since the van last saw it (the stored fingerprint is the state the
    last sync wrote or the van last pulled)."""
    return central_now is not None and mapped_digest is not None and row_digest(central_now) != mapped_digest


def resolve_case(van: dict, central: dict, conflict: bool) -> dict:
    """The rule for a case the centre changed while the van was away: the centre's state stands (it is
    the record the applicant and supervisors already saw: completion, withdrawal, a suspension by the
    back office); the van's events are kept all the same (appended to the case's history), and the
    manager is shown the conflict. Without a conflict the van's state is the latest and is taken."""
    if not conflict:
        return van
    return {**van, **{f: central[f] for f in CASE_STATE if f in central}}


def clock_offset(sent_at: float, received_at: float) -> float:
    """The van's clock against the centre's (seconds; positive: the van is behind); transit time is in it."""
    return round(received_at - sent_at, 3)


def drifted(offset_s: float) -> bool:
    return abs(offset_s) > CLOCK_DRIFT_S
