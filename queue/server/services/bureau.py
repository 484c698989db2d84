"""The bureau's view across its outlets (issue 17): live queues, today's service, and the year's
figures the outlet rules judge (000 第十七条: a bad-rating rate over 5% has the outlet's head
interviewed, utilisation under 30% has it merged), per outlet.

Nothing here judges a threshold itself: the yearly figures are each hall's
`RatingService.thresholds` (reporting.thresholds_block over onewindow.ratings.thresholds),
promises kept are reporting.promises_kept, reports are each hall's `RatingService.report`.
"""
from __future__ import annotations

import asyncio
import csv
import io
from datetime import date, datetime

from onewindow.ratings import metrics as m
from onewindow.server.config.halls import OUTLET_KINDS
from onewindow.server.errors import Invalid
from onewindow.server.services import reporting
from onewindow.server.store import reports as qstore
from onewindow.server.store import sync as sstore
from onewindow.tickets import times

OPEN_STATUSES = ("serving", "idle")  # a clerk is at the window (away or closed is not open)


def check_year(year: int, this_year: int) -> None:
    if not 2000 <= year <= this_year:
        raise Invalid(f"year must be between 2000 and {this_year}", "invalid", field="year")


def outlet_public(hall, visits: list[str] | tuple[str, ...] = ()) -> dict:
    """`visits`: a mobile outlet's published visit days (ISO; the database is their home)."""
    return {"id": hall.id, "name": hall.name, "name_en": hall.name_en, "kind": hall.kind,
            "kind_name": OUTLET_KINDS[hall.kind], "address": hall.address,
            "opening_days": list(hall.opening_days) if hall.kind != "mobile" else [],
            "visits": sorted(visits), "windows": len(hall.windows)}


async def outlet_overview(rt, hall_id: str, year: int | None) -> dict:
    """One outlet: now (waiting, longest wait, open windows), today (issued, served) and the year
    (to date for this year; all of it for a past one): thresholds and promises kept."""
    svc, rs = rt.halls[hall_id], rt.ratings[hall_id]
    hall, tz = svc.hall, svc.tz
    now = rt.clock()
    today = datetime.fromtimestamp(now, tz).date()
    year = year or today.year
    check_year(year, today.year)
    last = today if year == today.year else date(year, 12, 31)
    waiting = await rt.db.read(qstore.waiting_now, hall.id)
    rows = await rt.db.read(qstore.tickets_of_days, hall.id, today.isoformat(), today.isoformat())
    yearly = await rs.thresholds(last)
    start, end = reporting.day_bounds(date.fromisoformat(yearly["from"]), last, tz)
    cases = await rt.db.read(qstore.cases_between, hall.id, start, end)
    promises = reporting.promises_kept(cases, now)
    done = promises["kept"] + promises["missed"]
    first = min(waiting, key=lambda w: w["issued_at"], default=None)
    statuses = [w["status"] for w in svc.view.windows.values()]
    counts = m.counts(rows)
    cal = rt.calendar.current
    visits = await rt.db.read(sstore.visit_days, hall.id, f"{year}-01-01", "9999-12-31") \
        if hall.kind == "mobile" else set()
    return {
        **outlet_public(hall, sorted(visits)),
        "open_today": hall.opens_on(today, cal, {date.fromisoformat(d) for d in visits}),
        "now": {"waiting": len(waiting), "longest_wait_s": round(now - first["issued_at"]) if first else 0,
                "longest": {"number": first["number"], "category": first["category"]} if first else None,
                "open_windows": sum(1 for s in statuses if s in OPEN_STATUSES), "windows": len(statuses)},
        "today": {"date": today.isoformat(), "issued": counts["issued"], "served": counts["served"]},
        "year": {**yearly, "year": year,
                 "thresholds": {"bad_rate": rs.policy.bad_rate_threshold,
                                "utilisation": rs.policy.utilisation_threshold},
                 "promises": {"accepted": promises["accepted"], "completed": promises["completed"],
                              "kept": promises["kept"], "missed": promises["missed"], "open": promises["open"],
                              "open_overdue": promises["open_overdue"],
                              "kept_share": round(promises["kept"] / done, 4) if done else None}},
    }


