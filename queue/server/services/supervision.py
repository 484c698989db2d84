"""Electronic supervision (电子监察): one round of checks over a hall.

Run by CaseService.check (at start and every minute) inside one write
transaction per hall. Each finding is logged once under a unique key, so a
round may run any number of times, in any number of processes:

- yellow and red cards of the cases whose clock runs (hall.supervision:
  warn_working_days, or the last warn_fraction of an hour limit);
- the statutory deadline of those cases, alarmed the same way (kind "statutory");
- suspensions standing longer than hall.supervision.suspension_cap;
- tickets still waiting near or past their category's waiting promise;
- serving steps past step_overrun_factor x the category's service time;
- years the hall needs without a loaded holiday schedule, and from
  calendar_reminder_month the reminder to load next year's.
"""
from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from onewindow.promises import WorkingCalendar, card, compute_deadline, overran
from onewindow.server.services import casework, complaints
from onewindow.server.services.halls import HallService
from onewindow.server.store import cases as cstore
from onewindow.server.store.database import Tx
from onewindow.server.store.rows import AlertRow
from onewindow.tickets import times

# As services/cases.REASON_NAMES (which imports this module).
_STOPS = {"correction": "补正材料", "expert_review": "专家评审", "hearing": "听证", "public_notice": "公示"}


def _at(ts: float, tz: tzinfo) -> datetime:
    return datetime.fromtimestamp(ts, tz)


def item_name(hall, code: str) -> str:
    item = hall.item(code)
    return item.name if item else code


def check_hall(tx: Tx, svc: HallService, cal: WorkingCalendar, now: float) -> list[AlertRow]:
    """One hall's round (in one transaction): the alerts it newly logged."""
    hall, tz, sup = svc.hall, svc.tz, svc.hall.supervision
    at_now = _at(now, tz)
    out: list[AlertRow] = []

    def alert(**kw):
        a = cstore.raise_alert(tx, hall=hall.id, now=now, **kw)
        if a is not None:
            out.append(a)

    # Yellow and red cards of the cases whose clock runs.
    for c in cstore.open_cases(tx, hall.id):
        hourly = c["promised_unit"] == "hours"
        grade = card(_at(c["deadline_at"], tz), at_now, cal, tz=tz, warn_working_days=sup.warn_working_days,
                     warn_within=timedelta(hours=c["promised_amount"] * sup.warn_fraction) if hourly else None)
        if grade == c["card"]:
            continue
        cstore.update_case(tx, c["id"], card=grade, card_at=now)
        cstore.event(tx, c, "card", now, None, card=grade, deadline=c["deadline_at"])
        if grade == cstore.GREEN:
            continue
        due = times.iso(c["deadline_at"], tz)
        name = item_name(hall, c["item"])
        message = (f"办件 {c['number']}（{name}）已超过承诺期限 {due} / case {c['number']} is overdue (due {due})"
                   if grade == cstore.RED else
                   f"办件 {c['number']}（{name}）将于 {due} 到期 / case {c['number']} is due {due}")
        alert(key=f"{hall.id}:{grade}:case:{c['id']}:{int(c['deadline_at'])}", kind=grade, level=grade,
              message=message, case_id=c["id"], category=c["category"])

    # The statutory limit (法定时限), apart from the promise: an alarm before it and one past it.
    for c in cstore.open_cases(tx, hall.id):
        law_at = c["statutory_deadline_at"]
        if law_at is None:
            continue
        hourly = c["statutory_unit"] == "hours"
        grade = card(_at(law_at, tz), at_now, cal, tz=tz, warn_working_days=sup.warn_working_days,
                     warn_within=timedelta(hours=(c["statutory_amount"] or 0) * sup.warn_fraction) if hourly else None)
        if grade == cstore.GREEN:
            continue
        due = times.iso(law_at, tz)
        message = (f"办件 {c['number']} 已超过法定期限 {due} / case {c['number']} is past its statutory limit ({due})"
                   if grade == cstore.RED else
                   f"办件 {c['number']} 将于 {due} 到达法定期限 / case {c['number']} reaches its statutory limit {due}")
        alert(key=f"{hall.id}:statutory_{grade}:case:{c['id']}:{int(law_at)}", kind="statutory", level=grade,
              message=message, case_id=c["id"], category=c["category"])

    # A suspension that has stood longer than the hall's cap (issue 15, point 9).
    cap = sup.suspension_cap
    for s in cstore.open_suspensions(tx, hall.id) if cap is not None else ():
        assert cap is not None  # for mypy: the loop runs only with a cap
        if at_now <= compute_deadline(_at(s["from_at"], tz), cap.amount, cap.unit, cal, tz).at:
            continue
        since = times.iso(s["from_at"], tz)
        alert(key=f"{hall.id}:suspension_overrun:{s['id']}", kind="suspension_overrun", level=cstore.YELLOW,
              case_id=s["case_id"], category=s["category"],
              message=f"办件 {s['number']} 自 {since} 中止（{_STOPS.get(s['reason'], s['reason'])}）已超过 "
                      f"{cap.amount} {cap.unit} / case {s['number']} suspended since {since} for longer than "
                      f"{cap.amount} {cap.unit}")

    # Key-project steps past their limit (issue 15, point 6).
    out += casework.supervise(tx, svc, now)

    # On-site waiting promises (category.target_wait_min) of tickets still waiting.
    cats = {c.code: c for c in hall.categories}
    warn = timedelta(minutes=sup.wait_warn_min)
    soonest = min(c.target_wait_min for c in hall.categories) * 60 - warn.total_seconds()
    for t in cstore.waiting_issued_before(tx, hall.id, now - max(soonest, 0)):
        cat = cats.get(t["category"])
        if cat is None:
            continue
        due_at = _at(t["issued_at"] + cat.target_wait_min * 60, tz)
        grade = card(due_at, at_now, cal, tz=tz, warn_within=warn)
        if grade == cstore.GREEN:
            continue
        message = (f"{t['number']} 等候已超过 {cat.target_wait_min} 分钟承诺 / {t['number']} has waited past "
                   f"the {cat.target_wait_min}-minute promise" if grade == cstore.RED else
                   f"{t['number']} 即将超过 {cat.target_wait_min} 分钟等候承诺 / {t['number']} is about to wait "
                   f"past the {cat.target_wait_min}-minute promise")
        alert(key=f"{hall.id}:wait_promise:{t['id']}:{grade}", kind="wait_promise", level=grade,
              message=message, ticket_id=t["id"], category=cat.code)

    # A serving step that ran far past the category's expected service time.
    factor = sup.step_overrun_factor
    shortest = min(c.default_service_min for c in hall.categories) * factor * 60
    for t in cstore.serving_started_before(tx, hall.id, now - shortest):
        cat = cats.get(t["category"])
        if cat is None:
            continue
        limit_min = cat.default_service_min * factor
        if not overran(_at(t["started_at"], tz), timedelta(minutes=limit_min), at_now):
            continue
        w = hall.window(t["window_id"]) if t["window_id"] else None
        where = w.name if w else (t["window_id"] or "")
        alert(key=f"{hall.id}:step_overrun:{t['id']}:{int(t['started_at'])}", kind="step_overrun",
              level=cstore.YELLOW, ticket_id=t["id"], category=cat.code,
              message=f"{where} 办理 {t['number']} 已超过 {limit_min:g} 分钟 / {t['number']} has been served "
                      f"for over {limit_min:g} minutes")
    cstore.settle_ticket_alerts(tx, hall.id, now=now)

    out += calendar_alerts(tx, svc, cal, now, cstore.open_provisional_spans(tx, hall.id))
    out += complaints.supervise(tx, svc, cal, now)  # each complaint's clocks (issue 15, point 1)
    return out

