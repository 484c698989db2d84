"""Report SQL: the plain rows the figures are computed from (onewindow.ratings.metrics)."""
from __future__ import annotations

from onewindow.server.store.database import Tx

ROW_COLUMNS = ("id, number, category, status, priority, service_day, issued_at, called_at, started_at, finished_at, "
               "wait_s, walk_s, service_s, window_id, clerk, first_clerk")


def tickets_of_days(tx: Tx, hall: str, first_day: str, last_day: str) -> list[dict]:
    """Every ticket issued on the service days first_day..last_day (inclusive)."""
    rows = tx.all(
        f"SELECT {ROW_COLUMNS} FROM ticket WHERE hall = :hall AND service_day >= :a AND service_day <= :b "
        "ORDER BY issued_at, id",
        {"hall": hall, "a": first_day, "b": last_day},
    )
    return [dict(r) for r in rows]


def rating_levels(tx: Tx, hall: str, start: float, end: float) -> dict[int, int]:
    """Ratings of visits in [start, end) counted per level: the yearly bad-rating rate."""
    rows = tx.all("SELECT level, COUNT(*) AS n FROM rating WHERE hall = :hall AND kind = 'visit' AND at >= :a "
                  "AND at < :b GROUP BY level", {"hall": hall, "a": start, "b": end})
    return {int(r["level"]): int(r["n"]) for r in rows}


def serving_seconds(tx: Tx, hall: str, first_day: str, last_day: str) -> float:
    """Serving time (start to done) at the hall's windows of the tickets of the service days
    first_day..last_day (ix_ticket_day: a year is read through the index, not a scan)."""
    total = tx.scalar("SELECT SUM(finished_at - started_at) FROM ticket WHERE hall = :hall AND service_day >= :a "
                      "AND service_day <= :b AND window_id IS NOT NULL AND started_at IS NOT NULL "
                      "AND finished_at IS NOT NULL", {"hall": hall, "a": first_day, "b": last_day})
    return float(total or 0)


def first_ticket_at(tx: Tx, hall: str) -> float | None:
    """When the hall issued its first ticket: an outlet opened mid-year is judged from then."""
    return tx.scalar("SELECT MIN(issued_at) FROM ticket WHERE hall = :hall AND service_day = "
                     "(SELECT MIN(service_day) FROM ticket WHERE hall = :hall)", {"hall": hall})


def waiting_now(tx: Tx, hall: str) -> list[dict]:
    rows = tx.all(
        "SELECT id, number, category, priority, issued_at, arrived_at FROM ticket "
        "WHERE hall = :hall AND status = 'waiting' ORDER BY issued_at, id",
        {"hall": hall},
    )
    return [dict(r) for r in rows]


def event_totals(tx: Tx, hall: str) -> dict[str, int]:
    """All-time counts of ticket events by type (calls, recalls, issues ...): Prometheus counters."""
    rows = tx.all("SELECT type, COUNT(*) AS n FROM ticket_event WHERE hall = :hall GROUP BY type", {"hall": hall})
    return {r["type"]: int(r["n"]) for r in rows}


def open_alerts(tx: Tx, hall: str, limit: int = 50) -> list[dict]:
    """Unresolved supervision alerts (电子监察), newest first."""
    rows = tx.all(
        "SELECT id, key, kind, level, case_id, ticket_id, category, message, at FROM supervision_alert "
        "WHERE hall = :hall AND resolved_at IS NULL ORDER BY at DESC, id DESC LIMIT :n",
        {"hall": hall, "n": limit},
    )
    return [dict(r) for r in rows]


def carded_cases(tx: Tx, hall: str, limit: int = 50) -> list[dict]:
    """Open cases showing a yellow or red card, the closest deadline first."""
    rows = tx.all(
        "SELECT id, number, item, category, status, deadline_at, deadline_provisional, card, window_id FROM case_file "
        "WHERE hall = :hall AND status IN ('accepted', 'suspended') AND card IN ('yellow', 'red') "
        "ORDER BY deadline_at, id LIMIT :n",
        {"hall": hall, "n": limit},
    )
    return [dict(r) for r in rows]


def cases_between(tx: Tx, hall: str, start: float, end: float) -> list[dict]:
    """Cases accepted in [start, end): for promises kept or missed."""
    rows = tx.all(
        "SELECT id, number, item, category, status, accepted_at, deadline_at, completed_at, visits, "
        # referred out of the window (the direct-completion rate: onewindow.casework.REFERRAL_REASONS)
        "EXISTS (SELECT 1 FROM case_suspension s WHERE s.case_id = case_file.id "
        "AND s.reason IN ('expert_review', 'hearing')) AS referred FROM case_file "
        "WHERE hall = :hall AND accepted_at >= :a AND accepted_at < :b ORDER BY accepted_at, id",
        {"hall": hall, "a": start, "b": end},
    )
    return [dict(r) for r in rows]
