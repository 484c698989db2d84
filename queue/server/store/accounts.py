"""Users and sign-in sessions. Tokens are stored as SHA-256 digests only."""
from __future__ import annotations

from onewindow.server.errors import Conflict
from onewindow.server.store import audit as audit_store
from onewindow.server.store.database import Tx


class UserExists(Conflict):
    code = "exists"


USER_COLUMNS = "id, username, password_hash, role, display_name, title, active"


def count_users(tx: Tx) -> int:
    return tx.scalar("SELECT COUNT(*) FROM app_user")


def create_user(tx: Tx, *, username: str, password_hash: str, role: str, display_name: str, title: str,
                now: float) -> dict:
    if tx.one("SELECT 1 FROM app_user WHERE username = :u", {"u": username}) is not None:
        raise UserExists(f"user {username!r} exists")
    uid = tx.scalar(
        "INSERT INTO app_user (username, password_hash, role, display_name, title, active, created_at) "
        "VALUES (:u, :p, :r, :d, :t, :a, :now) RETURNING id",
        {"u": username, "p": password_hash, "r": role, "d": display_name, "t": title, "a": True, "now": now},
    )
    return {"id": uid, "username": username, "role": role, "display_name": display_name, "title": title}


def user_by_name(tx: Tx, username: str) -> dict | None:
    row = tx.one(f"SELECT {USER_COLUMNS} FROM app_user WHERE username = :u", {"u": username})
    return dict(row) if row else None


def user_cards(tx: Tx, usernames: set[str]) -> dict[str, dict]:
    """username -> {display_name, title} of those that exist, in one query (screens, reports)."""
    names = sorted(n for n in usernames if n)
    if not names:
        return {}
    marks = ", ".join(f":u{i}" for i in range(len(names)))
    rows = tx.all(f"SELECT username, display_name, title FROM app_user WHERE username IN ({marks})",
                  {f"u{i}": n for i, n in enumerate(names)})
    return {r["username"]: {"display_name": r["display_name"], "title": r["title"]} for r in rows}


def users(tx: Tx) -> list[dict]:
    return [dict(r) for r in tx.all(
        "SELECT id, username, role, display_name, title, active FROM app_user ORDER BY username")]


def set_password(tx: Tx, username: str, password_hash: str) -> None:
    tx.execute("UPDATE app_user SET password_hash = :p WHERE username = :u", {"p": password_hash, "u": username})


def create_session(tx: Tx, token_hash: str, user_id: int, now: float, ttl_s: float,
                   address: str | None = None) -> None:
    tx.execute("DELETE FROM auth_session WHERE expires_at < :now", {"now": now})
    tx.execute("INSERT INTO auth_session (token_hash, user_id, created_at, expires_at, address) "
               "VALUES (:t, :u, :now, :exp, :a)",
               {"t": token_hash, "u": user_id, "now": now, "exp": now + ttl_s, "a": (address or "")[:64] or None})


def session_user(tx: Tx, token_hash: str, now: float) -> dict | None:
    row = tx.one(
        "SELECT u.id, u.username, u.role, u.display_name, u.title, u.active, s.expires_at FROM auth_session s "
        "JOIN app_user u ON u.id = s.user_id WHERE s.token_hash = :t AND s.expires_at > :now",
        {"t": token_hash, "now": now},
    )
    return dict(row) if row and row["active"] else None


def delete_session(tx: Tx, token_hash: str) -> None:
    tx.execute("DELETE FROM auth_session WHERE token_hash = :t", {"t": token_hash})


def audit(tx: Tx, actor: str | None, action: str, data: str, now: float) -> None:
    """Append to the hash-chained audit log (store/audit.py); put it last in a transaction."""
    audit_store.append(tx, actor, action, data, now)


# ----- account management (api/accounts.py): deactivation, roles, sessions, reset codes -----

SESSION_ID_LEN = 16  # a session is named by the start of its token's digest (the digest is not a token)


def set_active(tx: Tx, username: str, active: bool) -> None:
    tx.execute("UPDATE app_user SET active = :a WHERE username = :u", {"a": active, "u": username})


def set_role(tx: Tx, username: str, role: str) -> None:
    tx.execute("UPDATE app_user SET role = :r WHERE username = :u", {"r": role, "u": username})


def active_admins(tx: Tx) -> int:
    return tx.scalar("SELECT COUNT(*) FROM app_user WHERE role = 'admin' AND active = :t", {"t": True})


def sessions(tx: Tx, user_id: int, now: float) -> list[dict]:
    return [{"id": r["token_hash"][:SESSION_ID_LEN], "created_at": r["created_at"], "expires_at": r["expires_at"],
             "address": r["address"]} for r in tx.all(
        "SELECT token_hash, created_at, expires_at, address FROM auth_session "
        "WHERE user_id = :u AND expires_at > :now ORDER BY created_at DESC", {"u": user_id, "now": now})]


def delete_sessions(tx: Tx, user_id: int, keep: str | None = None, session_id: str | None = None) -> list[str]:
    """End a user's sessions (all, all but `keep`, or the one named `session_id`); their digests."""
    rows = tx.all("SELECT token_hash FROM auth_session WHERE user_id = :u", {"u": user_id})
    gone = [r["token_hash"] for r in rows if r["token_hash"] != keep
            and (session_id is None or r["token_hash"][:SESSION_ID_LEN] == session_id)]
    for d in gone:
        tx.execute("DELETE FROM auth_session WHERE token_hash = :t", {"t": d})
    return gone


def save_reset(tx: Tx, user_id: int, code_hash: str, now: float, expires_at: float, by: str) -> None:
    tx.execute("DELETE FROM password_reset WHERE user_id = :u", {"u": user_id})
    tx.execute("INSERT INTO password_reset (user_id, code_hash, created_at, expires_at, created_by) "
               "VALUES (:u, :h, :now, :exp, :by)", {"u": user_id, "h": code_hash, "now": now, "exp": expires_at,
                                                   "by": by})


def reset_of(tx: Tx, user_id: int) -> dict | None:
    row = tx.one("SELECT code_hash, expires_at FROM password_reset WHERE user_id = :u", {"u": user_id})
    return dict(row) if row else None


def delete_reset(tx: Tx, user_id: int) -> bool:
    return tx.execute("DELETE FROM password_reset WHERE user_id = :u", {"u": user_id}) > 0
