"""Failed sign-ins per account and per client address (table login_throttle):
the rules are services/logins.py's, passed in; the counting is atomic in SQL,
so server processes sharing the database count together."""
from __future__ import annotations

from dataclasses import dataclass

from onewindow.server.store.database import Tx

COLUMNS = "kind, subject, failures, window_start, last_failure_at, retry_at, locked_until, lockouts"


@dataclass(frozen=True, slots=True)
class Rule:
    limit: int  # failures within window_s that lock
    window_s: float
    lock_s: float  # the first lockout; each next one twice as long
    lock_max_s: float
    backoff: tuple[float, ...] = ()  # the wait after the 1st, 2nd, ... failure (the last repeats)

    def lock_for(self, lockouts_before: int) -> float:
        return min(self.lock_s * 2 ** min(lockouts_before, 20), self.lock_max_s)

    def backoff_after(self, failures: int) -> float:
        if not self.backoff or failures <= 0:
            return 0.0
        return self.backoff[min(failures, len(self.backoff)) - 1]


def states(tx: Tx, keys: list[tuple[str, str]]) -> dict[tuple[str, str], dict]:
    out = {}
    for kind, subject in keys:
        row = tx.one(f"SELECT {COLUMNS} FROM login_throttle WHERE kind = :k AND subject = :s",
                     {"k": kind, "s": subject})
        if row is not None:
            out[(kind, subject)] = dict(row)
    return out


def fail(tx: Tx, kind: str, subject: str, rule: Rule, now: float) -> dict:
    """Count one failure; lock when it reaches the rule's limit. Returns the row after it, with
    `locked` True when this failure began a lockout."""
    tx.execute("DELETE FROM login_throttle WHERE last_failure_at < :old AND locked_until < :now",
               {"old": now - 86_400, "now": now})
    tx.execute(
        "INSERT INTO login_throttle (kind, subject, failures, window_start, last_failure_at, retry_at, locked_until, "
        "lockouts) VALUES (:k, :s, 0, :now, :now, 0, 0, 0) ON CONFLICT (kind, subject) DO NOTHING",
        {"k": kind, "s": subject, "now": now})
    # One statement, so concurrent failures (other processes) each count.
    tx.execute(
        "UPDATE login_throttle SET "
        "failures = CASE WHEN window_start < :cut THEN 1 ELSE failures + 1 END, "
        "window_start = CASE WHEN window_start < :cut THEN :now ELSE window_start END, "
        "last_failure_at = :now WHERE kind = :k AND subject = :s",
        {"k": kind, "s": subject, "now": now, "cut": now - rule.window_s})
    row = dict(tx.one(f"SELECT {COLUMNS} FROM login_throttle WHERE kind = :k AND subject = :s",
                      {"k": kind, "s": subject}))
    row["locked"] = False
    if row["failures"] >= rule.limit:
        row["locked_until"] = now + rule.lock_for(row["lockouts"])
        row["lockouts"] += 1
        row["failures"] = 0
        row["locked"] = True
        tx.execute("UPDATE login_throttle SET locked_until = :u, lockouts = :n, failures = 0, window_start = :now, "
                   "retry_at = 0 WHERE kind = :k AND subject = :s",
                   {"u": row["locked_until"], "n": row["lockouts"], "now": now, "k": kind, "s": subject})
    else:
        wait = rule.backoff_after(row["failures"])
        if wait:
            row["retry_at"] = now + wait
            tx.execute("UPDATE login_throttle SET retry_at = :r WHERE kind = :k AND subject = :s",
                       {"r": row["retry_at"], "k": kind, "s": subject})
    return row


def clear(tx: Tx, kind: str, subject: str) -> bool:
    """Forget an account's (or address's) failures and lockout; whether there were any."""
    return tx.execute("DELETE FROM login_throttle WHERE kind = :k AND subject = :s", {"k": kind, "s": subject}) > 0


def locked(tx: Tx, now: float) -> list[dict]:
    """Accounts and addresses locked out now, and those with failures on record, latest first."""
    return [dict(r) for r in tx.all(
        f"SELECT {COLUMNS} FROM login_throttle WHERE locked_until > :now OR failures > 0 "
        "ORDER BY locked_until DESC, last_failure_at DESC LIMIT 500", {"now": now})]
