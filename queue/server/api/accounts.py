"""Sign-in and accounts."""
from __future__ import annotations

import asyncio
from typing import Literal

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.routing import Route

from onewindow.server.api.common import JSON, bearer, body, current_user, require_role, runtime
from onewindow.server.errors import Unauthorized
from onewindow.server.services import auth
from onewindow.server.store import accounts


class Login(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class NewUser(BaseModel):
    username: str = Field(pattern=r"^[a-z][a-z0-9_.-]{1,63}$")
    password: str = Field(min_length=8, max_length=256)
    role: Literal["clerk", "manager", "admin"]
    display_name: str = Field(default="", max_length=64)
    title: str = Field(default="", max_length=64)


async def login(request: Request):
    """Sign in.
    ---
    summary: Sign in with a username and password
    responses:
      200: {description: "{token, role} and a session cookie"}
      401: {description: wrong credentials}
    """
    data = await body(request, Login)
    rt = runtime(request)
    row = await rt.db.read(accounts.user_by_name, data.username)
    ok = await asyncio.to_thread(auth.verify_password, row["password_hash"] if row else None, data.password)
    if not ok or not row["active"]:
        await rt.audit(data.username, "login_failed")
        raise Unauthorized("wrong username or password", "bad_credentials")
    token = auth.new_token()
    await rt.db.write(accounts.create_session, auth.token_digest(token), row["id"], rt.clock(),
                      rt.settings.session_ttl_s)
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
        digest = auth.token_digest(token)
        rt.tokens.evict(digest)
        await rt.db.write(accounts.delete_session, digest)
    resp = JSON({"ok": True})
    resp.delete_cookie(auth.COOKIE)
    return resp


async def me(request: Request):
    """The signed-in user."""
    u = await current_user(request)
    return JSON({"username": u.username, "role": u.role, "display_name": u.display_name, "title": u.title})


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
    rt = runtime(request)
    pw_hash = await asyncio.to_thread(auth.hash_password, data.password)
    user = await rt.db.write(accounts.create_user, username=data.username, password_hash=pw_hash, role=data.role,
                             display_name=data.display_name or data.username, title=data.title, now=rt.clock())
    await rt.audit(admin.username, "create_user", username=data.username, role=data.role)
    return JSON(user, status_code=201)


async def list_users(request: Request):
    """Accounts (manager, admin)."""
    await require_role(request, "manager", "admin")
    return JSON(await runtime(request).db.read(accounts.users))


routes = [
    Route("/api/v1/auth/login", login, methods=["POST"]),
    Route("/api/v1/auth/logout", logout, methods=["POST"]),
    Route("/api/v1/auth/me", me, methods=["GET"]),
    Route("/api/v1/users", create_user, methods=["POST"]),
    Route("/api/v1/users", list_users, methods=["GET"]),
]
