"""Coverage and lunch-rota alerts in the supervision log (supervision_alert),
so the manager's dashboard and the auditors see them next to the others."""
from __future__ import annotations

from onewindow.server.store import cases as cstore
from onewindow.server.store.database import Tx
from onewindow.server.store.rows import AlertRow

COVERAGE = "coverage"
ROTA_GAP = "rota_gap"


def raise_uncovered(tx: Tx, *, hall: str, category: str, message: str, now: float) -> AlertRow | None:
    """Log that `category` went uncovered, unless an open alert already says so."""
    open_ = tx.scalar(
        "SELECT id FROM supervision_alert WHERE hall = :h AND kind = :k AND category = :c AND resolved_at IS NULL",
        {"h": hall, "k": COVERAGE, "c": category})
    if open_ is not None:
        return None
    return cstore.raise_alert(tx, key=f"{hall}:{COVERAGE}:{category}:{now:.3f}", hall=hall, kind=COVERAGE,
                              level=cstore.RED, message=message, now=now, category=category)


def resolve_covered(tx: Tx, *, hall: str, still_uncovered: list[str], now: float) -> int:
    """Settle the open coverage alerts of every category covered again."""
    params: dict = {"h": hall, "k": COVERAGE, "now": now}
    keep = ""
    if still_uncovered:
        marks = ", ".join(f":c{i}" for i in range(len(still_uncovered)))
        params.update({f"c{i}": c for i, c in enumerate(still_uncovered)})
        keep = f" AND category NOT IN ({marks})"
    return tx.execute(
        "UPDATE supervision_alert SET resolved_at = :now, resolved_by = 'system' WHERE hall = :h AND kind = :k "
        "AND resolved_at IS NULL" + keep, params)


def record_rota_gaps(tx: Tx, *, hall: str, gaps: list[tuple[str, str, str, str]], now: float) -> list[AlertRow]:
    """Log each gap (category, start, end, message) once; settle logged gaps the rota no longer has."""
    keys = [f"{hall}:{ROTA_GAP}:{cat}:{start}-{end}" for cat, start, end, _ in gaps]
    fresh = []
    for key, (cat, _, _, message) in zip(keys, gaps, strict=False):
        a = cstore.raise_alert(tx, key=key, hall=hall, kind=ROTA_GAP, level=cstore.YELLOW, message=message,
                               now=now, category=cat)
        if a is not None:
            fresh.append(a)
    rows = tx.all("SELECT id, key FROM supervision_alert WHERE hall = :h AND kind = :k AND resolved_at IS NULL",
                  {"h": hall, "k": ROTA_GAP})
    for r in rows:
        if r["key"] not in keys:
            tx.execute("UPDATE supervision_alert SET resolved_at = :now, resolved_by = 'system' WHERE id = :id",
                       {"now": now, "id": r["id"]})
    return fresh