async def overview(rt, year: int | None = None) -> dict:
    """Every outlet's overview, in configuration order, and the bureau's totals."""
    outlets = [await outlet_overview(rt, hid, year) for hid in rt.halls]
    now = rt.clock()
    tz = next(iter(rt.halls.values())).tz
    return {
        "at": times.iso(now, tz),
        "year": year or datetime.fromtimestamp(now, tz).year,
        "outlets": outlets,
        "totals": {
            "outlets": len(outlets),
            "by_kind": {k: sum(1 for o in outlets if o["kind"] == k) for k in OUTLET_KINDS},
            "waiting": sum(o["now"]["waiting"] for o in outlets),
            "open_windows": sum(o["now"]["open_windows"] for o in outlets),
            "served_today": sum(o["today"]["served"] for o in outlets),
            "merge": [o["id"] for o in outlets if o["year"]["merge"]],
            "interview": [o["id"] for o in outlets if o["year"]["interview"]],
        },
        "definitions": {
            "utilisation": "serving time of all the outlet's windows / (its open time x its windows), over the "
                           "year to date (a past year: all of it); below the threshold (30%) → merge (000 第十七条)",
            "bad_rate": "ratings of levels 1-2 / all ratings over the same period; above the threshold (5%) → "
                        "the outlet's head is interviewed",
            "promises": "cases accepted in the period: completed by their promised deadline (kept) or after it "
                        "(missed); kept_share = kept / (kept + missed)",
            "open_windows": "windows with a clerk signed in and not away",
        },
    }


async def reports(rt, first: date, last: date, progress=None) -> list[dict]:
    """Each outlet's report of first..last (RatingService.report), with the outlet's kind and address."""
    out = []
    halls = list(rt.ratings.items())
    for i, (hid, rs) in enumerate(halls):
        rep, _ = await rs.report(first, last)
        rep["outlet"] = outlet_public(rs.hall, [d.isoformat() for d in await rs.visit_days(first, last)])
        out.append(rep)
        if progress:
            progress(0.9 * (i + 1) / len(halls), f"outlet {hid}")
    return out


OUTLET_COLUMNS = ("kind", "address", "utilisation_year", "merge", "bad_rate_year", "interview",
                  "promises_kept", "promises_missed")


def outlet_rows(reps: list[dict]) -> list[dict]:
    """One row per outlet: its report's total row (reporting.table) and the year's thresholds."""
    rows = []
    for rep in reps:
        total = reporting.table(rep)[0]
        th = rep["thresholds"]
        total.update(section="outlet", kind=rep["outlet"]["kind"], address=rep["outlet"]["address"],
                     utilisation_year=_round(th["utilisation"]["share"]), merge=th["merge"],
                     bad_rate_year=_round(th["bad_rate"]["rate"]), interview=th["interview"],
                     promises_kept=rep["cases"]["kept"], promises_missed=rep["cases"]["missed"])
        rows.append(total)
    return rows


def _round(x):
    return None if x is None else round(x, 4)


def _cell(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    return v


def to_csv(reps: list[dict]) -> bytes:
    """UTF-8 with a byte-order mark (spreadsheets read the Chinese names), one row per outlet."""
    cols = (*reporting.CSV_COLUMNS, *OUTLET_COLUMNS)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(cols)
    for d in outlet_rows(reps):
        w.writerow([_cell(d.get(c)) for c in cols])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


HEADINGS_ZH = {"kind": "网点类型", "address": "地址", "utilisation_year": "年度利用率", "merge": "建议撤并",
               "bad_rate_year": "年度差评率", "interview": "约谈负责人", "promises_kept": "承诺兑现",
               "promises_missed": "承诺超期"}


def to_xlsx(reps: list[dict]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    cols = (*reporting.CSV_COLUMNS, *OUTLET_COLUMNS)
    wb = Workbook()
    ws = wb.active
    ws.title = "网点 Outlets"
    ws.append([f"{reporting.HEADINGS_ZH.get(c) or HEADINGS_ZH[c]} {c}" for c in cols])
    for c in ws[1]:
        c.font = Font(bold=True)
    flag = PatternFill("solid", fgColor="FDE8E8")
    for d in outlet_rows(reps):
        ws.append([_cell(d.get(c)) if isinstance(d.get(c), bool) else d.get(c) for c in cols])
        if d["merge"] or d["interview"]:
            for c in ws[ws.max_row]:
                c.fill = flag
    ws.freeze_panes = "D2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


async def export_bytes(reps: list[dict], fmt: str) -> bytes:
    return await asyncio.to_thread(to_csv if fmt == "csv" else to_xlsx, reps)
