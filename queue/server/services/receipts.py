"""The papers a window hands out: the case receipt 《接收单》 and the one-time
notification 《一次性告知单》, filled from a case or a ticket. Applicants appear
masked only (the case as CaseService.case_public gives it)."""
from __future__ import annotations

from datetime import datetime

from onewindow.printer import CaseReceipt, MissingMaterialsNotice
from onewindow.server.config import Hall, Item
from onewindow.server.errors import Invalid


def case_receipt(hall: Hall, case: dict, clerk_name: str, track_url: str | None = None) -> CaseReceipt:
    """`case` is CaseService.case_public's answer: times in ISO, applicant masked; `track_url` the
    applicant's tracking page (its QR code and short link are printed)."""
    deadline = datetime.fromisoformat(case["deadline"])
    window = hall.window(case["window"]) if case["window"] else None
    return CaseReceipt(
        case_number=case["number"],
        item_name=case["item_name"],
        applicant_masked=case["applicant_name"] or "—",
        accepted_at=datetime.fromisoformat(case["accepted_at"]),
        # Day limits end with their last day: print the date; hour limits print the time.
        deadline=deadline.date() if case["promised"]["unit"] != "hours" else deadline,
        deadline_provisional=bool(case["provisional"]),
        window_name=window.name if window else (case["window"] or "—"),
        clerk_name=clerk_name or "—",
        query_hint=hall.receipt_hint + (" 流动服务网点受理：联网同步后可扫码查询 / accepted by a mobile outlet: "
                                       "trackable by the QR code after sync" if hall.kind == "mobile" else ""),
        track_url=track_url,
    )


def checked_missing(item: Item, missing: list[str]) -> list[str]:
    """The ticked materials in checklist order; a material not on the item's checklist is a 422."""
    wanted = [m.strip() for m in missing if m.strip()]
    if not wanted:
        raise Invalid("missing: tick at least one missing material", "invalid", field="missing")
    unknown = [m for m in wanted if m not in item.materials]
    if unknown:
        raise Invalid(f"missing: {unknown[0]!r} is not on the checklist of {item.code!r}", "invalid",
                       field="missing")
    return [m for m in item.materials if m in wanted]


def missing_notice(hall: Hall, item: Item, missing: list[str], window: str | None, clerk_name: str,
                   now: float) -> MissingMaterialsNotice:
    w = hall.window(window) if window else None
    return MissingMaterialsNotice(
        item_name=item.name, missing=missing, provided=[m for m in item.materials if m not in missing],
        clerk_name=clerk_name or "—", window_name=w.name if w else (window or "—"),
        issued_at=datetime.fromtimestamp(now, hall.tz), hall_name=hall.name)
