"""Passwords (argon2), bearer tokens and the session cookie, and who may act where."""
from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

ROLES = ("clerk", "manager", "admin", "bureau_manager", "reviewer")  # reviewer: 一审一核 (issue 15)
# The bureau above the halls (issue 17): reads every outlet's figures, changes none of their queues.
BUREAU = "bureau_manager"
COOKIE = "ow_session"
_hasher = PasswordHasher()
# Checked against when the user does not exist, so a wrong name takes as long as a wrong password.
_DUMMY = _hasher.hash("not a password")


def use_cheap_hashing_for_tests() -> None:
    """argon2's cheapest profile: for test suites only, never for a hall."""
    global _hasher, _DUMMY
    _hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)
    _DUMMY = _hasher.hash("not a password")


@dataclass(frozen=True, slots=True)
class User:
    id: int
    username: str
    role: str
    display_name: str
    title: str = ""

    @property
    def is_manager(self) -> bool:
        return self.role in ("manager", "admin")

    @property
    def is_bureau(self) -> bool:
        return self.role == BUREAU


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def generate_password(username: str = "admin") -> str:
    """A random password the policy (services/passwords.py) accepts."""
    from onewindow.server.services import passwords

    return passwords.generate(username)


class TokenCache:
    """Recently seen tokens, so a clerk's every click does not read the database.

    Revocation (sign-out, deactivation, a password or role change, an admin revoking
    sessions) evicts at once in every server process: the runtime sends it through the
    hub's control channel (Runtime.revoke). `ttl_s` only bounds how long a process that
    missed a message (its Redis link was down, and it cleared the cache on reconnecting
    anyway) could go on; a session's own expiry is checked on every hit."""

    def __init__(self, ttl_s: float = 30.0, size: int = 4096):
        self.ttl_s, self.size = ttl_s, size
        self._items: dict[str, tuple[float, User, float]] = {}
        # Bumped by every eviction: a database read that began before one is not cached
        # (it may have read a session revoked meanwhile).
        self.generation = 0

    def get(self, digest: str, now: float | None = None) -> User | None:
        hit = self._items.get(digest)
        if hit is None or hit[0] < time.monotonic():
            return None
        if now is not None and hit[2] <= now:  # the session expired
            del self._items[digest]
            return None
        return hit[1]

    def put(self, digest: str, user: User, expires_at: float = float("inf"), generation: int | None = None) -> None:
        if generation is not None and generation != self.generation:
            return
        if len(self._items) >= self.size:
            self._items.clear()
        self._items[digest] = (time.monotonic() + self.ttl_s, user, expires_at)

    def evict(self, digest: str) -> None:
        self.generation += 1
        self._items.pop(digest, None)

    def evict_user(self, username: str) -> None:
        self.generation += 1
        for k in [k for k, (_, u, _) in self._items.items() if u.username == username]:
            del self._items[k]

    def clear(self) -> None:
        self.generation += 1
        self._items.clear()


class LiveSockets:
    """Open signed-in sockets (consoles, dashboards) by session, so a revoked session's
    sockets close at once: `add` returns a handle for `discard`; `close` calls each
    socket's closer."""

    def __init__(self) -> None:
        self._by_digest: dict[str, dict[int, tuple[str, Callable[[], None]]]] = {}
        self._n = 0

    def add(self, digest: str, username: str, closer: Callable[[], None]) -> int:
        self._n += 1
        self._by_digest.setdefault(digest, {})[self._n] = (username, closer)
        return self._n

    def discard(self, digest: str, handle: int) -> None:
        socks = self._by_digest.get(digest)
        if socks is not None:
            socks.pop(handle, None)
            if not socks:
                del self._by_digest[digest]

    def digests(self) -> list[str]:
        return list(self._by_digest)

    def close(self, digests=(), username: str | None = None) -> int:
        """Close the sockets of these sessions (and all of `username`'s); how many."""
        n = 0
        for d in list(self._by_digest):
            socks = self._by_digest.get(d, {})
            hit = d in digests or (username is not None and any(u == username for u, _ in socks.values()))
            if not hit:
                continue
            for _, closer in list(socks.values()):
                closer()
                n += 1
            self._by_digest.pop(d, None)
        return n

    def __len__(self) -> int:
        return sum(len(s) for s in self._by_digest.values())
