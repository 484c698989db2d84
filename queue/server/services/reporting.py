"""Reports and the dashboard's figures, assembled from plain rows, and their
CSV and XLSX exports.

Everything here is synchronous and CPU-bound: the endpoints run it in a
thread (`asyncio.to_thread`), never on the event loop. The figures
themselves are the pure functions of onewindow.ratings.
"""
from __future__ import annotations

import csv
import io
import math
from collections.abc import Hashable, Iterable
from datetime import date, datetime, time, timedelta

from onewindow.casework import DIRECT_TARGET, REFERRAL_REASONS, direct_rate
from onewindow.ratings import LEVELS, Policy, bad_rate, bad_rates, level_counts, thresholds
from onewindow.ratings import metrics as m
from onewindow.ratings.rectification import from_steps
from onewindow.server.config import Hall
from onewindow.tickets import times

MAX_DAYS = 400
SLOT_S = 900  # charts: 15 minutes


def targets_s(hall: Hall) -> dict[str, float]:
    return {c.code: c.target_wait_min * 60.0 for c in hall.categories}


def day_bounds(first: date, last: date, tz) -> tuple[float, float]:
    """[start of `first`, start of the day after `last`) as epoch seconds in the hall's zone."""
    start = datetime.combine(first, time(0), tz).timestamp()
    end = datetime.combine(last + timedelta(days=1), time(0), tz).timestamp()
    return start, end


def spans(first: date, last: date, length: int) -> list[tuple[date, date]]:
    """first..last cut into consecutive inclusive spans of at most `length` days."""
    out = []
    while first <= last:
        end = min(first + timedelta(days=length - 1), last)
        out.append((first, end))
        first = end + timedelta(days=1)
    return out


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _task_overdue(t: dict, now: float) -> bool:
    """Open past its due time, or closed after it."""
    end = t["closed_at"] if t.get("closed_at") is not None else now
    return end > t["due_at"]


def _figure_row(key: Hashable, name: Hashable, fig: dict) -> dict:
    return {"key": key, "name": name, **fig}


def build_report(hall: Hall, policy: Policy, rows: list[dict], ratings: list[dict], tasks: list[dict],
                 cases: list[dict], first: date, last: date, open_days: Iterable[date], now: float) -> dict:
    """The figures of service days first..last (inclusive): totals, by day,
    category, window and clerk; utilisation per window; ratings and tasks;
    promises (cases) kept."""
    tz = hall.tz
    targets = targets_s(hall)
    start, end = day_bounds(first, last, tz)
    ticket_days = {r["service_day"] for r in rows}
    open_set = set(open_days) | {date.fromisoformat(d) for d in ticket_days}
    open_hours = m.open_intervals(sorted(open_set), hall.hours.open, hall.hours.close, tz, until=now)

    by_day = m.figures_by(rows, "service_day", targets, now)
    by_cat = m.figures_by(rows, "category", targets, now)
    by_win = m.figures_by(rows, "window_id", targets, now)
    by_clerk = m.figures_by(rows, "clerk", targets, now)
    util = m.utilisation(rows, [w.id for w in hall.windows], open_hours, policy.utilisation_threshold)
    empty = m.figures([], targets)

    win_rates = bad_rates(ratings, "window_id", policy.bad_rate_threshold)
    clerk_rates = bad_rates(ratings, "clerk", policy.bad_rate_threshold)
    overall = bad_rate(ratings, policy.bad_rate_threshold)
    window_names: dict[Hashable, Hashable] = {w.id: w.name for w in hall.windows}
    cat_names = {c.code: c.name for c in hall.categories}

    cases_block = promises_kept(cases, now)

    return {
        "hall": hall.id, "hall_name": hall.name,
        "from": first.isoformat(), "to": last.isoformat(),
        "generated_at": times.iso(now, tz),
        "definitions": {
            "p90": "nearest rank: the smallest value with at least 90% of values at or below it",
            "service_level": "share of called tickets whose wait was within the category's target "
                             "(tickets still waiting past it count as missed)",
            "utilisation": "serving time (start to done) within open hours / open hours; "
                           f"below {policy.utilisation_threshold:.0%} flagged",
            "bad_rate": f"ratings of levels 1-2 / all ratings; above {policy.bad_rate_threshold:.0%} flagged",
            "direct_rate": DIRECT_DEFINITION,
        },
        "totals": m.figures(rows, targets, now),
        "by_day": [_figure_row(d.isoformat(), d.isoformat(), by_day.get(d.isoformat(), empty))
                   for d in days(first, last) if d.isoformat() in by_day or d in open_set],
        "by_category": [_figure_row(c.code, c.name, by_cat.get(c.code, empty)) for c in hall.categories]
                       + [_figure_row(k, k, v) for k, v in by_cat.items() if k not in cat_names],
        "by_window": [_figure_row(w.id, w.name, by_win.get(w.id, empty)) for w in hall.windows]
                     + [_figure_row(k, k, v) for k, v in by_win.items() if k not in window_names],
        "by_clerk": [_figure_row(k, k, v) for k, v in sorted(by_clerk.items())],
        "utilisation": [{"key": w.id, "name": w.name, **util[w.id].as_dict()} for w in hall.windows],
        "ratings": {
            **overall.as_dict(),
            "interview": overall.flagged,
            "levels": {str(k): v for k, v in level_counts(ratings).items()},
            "by_window": [{"key": k, "name": window_names.get(k, k), **v.as_dict()}
                          for k, v in sorted(win_rates.items())],
            "by_clerk": [{"key": k, "name": k, **v.as_dict()} for k, v in sorted(clerk_rates.items())],
            "tasks": {
                "opened": len(tasks),
                "closed": sum(1 for t in tasks if t["state"] == "closed"),
                "closed_on_time": sum(1 for t in tasks if t["state"] == "closed" and t["closed_at"] <= t["due_at"]),
                "overdue": sum(1 for t in tasks if _task_overdue(t, now)),
            },
        },
        "cases": cases_block,
        "period": {"start": start, "end": end},
    }


