"""What a clerk's console shows besides the queue: their day, the longest waits."""
from __future__ import annotations

from onewindow.server.store.database import Tx


def day_stats(tx: Tx, hall: str, clerk: str, since: float) -> dict:
    """Visitors `clerk` finished since `since`: how many, mean service time, ratings."""
    row = tx.one(
        "SELECT COUNT(*) AS n, AVG(service_s) AS mean_s FROM ticket WHERE hall = :h AND clerk = :c "
        "AND status = 'done' AND finished_at >= :since",
        {"h": hall, "c": clerk, "since": since})
    rated = tx.one(
        "SELECT COUNT(*) AS n, SUM(CASE WHEN level <= 2 THEN 1 ELSE 0 END) AS bad, AVG(level) AS mean_level "
        "FROM rating WHERE hall = :h AND clerk = :c AND kind = 'visit' AND at >= :since",
        {"h": hall, "c": clerk, "since": since})
    return {
        "served": int(row["n"] or 0),
        "average_service_s": round(float(row["mean_s"])) if row["mean_s"] is not None else None,
        "ratings": int(rated["n"] or 0),
        "bad_ratings": int(rated["bad"] or 0),
        "average_rating": round(float(rated["mean_level"]), 2) if rated["mean_level"] is not None else None,
    }


def oldest_waiting(tx: Tx, hall: str) -> dict[str, float]:
    """Per category, when its longest-waiting visitor took their ticket."""
    rows = tx.all(
        "SELECT category, MIN(issued_at) AS first FROM ticket WHERE hall = :h AND status = 'waiting' "
        "GROUP BY category", {"h": hall})
    return {r["category"]: float(r["first"]) for r in rows}
