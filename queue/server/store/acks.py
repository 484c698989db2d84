"""Acknowledged dashboard alerts (alert_ack) and the staff names the dashboard shows."""
from __future__ import annotations

import json

from onewindow.server.store import accounts
from onewindow.server.store.database import Tx


def acknowledge(tx: Tx, *, hall: str, key: str, by: str, now: float) -> dict:
    """Record that `by` acknowledged the alert `key` now; audited in the same transaction."""
    tx.execute("INSERT INTO alert_ack (hall, key, by, at) VALUES (:h, :k, :b, :now)",
               {"h": hall, "k": key, "b": by, "now": now})
    accounts.audit(tx, by, "alert_ack", json.dumps({"hall": hall, "key": key}, ensure_ascii=False), now)
    return {"hall": hall, "key": key, "by": by, "at": now}


def latest(tx: Tx, hall: str, keys: list[str]) -> dict[str, dict]:
    """The newest acknowledgement of each of `keys`: key -> {by, at}."""
    out: dict[str, dict] = {}
    for i in range(0, len(keys), 200):  # bounded IN lists
        chunk = keys[i:i + 200]
        marks = ", ".join(f":k{j}" for j in range(len(chunk)))
        params: dict = {"h": hall, **{f"k{j}": k for j, k in enumerate(chunk)}}
        for r in tx.all(f"SELECT key, by, at FROM alert_ack WHERE hall = :h AND key IN ({marks}) ORDER BY at, id",
                        params):
            out[r["key"]] = {"by": r["by"], "at": r["at"]}
    return out


def display_names(tx: Tx, usernames: set[str]) -> dict[str, str]:
    """username -> the name staff see (display_name, or the username when it has none)."""
    cards = accounts.user_cards(tx, usernames)
    return {n: (cards.get(n) or {}).get("display_name") or n for n in usernames if n}
