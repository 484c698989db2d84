"""Sign-in and accounts."""
from __future__ import annotations

import asyncio
import secrets
from typing import Literal

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.routing import Route

from onewindow.server.api.common import JSON, bearer, body, current_user, require_role, runtime
from onewindow.server.api.openapi import reads
from onewindow.server.errors import Conflict, Forbidden, NotFound, Unauthorized
from onewindow.server.services import auth, passwords
from onewindow.server.store import accounts, logins
from onewindow.tickets.times import iso


class Login(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class NewUser(BaseModel):
    username: str = Field(pattern=r"^[a-z][a-z0-9_.-]{1,63}$")
    password: str = Field(min_length=1, max_length=256)  # the policy: services/passwords.py
    role: Literal["clerk", "manager", "admin", "bureau_manager", "reviewer"]
    display_name: str = Field(default="", max_length=64)
    title: str = Field(default="", max_length=64)


@reads(Login)
async def login(request: Request):
    """Sign in.
    ---
    summary: Sign in with a username and password
    responses:
      200: {description: "{token, role} and a session cookie"}
      401: {description: wrong credentials}
      429: {description: "the account or the address is locked out or backing off (Retry-After); code
        account_locked, address_locked or login_backoff"}
    """
    data = await body(request, Login)
    rt = runtime(request)
    address = client_address(request)
    await rt.logins.check(data.username, address)  # locked or backing off: 429, whatever the password
    row = await rt.db.read(accounts.user_by_name, data.username)
    ok = await asyncio.to_thread(auth.verify_password, row["password_hash"] if row else None, data.password)
    if not ok or not row["active"]:
        await rt.logins.failed(data.username, address, "inactive" if ok else "bad_credentials")  # audited
        raise Unauthorized("wrong username or password", "bad_credentials")
    await rt.logins.succeeded(data.username)
    token = auth.new_token()
    await rt.db.write(accounts.create_session, auth.token_digest(token), row["id"], rt.clock(),
                      rt.settings.session_ttl_s, address)
    await rt.audit(row["username"], "login", role=row["role"])
    resp = JSON({"token": token, "role": row["role"], "username": row["username"],
                 "display_name": row["display_name"]})
    resp.set_cookie(auth.COOKIE, token, max_age=int(rt.settings.session_ttl_s), httponly=True, samesite="strict",
                    secure=rt.settings.secure_cookies)
    return resp


async def logout(request: Request):
    """Sign out: the token stops working at once."""
    token = bearer(request)
    rt = runtime(request)
    if token:
        user = await current_user(request, required=False)  # who signs out, for the audit log
        digest = auth.token_digest(token)
        await rt.db.write(accounts.delete_session, digest)
        rt.revoke([digest])  # every process forgets it and closes its sockets, at once
        if user is not None:
            await rt.audit(user.username, "logout")
    resp = JSON({"ok": True})
    resp.delete_cookie(auth.COOKIE)
    return resp


async def me(request: Request):
    """The signed-in user."""
    u = await current_user(request)
    return JSON({"username": u.username, "role": u.role, "display_name": u.display_name, "title": u.title})


@reads(NewUser)
async def create_user(request: Request):
    """Create an account (admin only).
    ---
    summary: Create a clerk, manager or admin account
    responses:
      201: {description: the account}
      409: {description: the username exists}
    """
    admin = await require_role(request, "admin")
    data = await body(request, NewUser)
    passwords.check(data.password, data.username)  # 422 weak_password, saying why
    rt = runtime(request)
    pw_hash = await asyncio.to_thread(auth.hash_password, data.password)
    user = await rt.db.write(accounts.create_user, username=data.username, password_hash=pw_hash, role=data.role,
                             display_name=data.display_name or data.username, title=data.title, now=rt.clock())
    await rt.audit(admin.username, "create_user", username=data.username, role=data.role)
    return JSON(user, status_code=201)


async def list_users(request: Request):
    """Accounts (admin only)."""
    await require_role(request, "admin")
    return JSON(await runtime(request).db.read(accounts.users))


# ----- account management: deactivation, roles, passwords, reset codes, sessions, lockouts -----

RESET_CODE_TTL_S = 60 * 60  # a reset code is good for an hour, once
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


class PasswordChange(BaseModel):
    old: str = Field(min_length=1, max_length=256)
    new: str = Field(min_length=1, max_length=256)


class PasswordReset(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    code: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class RoleChange(BaseModel):
    role: Literal["clerk", "manager", "admin", "bureau_manager", "reviewer"]


def client_address(request: Request) -> str:
    """The client's address (uvicorn applies X-Forwarded-For from trusted proxies to it)."""
    return request.client.host if request.client else "unknown"


def _when(rt, ts: float | None) -> str | None:
    return iso(ts, rt.config.halls[0].tz) if ts else None


async def _user(rt, username: str) -> dict:
    row = await rt.db.read(accounts.user_by_name, username)
    if row is None:
        raise NotFound(f"no user {username!r}", "unknown_user")
    return row


async def _end_sessions(rt, row: dict, keep: str | None = None, session_id: str | None = None,
                        user_changed: bool = True) -> int:
    """End the user's sessions in the database, then in every process at once (cache, sockets)."""
    gone = await rt.db.write(accounts.delete_sessions, row["id"], keep, session_id)
    rt.revoke(gone, row["username"] if user_changed else None)
    return len(gone)


@reads(PasswordChange)
async def change_password(request: Request):
    """Change one's own password.
    ---
    summary: Change one's own password ({old, new}); the user's other sessions end
    responses:
      200: {description: changed}
      401: {description: the old password is wrong}
      422: {description: "the new one is refused by the password policy (code weak_password, reason)"}
      429: {description: too many wrong passwords (as at sign-in)}
    """
    me_ = await current_user(request)
    data = await body(request, PasswordChange)
    rt = runtime(request)
    address = client_address(request)
    await rt.logins.check(me_.username, address)
    row = await _user(rt, me_.username)
    if not await asyncio.to_thread(auth.verify_password, row["password_hash"], data.old):
        await rt.logins.failed(me_.username, address, "bad_old_password")
        raise Unauthorized("the current password is wrong", "bad_credentials")
    passwords.check(data.new, me_.username, "new")
    pw_hash = await asyncio.to_thread(auth.hash_password, data.new)
    await rt.db.write(accounts.set_password, me_.username, pw_hash)
    ended = await _end_sessions(rt, row, keep=auth.token_digest(bearer(request) or ""), user_changed=False)
    await rt.audit(me_.username, "password_changed", sessions_ended=ended)
    return JSON({"ok": True, "sessions_ended": ended})


@reads(PasswordReset)
async def reset_password(request: Request):
    """Set a new password with a one-time reset code an admin issued.
    ---
    summary: Set a new password with a reset code ({username, code, password}); every session ends
    responses:
      200: {description: the password is set; sign in with it}
      401: {description: "wrong, used or expired code (code bad_reset_code)"}
      422: {description: "the password policy refuses it (code weak_password)"}
      429: {description: too many wrong codes or passwords (as at sign-in)}
    """
    data = await body(request, PasswordReset)
    rt = runtime(request)
    address = client_address(request)
    await rt.logins.check(data.username, address)
    row = await rt.db.read(accounts.user_by_name, data.username)
    reset = await rt.db.read(accounts.reset_of, row["id"]) if row else None
    code = "".join(ch for ch in data.code.upper() if ch.isalnum())  # as shown: XXXXX-XXXXX
    ok = await asyncio.to_thread(auth.verify_password, reset["code_hash"] if reset else None, code)
    if not ok or row is None or reset is None or not row["active"] or reset["expires_at"] <= rt.clock():
        await rt.logins.failed(data.username, address, "bad_reset_code")
        raise Unauthorized("wrong, used or expired reset code", "bad_reset_code")
    passwords.check(data.password, row["username"])  # the code stays good for another try
    pw_hash = await asyncio.to_thread(auth.hash_password, data.password)

    def fn(tx):
        if not accounts.delete_reset(tx, row["id"]):  # taken by a request racing this one
            return False
        accounts.set_password(tx, row["username"], pw_hash)
        logins.clear(tx, "user", row["username"])
        return True

    if not await rt.db.write(fn):
        raise Unauthorized("wrong, used or expired reset code", "bad_reset_code")
    ended = await _end_sessions(rt, row)
    await rt.audit(row["username"], "password_reset", sessions_ended=ended, address=address)
    return JSON({"ok": True})


async def issue_reset_code(request: Request):
    """Issue a one-time password reset code (admin).
    ---
    summary: A one-time reset code for a user, shown once, good for an hour
    responses:
      200: {description: "{code, expires_at}: give it to the user in person"}
      404: {description: no such user}
    """
    admin = await require_role(request, "admin")
    rt = runtime(request)
    row = await _user(rt, request.path_params["username"])
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))
    code_hash = await asyncio.to_thread(auth.hash_password, raw)
    now = rt.clock()
    await rt.db.write(accounts.save_reset, row["id"], code_hash, now, now + RESET_CODE_TTL_S, admin.username)
    await rt.audit(admin.username, "reset_code_issued", username=row["username"])
    return JSON({"username": row["username"], "code": f"{raw[:5]}-{raw[5:]}",
                 "expires_at": _when(rt, now + RESET_CODE_TTL_S)})