def calendar_alerts(tx: Tx, svc: HallService, cal: WorkingCalendar, now: float,
                     spans: list[tuple[float, float]]) -> list[AlertRow]:
    """Years the hall needs without a loaded schedule (today's, and those provisional
    deadlines run through), and from November the reminder for next year."""
    hall, tz = svc.hall, svc.tz
    today = _at(now, tz).date()
    missing = set() if cal.is_loaded(today.year) else {today.year}
    for first, last in spans:
        missing.update(y for y in range(_at(first, tz).year, _at(last, tz).year + 1) if not cal.is_loaded(y))
    out: list[AlertRow] = []
    for year in sorted(missing):
        a = cstore.raise_alert(
            tx, key=f"{hall.id}:calendar_missing:{year}", hall=hall.id, kind="calendar_missing",
            level=cstore.RED, now=now,
            message=f"{year} 年节假日安排尚未加载，期限为临时计算 / the {year} holiday schedule is not loaded: "
                    "deadlines are provisional; an administrator should load it")
        if a is not None:
            out.append(a)
    upcoming = today.year + 1
    if today.month >= hall.supervision.calendar_reminder_month and not cal.is_loaded(upcoming):
        a = cstore.raise_alert(
            tx, key=f"{hall.id}:calendar_reminder:{upcoming}", hall=hall.id, kind="calendar_missing",
            level=cstore.YELLOW, now=now,
            message=f"请加载国务院 {upcoming} 年节假日安排 / load the State Council's {upcoming} holiday schedule")
        if a is not None:
            out.append(a)
    return out