def promises_kept(cases: list[dict], now: float) -> dict:
    """Cases (store/reports.cases_between) by promise: completed kept or missed, open and overdue."""
    block: dict = {"accepted": len(cases), "completed": 0, "kept": 0, "missed": 0, "open": 0,
                   "open_overdue": 0, "visits": 0, "one_trip": 0, "one_trip_rate": None}
    for c in cases:
        if c["status"] == "completed":
            block["completed"] += 1
            block["kept" if c["completed_at"] <= c["deadline_at"] else "missed"] += 1
            # 最多跑一次: of the completed cases, those the applicant came for once.
            block["visits"] += c.get("visits", 1)
            block["one_trip"] += c.get("visits", 1) <= 1
        elif c["status"] in ("accepted", "suspended"):
            block["open"] += 1
            block["open_overdue"] += now > c["deadline_at"]
    if block["completed"]:
        block["one_trip_rate"] = block["one_trip"] / block["completed"]
    # 窗口直接办结率 (004, at least 80%): see DIRECT_DEFINITION; flagged when under the target.
    block["direct"], _, block["direct_rate"] = direct_rate(cases)
    block["direct_flagged"] = block["direct_rate"] is not None and block["direct_rate"] < DIRECT_TARGET
    return block


DIRECT_DEFINITION = (
    f"window direct-completion rate (窗口直接办结率): of the cases accepted in the period and completed, those "
    f"never suspended for {' or '.join(REFERRAL_REASONS)} (referred out of the window to an expert panel or a "
    f"hearing); below {DIRECT_TARGET:.0%} flagged")


def thresholds_block(policy: Policy, yearly: dict) -> dict:
    """The yearly thresholds judged (see add_thresholds): what a report's "thresholds" holds."""
    rate = thresholds.rate_of_levels(yearly["levels"], policy.bad_rate_threshold)
    use = thresholds.outlet_utilisation(yearly["busy_s"], yearly["open_s"], yearly["windows"],
                                        policy.utilisation_threshold)
    return {"from": yearly["from"].isoformat(), "to": yearly["to"].isoformat(),
            "bad_rate": rate.as_dict(), "interview": rate.flagged, "utilisation": use.as_dict(), "merge": use.flagged}