async def _set_active(request: Request, active: bool):
    admin = await require_role(request, "admin")
    rt = runtime(request)
    row = await _user(rt, request.path_params["username"])
    if not active and row["username"] == admin.username:
        raise Conflict("you cannot deactivate your own account", "self")

    def fn(tx):
        if not active and row["role"] == "admin" and row["active"] and accounts.active_admins(tx) <= 1:
            raise Conflict("the last active admin cannot be deactivated", "last_admin")
        accounts.set_active(tx, row["username"], active)

    await rt.db.write(fn)
    ended = 0 if active else await _end_sessions(rt, row)
    await rt.audit(admin.username, "user_reactivated" if active else "user_deactivated", username=row["username"],
                   sessions_ended=ended)
    return JSON({"username": row["username"], "active": active, "sessions_ended": ended})


async def deactivate_user(request: Request):
    """Deactivate an account (admin): it cannot sign in, and its sessions end at once."""
    return await _set_active(request, False)


async def reactivate_user(request: Request):
    """Reactivate an account (admin)."""
    return await _set_active(request, True)


@reads(RoleChange)
async def change_role(request: Request):
    """Change a user's role (admin); their sessions end (they sign in again with the new role).
    ---
    summary: "Change a user's role ({role}); not the last active admin's"
    responses:
      200: {description: changed}
      409: {description: "the last active admin (code last_admin)"}
    """
    admin = await require_role(request, "admin")
    data = await body(request, RoleChange)
    rt = runtime(request)
    row = await _user(rt, request.path_params["username"])

    def fn(tx):
        if row["role"] == "admin" and data.role != "admin" and row["active"] and accounts.active_admins(tx) <= 1:
            raise Conflict("the last active admin keeps the admin role", "last_admin")
        accounts.set_role(tx, row["username"], data.role)

    await rt.db.write(fn)
    ended = await _end_sessions(rt, row) if data.role != row["role"] else 0
    await rt.audit(admin.username, "role_changed", username=row["username"], old=row["role"], new=data.role)
    return JSON({"username": row["username"], "role": data.role, "sessions_ended": ended})


