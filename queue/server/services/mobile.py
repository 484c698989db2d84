"""A mobile outlet's schedule of visits (issue 18, point 1): published at least three days ahead,
each town at least twice a month (a warning alert otherwise, which the dashboard and the bureau
see), changes audited and announced (the page, the API, and a message through the outbox to whoever
left a phone for the town: `subscribe`)."""
from __future__ import annotations

import json
from datetime import date, time

from onewindow.mobile import Visit, VisitError, check_change, check_visit, thin_towns
from onewindow.notify.phones import InvalidPhone, normalize_phone
from onewindow.server.errors import Conflict, Invalid
from onewindow.server.services.halls import HallService
from onewindow.server.store import accounts
from onewindow.server.store import sync as sstore
from onewindow.tickets import times


def _visit(d: dict) -> Visit:
    return Visit(d["town"], date.fromisoformat(d["day"]), time.fromisoformat(d["start"]), time.fromisoformat(d["end"]))


def _check(svc: HallService, v: dict, now: float) -> None:
    if svc.hall.kind != "mobile":
        raise Conflict(f"{svc.hall.id} 不是流动服务网点 / {svc.hall.id} is not a mobile outlet", "not_mobile")
    codes = {c.code for c in svc.hall.categories}
    unknown = [c for c in v["categories"] if c not in codes]
    if unknown:
        raise Invalid(f"unknown categories {unknown}", "unknown_category", field="categories")
    try:
        check_visit(_visit(v), date.fromisoformat(times.service_day(now, svc.tz)))
    except VisitError as exc:
        raise Invalid(str(exc), exc.code, field="day" if exc.code == "too_late" else "end") from None


def _thin(tx, svc: HallService, months: set[str], now: float) -> list[dict]:
    """Warn the bureau of towns visited fewer than twice in a month (a yellow alert per town and month)."""
    hall = svc.hall.id
    all_visits = [_visit(r) for r in sstore.published(tx, hall)]
    warnings, keep = [], set()
    for month in sorted(months):
        for town, n in thin_towns(all_visits, month).items():
            key = f"mobile_thin:{hall}:{month}:{town}"
            keep.add(key)
            msg = (f"{town} {month} 仅安排 {n} 次流动服务（每月至少 2 次） / "
                   f"{town} has {n} visit(s) in {month}; at least 2 a month")
            sstore.raise_alert(tx, key, hall, "mobile_thin", "yellow", msg, now)
            warnings.append({"town": town, "month": month, "visits": n, "message": msg})
        sstore.resolve_alerts(tx, f"mobile_thin:{hall}:{month}:", keep, now)
    return warnings


STATES = {"published": ("将到访", "visit published"), "changed": ("的安排有变", "visit changed"),
          "cancelled": ("的服务已取消", "visit cancelled")}


def announce(tx, notifier, svc: HallService, visit: dict, state: str, towns: set[str]) -> int:
    """Tell the subscribers of the visit's towns (in the change's transaction); how many messages."""
    box = svc.box
    if notifier is None or box is None:
        return 0
    sent = 0
    for town in sorted(towns):
        for sub in tx.all("SELECT id, phone_enc, lang FROM visit_subscriber WHERE hall = :h AND town = :t ORDER BY id",
                          {"h": svc.hall.id, "t": town}):
            lang = sub["lang"] if sub["lang"] in ("zh", "en") else "zh"
            params = {"town": visit["town"], "day": visit["day"], "time": f"{visit['start']}-{visit['end']}",
                      "place": visit["place"], "state": STATES[state][0 if lang == "zh" else 1]}
            key = f"visit:{visit['id']}:{state}:{visit['changed_at']}:{sub['id']}"
            if notifier.enqueue(tx, hall=svc.hall.id, kind="visit_changed", phone=box.decrypt(sub["phone_enc"]),
                                params=params, event_key=key, lang=lang) is not None:
                sent += 1
    return sent


async def subscribe(svc: HallService, notifier, town: str, phone: str, lang: str) -> dict:
    """Leave a phone for a town's visits of this outlet (once per phone and town)."""
    if svc.hall.kind != "mobile":
        raise Conflict(f"{svc.hall.id} 不是流动服务网点 / {svc.hall.id} is not a mobile outlet", "not_mobile")
    try:
        number = normalize_phone(phone)
    except InvalidPhone:
        raise Invalid("请输入手机号码 / a mobile number, please", "invalid_phone", field="phone") from None
    box = svc.box
    if notifier is None or box is None:
        raise Conflict("本网点不发短信 / this outlet sends no messages", "no_messages")
    now = svc.clock()

    def fn(tx):
        tx.execute("INSERT INTO visit_subscriber (hall, town, phone_enc, phone_hash, lang, created_at) "
                   "VALUES (:h, :t, :p, :ph, :l, :now) ON CONFLICT (hall, town, phone_hash) DO UPDATE SET "
                   "lang = excluded.lang", {"h": svc.hall.id, "t": town, "p": box.encrypt(number),
                                             "ph": notifier.recipient_hash(number), "l": lang, "now": now})
        return {"hall": svc.hall.id, "town": town, "lang": lang}

    return await svc.db.write(fn)


async def add(svc: HallService, v: dict, by: str, notifier=None) -> dict:
    now = svc.clock()
    _check(svc, v, now)

    def fn(tx):
        row = sstore.add_visit(tx, svc.hall.id, v, by, now)
        warnings = _thin(tx, svc, {v["day"][:7]}, now)
        announce(tx, notifier, svc, row, "published", {row["town"]})
        accounts.audit(tx, by, "visit_published", json.dumps({"hall": svc.hall.id, "visit": row["id"], **v}), now)
        return {**row, "warnings": warnings}

    return await svc.db.write(fn)


async def change(svc: HallService, visit_id: int, v: dict | None, by: str, notifier=None) -> dict:
    """Move or edit (v) or cancel (None) a published visit; both the old and the new day at least three days away."""
    now = svc.clock()
    if v is not None:
        _check(svc, v, now)
    today = date.fromisoformat(times.service_day(now, svc.tz))

    def fn(tx):
        old = sstore.visit(tx, svc.hall.id, visit_id)
        if old["status"] != "published":
            raise Conflict("该流动服务已取消 / this visit was cancelled", "cancelled")
        try:
            check_change(date.fromisoformat(old["day"]), today)
        except VisitError as exc:
            raise Invalid(str(exc), exc.code, field="day") from None
        if v is None:
            row = sstore.cancel_visit(tx, svc.hall.id, visit_id, by, now)
        else:
            row = sstore.update_visit(tx, svc.hall.id, visit_id, v, by, now)
        warnings = _thin(tx, svc, {old["day"][:7], row["day"][:7]}, now)
        announce(tx, notifier, svc, row, "cancelled" if v is None else "changed", {old["town"], row["town"]})
        accounts.audit(tx, by, "visit_cancelled" if v is None else "visit_changed",
                       json.dumps({"hall": svc.hall.id, "visit": visit_id, "was": {k: old[k] for k in (
                           "town", "place", "day", "start", "end")}, "now": v}), now)
        return {**row, "warnings": warnings}

    return await svc.db.write(fn)
