"""The manager's dashboard alerts and tile levels (issue 12, point 16). Pure: no I/O.

One situation is one alert, under one key, however many places tell of it:
the coverage watch's live alarm, the row per uncovered category it logs, and
the dashboard's own reading of the queues are all the hall's "coverage"
alert; a case's yellow and then red card, a ticket's warning and then its
broken promise, each printer's alarms are one alert each. An alert keeps its
key while it lasts, and `since` says when it began: it counts as
acknowledged by an acknowledgement of its key made since then, so an alarm
that ends and comes back is news again.
"""
from __future__ import annotations

from typing import Any

from onewindow.tickets import times

SEVERITY = {"red": 3, "yellow": 2, "green": 1}
OK, WARN, BAD, NEUTRAL = "ok", "warn", "bad", "neutral"


def key_of(a: dict) -> str:
    """The key an alert is told once under."""
    kind = a.get("kind") or ""
    if kind == "coverage":
        return "coverage"
    if kind in ("yellow", "red") and a.get("case_id") is not None:
        return f"case:{a['case_id']}"
    if kind == "statutory" and a.get("case_id") is not None:
        return f"statutory:{a['case_id']}"
    if kind == "wait_promise" and a.get("ticket_id") is not None:
        return f"wait_promise:{a['ticket_id']}"
    if kind == "step_overrun" and a.get("ticket_id") is not None:
        return f"step_overrun:{a['ticket_id']}"
    if kind == "printer" and a.get("printer"):
        return f"printer:{a['printer']}"
    if a.get("key"):
        return str(a["key"])
    if a.get("id") is not None:
        return f"alert:{a['id']}"
    return f"{kind}:{','.join(a.get('categories') or [])}:{a.get('message', '')}"


def merge(alerts: list[dict], tz) -> list[dict]:
    """Each alert once: those sharing a key become one, the most severe (then the newest)
    telling, with every category and logged id of the others; `since` (the earliest
    start) and `at` (the newest) as ISO times. Most severe first, then the newest."""
    groups: dict[str, list[dict]] = {}
    for a in alerts:
        groups.setdefault(key_of(a), []).append(a)
    out = []
    for key, items in groups.items():
        head = max(items, key=lambda a: (a.get("live", False), SEVERITY.get(a.get("level") or "", 0),
                                         a.get("at_ts") or 0.0))
        cats = list(dict.fromkeys(c for a in items for c in (a.get("categories") or [])))
        ids = sorted({a["id"] for a in items if a.get("id") is not None})
        since = min((a["since_ts"] for a in items if a.get("since_ts") is not None), default=None)
        at = max((a["at_ts"] for a in items if a.get("at_ts") is not None), default=since)
        level = max((a.get("level") or "yellow" for a in items), key=lambda lv: SEVERITY.get(lv, 0))
        merged: dict[str, Any] = {k: v for k, v in head.items() if k not in ("since_ts", "at_ts", "live")}
        merged.update(key=key, level=level, categories=cats, ids=ids, id=ids[0] if ids else None,
                      since_ts=since, since=times.iso(since, tz), at=times.iso(at, tz), acknowledged=None)
        out.append(merged)
    out.sort(key=lambda a: (-SEVERITY.get(a["level"], 0), -(a["since_ts"] or 0.0), a["key"]))
    return out


def acknowledge(alerts: list[dict], acks: dict[str, dict], names: dict[str, str], tz) -> list[dict]:
    """Mark each alert acknowledged (by, by_name, at) when its key was acknowledged since it began."""
    for a in alerts:
        ack = acks.get(a["key"])
        if ack is not None and (a["since_ts"] is None or ack["at"] >= a["since_ts"]):
            a["acknowledged"] = {"by": ack["by"], "by_name": names.get(ack["by"], ack["by"]),
                                 "at": times.iso(ack["at"], tz)}
    return alerts


def level_of(value: float | None, warn: float, bad: float, higher_is_worse: bool = True) -> str:
    """ok / warn / bad of `value` against two thresholds; neutral without a value."""
    if value is None:
        return NEUTRAL
    if higher_is_worse:
        return BAD if value > bad else WARN if value > warn else OK
    return BAD if value < bad else WARN if value < warn else OK


def tile_levels(now_block: dict, totals: dict, ratings: dict, supervision, bad_rate_threshold: float) -> dict:
    """What colour each dashboard tile shows, by the hall's configured thresholds: the waiting
    promise of each category (category.target_wait_min) less supervision.wait_warn_min; the
    service level's warn and alarm shares; the rating policy's bad-rate threshold; tasks overdue."""
    warn_s = supervision.wait_warn_min * 60
    cats = now_block["categories"]

    def cat_level(c: dict) -> str:
        if not c["waiting"]:
            return OK
        if not c["open_windows"]:
            return BAD  # nobody serves it
        return level_of(c["longest_wait_s"], c["target_wait_s"] - warn_s, c["target_wait_s"])

    levels = [cat_level(c) for c in cats]
    worst = BAD if BAD in levels else WARN if WARN in levels else OK
    longest = now_block.get("longest")
    if longest is None:
        longest_level = OK
    else:
        target = next((c["target_wait_s"] for c in cats if c["code"] == longest["category"]), None)
        longest_level = NEUTRAL if target is None else level_of(longest["wait_s"], target - warn_s, target)
    sl = totals["service_level"]["share"]
    tasks = now_block["tasks"]
    return {
        "waiting": worst,
        "longest": longest_level,
        "service_level": level_of(sl, supervision.service_level_warn, supervision.service_level_alarm,
                                  higher_is_worse=False),
        "ratings": NEUTRAL if not ratings["total"] else BAD if ratings["rate"] > bad_rate_threshold
        else WARN if ratings["bad"] else OK,
        "tasks": BAD if any(t["overdue"] for t in tasks) else WARN if tasks else OK,
        "alerts": BAD if any(a["level"] == "red" and not a["acknowledged"] for a in now_block["alerts"])
        else WARN if any(not a["acknowledged"] for a in now_block["alerts"]) else OK,
    }


def name_people(block: dict, report: dict, names: dict[str, str]) -> None:
    """Add the names staff know people by (张伟) beside their login ids (zhangwei), which stay."""
    def name(u: str | None) -> str | None:
        return None if not u else names.get(u, u)

    for w in block["windows"]:
        for k in ("signed_in", "a_clerk", "b_clerk", "covered_by"):
            w[f"{k}_name"] = name(w.get(k))
    for t in block["tasks"]:
        t["clerk_name"] = name(t.get("clerk"))
    for a in block["alerts"]:
        if a.get("clerks"):
            a["clerk_names"] = [name(c) for c in a["clerks"]]
        if a.get("could_cover"):
            a["could_cover_names"] = {cat: [name(c) for c in cs] for cat, cs in a["could_cover"].items()}
    for x in (*report["by_clerk"], *report["ratings"]["by_clerk"]):
        x["name"] = name(x["key"]) or x["name"]