async def _own_or_admin(request: Request) -> tuple:
    me_ = await current_user(request)
    username = request.path_params["username"]
    if me_.username != username and me_.role != "admin":
        raise Forbidden("only an admin sees or ends another user's sessions")
    rt = runtime(request)
    return me_, rt, await _user(rt, username)


async def list_sessions(request: Request):
    """A user's sessions (admin; or the user's own)."""
    _, rt, row = await _own_or_admin(request)
    current = auth.token_digest(bearer(request) or "")[:accounts.SESSION_ID_LEN]
    items = await rt.db.read(accounts.sessions, row["id"], rt.clock())
    return JSON([{**s, "created_at": _when(rt, s["created_at"]), "expires_at": _when(rt, s["expires_at"]),
                  "current": s["id"] == current} for s in items])


async def revoke_sessions(request: Request):
    """End a user's sessions (admin; or the user's own): all, or the one named by its id."""
    me_, rt, row = await _own_or_admin(request)
    sid = request.path_params.get("session")
    ended = await _end_sessions(rt, row, session_id=sid, user_changed=sid is None)
    if sid is not None and not ended:
        raise NotFound(f"no session {sid!r}", "unknown_session")
    await rt.audit(me_.username, "sessions_revoked", username=row["username"], count=ended, session=sid)
    return JSON({"ok": True, "sessions_ended": ended})


async def lockouts(request: Request):
    """Accounts and addresses locked out or with recent failed sign-ins (admin)."""
    await require_role(request, "admin")
    rt = runtime(request)
    rows = await rt.logins.lockouts()
    return JSON([{**r, "locked_until": _when(rt, r["locked_until"]),
                  "last_failure_at": _when(rt, r["last_failure_at"])} for r in rows])


async def unlock_user(request: Request):
    """Lift an account's lockout and forget its failed sign-ins (admin)."""
    admin = await require_role(request, "admin")
    rt = runtime(request)
    username = request.path_params["username"]
    was = await rt.logins.unlock(username)
    await rt.audit(admin.username, "user_unlocked", username=username)
    return JSON({"username": username, "unlocked": was})


routes = [
    Route("/api/v1/auth/login", login, methods=["POST"]),
    Route("/api/v1/auth/logout", logout, methods=["POST"]),
    Route("/api/v1/auth/me", me, methods=["GET"]),
    Route("/api/v1/users", create_user, methods=["POST"]),
    Route("/api/v1/users", list_users, methods=["GET"]),
    Route("/api/v1/auth/password", change_password, methods=["POST"]),
    Route("/api/v1/auth/reset", reset_password, methods=["POST"]),
    Route("/api/v1/auth/lockouts", lockouts, methods=["GET"]),
    Route("/api/v1/users/{username}/reset-code", issue_reset_code, methods=["POST"]),
    Route("/api/v1/users/{username}/deactivate", deactivate_user, methods=["POST"]),
    Route("/api/v1/users/{username}/reactivate", reactivate_user, methods=["POST"]),
    Route("/api/v1/users/{username}/role", change_role, methods=["POST"]),
    Route("/api/v1/users/{username}/unlock", unlock_user, methods=["POST"]),
    Route("/api/v1/users/{username}/sessions", list_sessions, methods=["GET"]),
    Route("/api/v1/users/{username}/sessions", revoke_sessions, methods=["DELETE"]),
    Route("/api/v1/users/{username}/sessions/{session}", revoke_sessions, methods=["DELETE"]),
]
