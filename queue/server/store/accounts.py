"""Users and sign-in sessions. Tokens are stored as SHA-256 digests only."""
from __future__ import annotations

from onewindow.server.errors import Conflict
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


def users(tx: Tx) -> list[dict]:
    return [dict(r) for r in tx.all(
        "SELECT id, username, role, display_name, title, active FROM app_user ORDER BY username")]


def set_password(tx: Tx, username: str, password_hash: str) -> None:
    tx.execute("UPDATE app_user SET password_hash = :p WHERE username = :u", {"p": password_hash, "u": username})


def create_session(tx: Tx, token_hash: str, user_id: int, now: float, ttl_s: float) -> None:
    tx.execute("DELETE FROM auth_session WHERE expires_at < :now", {"now": now})
    tx.execute("INSERT INTO auth_session (token_hash, user_id, created_at, expires_at) VALUES (:t, :u, :now, :exp)",
               {"t": token_hash, "u": user_id, "now": now, "exp": now + ttl_s})


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
    tx.execute("INSERT INTO audit_log (at, actor, action, data) VALUES (:at, :a, :act, :d)",
               {"at": now, "a": actor, "act": action, "d": data})
