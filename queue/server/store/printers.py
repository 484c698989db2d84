"""Printer alarms in the supervision log (supervision_alert): paper out,
offline or nearly out, logged while they last and settled by the all-clear,
so the manager finds them on the dashboard after a reload and in the log."""
from __future__ import annotations

from onewindow.server.store import cases as cstore
from onewindow.server.store.database import Tx
from onewindow.server.store.rows import AlertRow

PRINTER = "printer"
# This printer's alerts: their keys are "{hall}:printer:{printer}:{n}".
_MINE = "hall = :h AND kind = :k AND substr(key, 1, :n) = :p"


def log_printer_state(tx: Tx, *, hall: str, printer: str, alarm: bool, level: str, message: str,
                      now: float) -> AlertRow | None:
    """The printer's state changed: settle its open alarm unless it says the
    same (a restart finding it as it was), and log `message` if `alarm`.
    The alert logged, or None."""
    prefix = f"{hall}:{PRINTER}:{printer}:"
    params = {"h": hall, "k": PRINTER, "n": len(prefix), "p": prefix, "now": now}
    open_ = tx.one(f"SELECT id, message FROM supervision_alert WHERE {_MINE} AND resolved_at IS NULL", params)
    if open_ is not None and alarm and open_["message"] == message:
        return None
    if open_ is not None:
        tx.execute("UPDATE supervision_alert SET resolved_at = :now, resolved_by = 'system' "
                   f"WHERE {_MINE} AND resolved_at IS NULL", params)
    if not alarm:
        return None
    n = tx.scalar(f"SELECT COUNT(*) FROM supervision_alert WHERE {_MINE}", params)
    return cstore.raise_alert(tx, key=f"{prefix}{n + 1}", hall=hall, kind=PRINTER, level=level, message=message,
                              now=now)
