"""Window state (who is signed in, away notices) and A/B posts."""
from __future__ import annotations

import json
from typing import cast

from onewindow.server.store.database import Tx
from onewindow.server.store.rows import WindowState


def seed(tx: Tx, hall: str, windows: list[tuple[str, str | None, str | None]]) -> None:
    """Create the rows of windows the config names; posts changed by a manager are kept."""
    for wid, a, b in windows:
        if tx.one("SELECT 1 FROM window_state WHERE hall = :h AND window_id = :w", {"h": hall, "w": wid}) is None:
            tx.execute("INSERT INTO window_state (hall, window_id, away) VALUES (:h, :w, '')", {"h": hall, "w": wid})
        if tx.one("SELECT 1 FROM window_post WHERE hall = :h AND window_id = :w", {"h": hall, "w": wid}) is None:
            tx.execute("INSERT INTO window_post (hall, window_id, a_clerk, b_clerk) VALUES (:h, :w, :a, :b)",
                       {"h": hall, "w": wid, "a": a, "b": b})


def states(tx: Tx, hall: str) -> dict[str, WindowState]:
    rows = tx.all(
        "SELECT s.window_id, s.clerk, s.signed_in_at, s.away, s.current_ticket, p.a_clerk, p.b_clerk, "
        "t.number AS current_number, t.clerk AS current_clerk FROM window_state s "
        "LEFT JOIN window_post p ON p.hall = s.hall AND p.window_id = s.window_id "
        "LEFT JOIN ticket t ON t.id = s.current_ticket WHERE s.hall = :h",
        {"h": hall},
    )
    out: dict[str, WindowState] = {}
    for r in rows:
        d = dict(r)
        d["away"] = json.loads(d["away"]) if d["away"] else None
        out[d["window_id"]] = cast(WindowState, d)
    return out


def sign_in(tx: Tx, hall: str, window: str, clerk: str, now: float) -> list[str]:
    """Sign `clerk` in at `window`, out of any other window; returns windows left."""
    left = [r["window_id"] for r in tx.all(
        "SELECT window_id FROM window_state WHERE hall = :h AND clerk = :c AND window_id <> :w",
        {"h": hall, "c": clerk, "w": window})]
    tx.execute("UPDATE window_state SET clerk = NULL, signed_in_at = NULL, away = '' "
               "WHERE hall = :h AND clerk = :c AND window_id <> :w", {"h": hall, "c": clerk, "w": window})
    tx.execute("UPDATE window_state SET clerk = :c, signed_in_at = :now, away = '' WHERE hall = :h AND window_id = :w",
               {"c": clerk, "now": now, "h": hall, "w": window})
    return left


def sign_out(tx: Tx, hall: str, window: str) -> None:
    tx.execute("UPDATE window_state SET clerk = NULL, signed_in_at = NULL, away = ''"
               " WHERE hall = :h AND window_id = :w", {"h": hall, "w": window})


def set_away(tx: Tx, hall: str, window: str, notice: dict | None) -> None:
    tx.execute("UPDATE window_state SET away = :a WHERE hall = :h AND window_id = :w",
               {"a": json.dumps(notice, ensure_ascii=False) if notice else "", "h": hall, "w": window})


def set_posts(tx: Tx, hall: str, window: str, a: str | None, b: str | None, by: str, now: float) -> None:
    tx.execute("UPDATE window_post SET a_clerk = :a, b_clerk = :b, changed_by = :by, changed_at = :now "
               "WHERE hall = :h AND window_id = :w", {"a": a, "b": b, "by": by, "now": now, "h": hall, "w": window})