def add_thresholds(report: dict, policy: Policy, yearly: dict) -> None:
    """The outlet rules' yearly thresholds (issue 15, point 10), judged over the year to date and
    per outlet whatever period the report shows: `yearly` is {"from", "to" (dates), "levels"
    (ratings per level), "busy_s" (all windows), "open_s" (one window's open time), "windows"}.
    The period's own rates and shares stay as figures; the interview and merge flags are these."""
    report["thresholds"] = thresholds_block(policy, yearly)
    report["ratings"]["interview"] = report["thresholds"]["interview"]
    for u in report["utilisation"]:
        u["flagged"] = None  # one quiet window is not a quiet outlet
    report["definitions"]["thresholds"] = (
        f"over the year to date ({yearly['from'].isoformat()} to {yearly['to'].isoformat()}), per outlet: "
        f"bad ratings above {policy.bad_rate_threshold:.0%} → interview of the outlet's head; utilisation of all "
        f"windows together below {policy.utilisation_threshold:.0%} → merge")


def series(hall: Hall, rows: list[dict], day: date, now: float, step: float = SLOT_S) -> dict:
    """Arrivals and waits per 15 minutes over a day: from opening (or the first
    ticket) to closing (or now, if later)."""
    tz = hall.tz
    opens = datetime.combine(day, hall.hours.open, tz).timestamp()
    closes = datetime.combine(day, hall.hours.close, tz).timestamp()
    issued = [r["issued_at"] for r in rows if r.get("issued_at") is not None]
    called = [r["called_at"] for r in rows if r.get("called_at") is not None]
    lo = min([opens, *issued])
    lo = opens - math.ceil((opens - lo) / step) * step  # aligned on the opening's quarter hours
    # Up to closing, and on past any ticket (a point at a boundary opens the next slot).
    slots = math.ceil((max(closes, min(now, day_end(day, tz))) - lo) / step)
    points = [*issued, *called]
    if points:
        slots = max(slots, int((max(points) - lo) // step) + 1)
    hi = lo + slots * step
    buckets = m.per_interval(rows, lo, hi, step)
    return {"step_s": step, "start": lo,
            "labels": [datetime.fromtimestamp(b.start, tz).strftime("%H:%M") for b in buckets],
            "t": [b.start for b in buckets], "arrivals": [b.arrivals for b in buckets],
            "wait_mean_s": [b.wait_mean for b in buckets], "wait_max_s": [b.wait_max for b in buckets]}


def day_end(day: date, tz) -> float:
    return datetime.combine(day + timedelta(days=1), time(0), tz).timestamp()


def task_public(t: dict, tz, now: float) -> dict:
    """A rectification task as the manager sees it."""
    task = from_steps(t["opened_at"], t["due_at"], t["steps"])
    return {
        "id": t["id"], "ticket": t.get("number"), "ticket_id": t["ticket_id"], "window": t["window_id"],
        "clerk": t["clerk"], "category": t.get("category"), "level": t["level"], "reasons": t.get("reasons", []),
        "comment": t.get("comment", ""), "channel": t.get("channel"), "state": task.state,
        "rated": t.get("kind", "visit"),  # visit: the service at the window; case: the case's result
        "opened_at": times.iso(t["opened_at"], tz), "due_at": times.iso(t["due_at"], tz),
        "closed_at": times.iso(task.closed_at, tz), "overdue": task.overdue(now),
        "left_s": None if task.closed_at is not None else round(t["due_at"] - now),
        "steps": [{**s.as_dict(), "at": times.iso(s.at, tz)} for s in task.steps],
    }


# ----- exports ---------------------------------------------------------------------

# After the window (issue 14): messages per channel and kind (rows of section "message"); on the total
# row, cases rated against cases completed and the share of accepted cases looked up online.
FOLLOWUP_COLUMNS = ("messages_sent", "messages_failed", "messages_pending", "cases_completed", "cases_rated",
                    "cases_rated_share", "cases_accepted", "cases_looked_up", "cases_looked_up_share")
# Appointments (issue 16): rows of section "appointment", one per category, and the totals' row.
APPOINTMENT_COLUMNS = ("appt_booked", "appt_checked_in", "appt_late", "appt_no_show", "appt_cancelled",
                       "appt_share_of_tickets")
CSV_COLUMNS = (
    "section", "key", "name", "issued", "served", "no_show", "cancelled", "waiting",
    "wait_n", "wait_mean_s", "wait_p90_s", "walk_mean_s", "walk_p90_s", "service_mean_s", "service_p90_s",
    "service_level", "service_level_met", "service_level_total",
    "utilisation", "utilisation_flagged", "ratings", "bad_ratings", "bad_rate", "bad_rate_flagged",
    *FOLLOWUP_COLUMNS, *APPOINTMENT_COLUMNS,
)
HEADINGS_ZH = {
    "section": "分组", "key": "代码", "name": "名称", "issued": "取号数", "served": "办结数", "no_show": "过号数",
    "cancelled": "取消数", "waiting": "仍在等候", "wait_n": "已叫号数", "wait_mean_s": "平均等候(秒)",
    "wait_p90_s": "90%等候(秒)", "walk_mean_s": "平均到窗(秒)", "walk_p90_s": "90%到窗(秒)",
    "service_mean_s": "平均办理(秒)", "service_p90_s": "90%办理(秒)", "service_level": "等候达标率",
    "service_level_met": "达标数", "service_level_total": "计入数", "utilisation": "利用率",
    "utilisation_flagged": "利用率偏低", "ratings": "评价数", "bad_ratings": "差评数", "bad_rate": "差评率",
    "bad_rate_flagged": "差评率超标",
    "messages_sent": "消息已发", "messages_failed": "消息失败", "messages_pending": "消息待发",
    "cases_completed": "办件办结数", "cases_rated": "办件评价数", "cases_rated_share": "办件评价率",
    "cases_accepted": "办件受理数", "cases_looked_up": "网上查询办件数", "cases_looked_up_share": "网上查询率",
    "appt_booked": "预约数", "appt_checked_in": "按时签到", "appt_late": "迟到签到", "appt_no_show": "预约未到",
    "appt_cancelled": "预约取消", "appt_share_of_tickets": "预约占取号比",
}
SENT_STATES = ("sent", "delivered")  # handed to the gateway (delivered: and its receipt came)


def add_followup(report: dict, messages: list[dict], cases: dict) -> dict:
    """Issue 14's figures into a report: `messages` the outbox's counts in the period
    [{channel, kind, state, n}] (store/tracking.message_counts), `cases` store/tracking.case_figures."""
    groups: dict[tuple[str, str], dict] = {}
    for r in messages:
        g = groups.setdefault((r["channel"], r["kind"]), {"channel": r["channel"], "kind": r["kind"], "sent": 0,
                                                            "failed": 0, "pending": 0, "total": 0})
        g["sent" if r["state"] in SENT_STATES else "failed" if r["state"] == "failed" else "pending"] += r["n"]
        g["total"] += r["n"]
    rows = [groups[k] for k in sorted(groups)]
    report["messages"] = {"sent": sum(g["sent"] for g in rows), "failed": sum(g["failed"] for g in rows),
                          "pending": sum(g["pending"] for g in rows), "by_channel_kind": rows}
    share = lambda a, b: (a / b) if b else None  # noqa: E731
    report["cases"].update(
        tracked={"accepted": cases["accepted"], "looked_up": cases["looked_up"], "lookups": cases["lookups"],
                 "looked_up_share": share(cases["looked_up"], cases["accepted"])},
        rated={"completed": cases["completed"], "rated": cases["rated"], "bad": cases["rated_bad"],
               "rated_share": share(cases["rated"], cases["completed"])})
    report.setdefault("definitions", {}).update(
        messages="messages created in the period by channel and kind: sent (handed to the gateway, delivered "
                 "or not), failed, pending (queued, sending)",
        cases_rated="cases completed in the period that their applicant rated (once per case) / completed",
        cases_looked_up="cases accepted in the period whose progress page was opened at least once / accepted")
    return report
def add_complaints(report: dict, figures: dict) -> dict:
    """Issue 15's complaint figures into a report: `figures` from store/complaints.figures (complaints
    received in the period: by type, department, grade, source; each milestone kept, missed, running and
    its kept share; handling kept by department; callbacks by outcome, reached and still owed)."""
    out = dict(figures)
    for ms in out.get("milestones", {}).values():
        done = ms["kept"] + ms["missed"]
        ms["kept_share"] = round(ms["kept"] / done, 4) if done else None
    reached, owed = out.get("callbacks_reached", 0), out.get("callbacks_owed", 0)
    out["callback_share"] = round(reached / (reached + owed), 4) if reached + owed else None
    report["complaints"] = out
    report.setdefault("definitions", {}).update(
        complaints="complaints received in the period; a milestone is kept when done by its due time, missed "
                   "when done late or still running past it; callbacks: real-name complainants with a phone "
                   "reached after closing / those reached plus those still owed one")
    return report


def add_appointments(report: dict, counts: dict[str, dict[str, int]]) -> dict:
    """Issue 16's figures into a report: `counts` store/appointments.day_counts (bookings of the period's
    days by category and state). Per category: booked (not cancelled), checked in on time, late,
    no-shows, cancelled, still to come, and the appointments' share of the category's tickets."""
    issued = {x["key"]: x["issued"] for x in report.get("by_category", [])}
    rows = []
    for cat in sorted(counts):
        c = counts[cat]
        came = c.get("checked_in", 0) + c.get("late", 0)
        rows.append({"category": cat, "booked": sum(c.values()) - c.get("cancelled", 0),
                     "checked_in": c.get("checked_in", 0), "late": c.get("late", 0), "no_show": c.get("no_show", 0),
                     "cancelled": c.get("cancelled", 0), "to_come": c.get("booked", 0),
                     "share_of_tickets": round(came / issued[cat], 4) if issued.get(cat) else None})
    keys = ("booked", "checked_in", "late", "no_show", "cancelled", "to_come")
    report["appointments"] = {"totals": {k: sum(r[k] for r in rows) for k in keys}, "by_category": rows}
    report.setdefault("definitions", {}).update(
        appointments="bookings for the period's days: booked (not cancelled), checked in on time, late (an "
                     "ordinary ticket), no-shows, cancelled, still to come; share_of_tickets: tickets from "
                     "appointments (on time or late) / tickets issued in the category")
    return report


def complaints_sheet(ws, f: dict, bold) -> None:
    """The complaints' figures on their own XLSX sheet: received, each milestone kept / missed, by type,
    department, grade and source, callbacks."""
    ws.append(["投诉总数 Complaints received", f["received"]])
    ws.append([])
    ws.append(["时限 Milestone", "按时 Kept", "超时 Missed", "进行中 Running", "按时率 Kept share"])
    for name, ms in f["milestones"].items():
        ws.append([name, ms["kept"], ms["missed"], ms["running"], ms["kept_share"]])
        ws.cell(ws.max_row, 5).number_format = "0.0%"
    ws.append([])
    for title, key in (("类型 Type", "by_type_code"), ("部门 Department", "by_department"), ("级别 Grade", "by_grade"),
                       ("来源 Source", "by_source"), ("回访 Callbacks", "callbacks")):
        ws.append([title, "数量 Count"])
        for k, n in f[key].items():
            ws.append([k or "—", n])
        ws.append([])
    ws.append(["回访率 Callback share", f["callback_share"]])
    ws.cell(ws.max_row, 2).number_format = "0.0%"
    for row in ws.iter_rows():
        if row[0].value and isinstance(row[0].value, str) and " " in row[0].value:
            row[0].font = bold
    ws.column_dimensions["A"].width = 30


SECTIONS = (("total", "合计 Total"), ("day", "按日 By day"), ("category", "按事项类别 By category"),
            ("window", "按窗口 By window"), ("clerk", "按人员 By clerk"), ("message", "消息 Messages"),
            ("appointment", "预约 Appointments"))


def _r(x, nd=1):
    return None if x is None else round(x, nd)


def table(report: dict) -> list[dict]:
    """One flat row per total, day, category, window and clerk: what CSV and XLSX export."""
    util = {u["key"]: u for u in report["utilisation"]}
    r = report["ratings"]
    rate_by = {"window": {x["key"]: x for x in r["by_window"]}, "clerk": {x["key"]: x for x in r["by_clerk"]}}
    out = []

    def row(section, key, name, fig, rate=None, u=None):
        d = {"section": section, "key": key, "name": name}
        for k in ("issued", "served", "no_show", "cancelled", "waiting"):
            d[k] = fig[k]
        d["wait_n"] = fig["wait"]["n"]
        for t in ("wait", "walk", "service"):
            d[f"{t}_mean_s"], d[f"{t}_p90_s"] = _r(fig[t]["mean"]), _r(fig[t]["p90"])
        sl = fig["service_level"]
        d["service_level"] = _r(sl["share"], 4)
        d["service_level_met"], d["service_level_total"] = sl["met"], sl["total"]
        d["utilisation"] = _r(u["share"], 4) if u else None
        d["utilisation_flagged"] = u["flagged"] if u else None
        d["ratings"] = rate["total"] if rate else None
        d["bad_ratings"] = rate["bad"] if rate else None
        d["bad_rate"] = _r(rate["rate"], 4) if rate else None
        d["bad_rate_flagged"] = rate["flagged"] if rate else None
        d.update(dict.fromkeys(FOLLOWUP_COLUMNS))
        d.update(dict.fromkeys(APPOINTMENT_COLUMNS))
        out.append(d)

    row("total", report["hall"], report["hall_name"], report["totals"], rate=r)
    if "messages" in report:  # issue 14's figures (add_followup)
        m, tracked, rated = report["messages"], report["cases"]["tracked"], report["cases"]["rated"]
        out[-1].update(messages_sent=m["sent"], messages_failed=m["failed"], messages_pending=m["pending"],
                       cases_completed=rated["completed"], cases_rated=rated["rated"],
                       cases_rated_share=_r(rated["rated_share"], 4), cases_accepted=tracked["accepted"],
                       cases_looked_up=tracked["looked_up"], cases_looked_up_share=_r(tracked["looked_up_share"], 4))
    for x in report["by_day"]:
        row("day", x["key"], x["name"], x)
    for x in report["by_category"]:
        row("category", x["key"], x["name"], x)
    for x in report["by_window"]:
        row("window", x["key"], x["name"], x, rate=rate_by["window"].get(x["key"]), u=util.get(x["key"]))
    for x in report["by_clerk"]:
        row("clerk", x["key"], x["name"], x, rate=rate_by["clerk"].get(x["key"]))
    for g in report.get("messages", {}).get("by_channel_kind", []):
        d = dict.fromkeys(CSV_COLUMNS)
        d.update(section="message", key=f"{g['channel']}:{g['kind']}", name=f"{g['channel']} {g['kind']}",
                 messages_sent=g["sent"], messages_failed=g["failed"], messages_pending=g["pending"])
        out.append(d)
    appts = report.get("appointments")
    if appts:  # issue 16 (add_appointments)
        t = appts["totals"]
        out[0].update(appt_booked=t["booked"], appt_checked_in=t["checked_in"], appt_late=t["late"],
                      appt_no_show=t["no_show"], appt_cancelled=t["cancelled"])
        names = {x["key"]: x["name"] for x in report["by_category"]}
        for a in appts["by_category"]:
            d = dict.fromkeys(CSV_COLUMNS)
            d.update(section="appointment", key=a["category"], name=names.get(a["category"], a["category"]),
                     appt_booked=a["booked"], appt_checked_in=a["checked_in"], appt_late=a["late"],
                     appt_no_show=a["no_show"], appt_cancelled=a["cancelled"],
                     appt_share_of_tickets=a["share_of_tickets"])
            out.append(d)
    return out


def _cell(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    return v


def to_csv(report: dict) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs read the Chinese names."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    for d in table(report):
        w.writerow([_cell(d[c]) for c in CSV_COLUMNS])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(report: dict, tasks: list[dict] | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    bold = Font(bold=True)
    flag = PatternFill("solid", fgColor="FDE8E8")

    ws = wb.active
    ws.title = "汇总 Summary"
    t, r = report["totals"], report["ratings"]
    summary = [
        ("大厅 Hall", report["hall_name"]), ("起 From", report["from"]), ("止 To", report["to"]),
        ("生成时间 Generated", report["generated_at"]),
        ("取号 Issued", t["issued"]), ("办结 Served", t["served"]), ("过号 No-shows", t["no_show"]),
        ("平均等候(秒) Mean wait (s)", _r(t["wait"]["mean"])), ("90%等候(秒) P90 wait (s)", _r(t["wait"]["p90"])),
        ("等候达标率 Service level", t["service_level"]["share"]),
        ("评价数 Ratings", r["total"]), ("差评数 Bad ratings", r["bad"]), ("差评率 Bad-rating rate", r["rate"]),
        ("约谈 Interview (bad rate above threshold)", "是 yes" if r["interview"] else "否 no"),
        ("网点利用率（年度）Outlet utilisation (year to date)",
         report.get("thresholds", {}).get("utilisation", {}).get("share")),
        ("撤并 Merge (utilisation below threshold)",
         "是 yes" if report.get("thresholds", {}).get("merge") else "否 no"),
        ("整改任务 Tasks opened", r["tasks"]["opened"]), ("按时办结 Closed on time", r["tasks"]["closed_on_time"]),
        ("超时 Overdue", r["tasks"]["overdue"]),
        ("办件受理 Cases accepted", report["cases"]["accepted"]), ("承诺兑现 Promises kept", report["cases"]["kept"]),
        ("承诺超期 Promises missed", report["cases"]["missed"]),
        ("一次办结率（最多跑一次）One-trip rate", report["cases"].get("one_trip_rate")),
        ("窗口直接办结率 Direct-completion rate", report["cases"].get("direct_rate")),
    ]
    if "messages" in report:  # issue 14
        tracked, rated, msgs = report["cases"]["tracked"], report["cases"]["rated"], report["messages"]
        summary += [
            ("办件评价数 Cases rated", rated["rated"]), ("办件办结数 Cases completed", rated["completed"]),
            ("办件评价率 Cases rated share", rated["rated_share"]),
            ("网上查询办件数 Cases looked up online", tracked["looked_up"]),
            ("网上查询率 Share looked up online", tracked["looked_up_share"]),
            ("消息已发 Messages sent", msgs["sent"]), ("消息失败 Messages failed", msgs["failed"]),
            ("消息待发 Messages pending", msgs["pending"]),
        ]
    for k, v in summary:
        ws.append([k, v])
        ws.cell(ws.max_row, 1).font = bold
        if isinstance(v, float) and ("率" in k):
            ws.cell(ws.max_row, 2).number_format = "0.0%"
    ws.column_dimensions["A"].width = 42
    ws.column_dimensions["B"].width = 36

    ws = wb.create_sheet("明细 Figures")
    ws.append([f"{HEADINGS_ZH[c]} {c}" for c in CSV_COLUMNS])
    for c in ws[1]:
        c.font = bold
    for d in table(report):
        ws.append([_cell(d[c]) if isinstance(d[c], bool) else d[c] for c in CSV_COLUMNS])
        if d["utilisation_flagged"] or d["bad_rate_flagged"]:
            for c in ws[ws.max_row]:
                c.fill = flag
    for i, c in enumerate(CSV_COLUMNS, start=1):
        if c in ("service_level", "utilisation", "bad_rate", "cases_rated_share", "cases_looked_up_share",
                 "appt_share_of_tickets"):
            for cell in ws[get_column_letter(i)][1:]:
                cell.number_format = "0.0%"
        ws.column_dimensions[get_column_letter(i)].width = 14 if i > 3 else 18
    ws.freeze_panes = "D2"

    ws = wb.create_sheet("评价 Ratings")
    ws.append(["等级 Level", "名称 Name", "数量 Count"])
    for lv in LEVELS:
        ws.append([lv.code, f"{lv.name} {lv.name_en}", r["levels"][str(lv.code)]])
    ws.append([])
    ws.append(["分组 Group", "代码 Key", "评价数 Ratings", "差评数 Bad", "差评率 Rate", "超标 Flagged"])
    for group, items in (("窗口 window", r["by_window"]), ("人员 clerk", r["by_clerk"])):
        for x in items:
            ws.append([group, x["name"], x["total"], x["bad"], x["rate"], "是 yes" if x["flagged"] else "否 no"])
            ws.cell(ws.max_row, 5).number_format = "0.0%"
    for col in "ABCDEF":
        ws.column_dimensions[col].width = 18

    ws = wb.create_sheet("整改 Tasks")
    ws.append(["编号 Id", "号码 Ticket", "窗口 Window", "人员 Clerk", "等级 Level", "原因 Reasons", "意见 Comment",
               "状态 State", "受理 Opened", "期限 Due", "办结 Closed", "超时 Overdue"])
    for x in tasks or []:
        ws.append([x["id"], x["ticket"], x["window"], x.get("clerk_name") or x["clerk"], x["level"],
                   ", ".join(x["reasons"]), x["comment"], x["state"], x["opened_at"], x["due_at"], x["closed_at"],
                   "是 yes" if x["overdue"] else "否 no"])
    for col in "ABCDEFGHIJKL":
        ws.column_dimensions[col].width = 16

    if "complaints" in report:  # issue 15 (add_complaints)
        complaints_sheet(wb.create_sheet("投诉 Complaints"), report["complaints"], bold)

    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
