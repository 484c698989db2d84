"""Passwords (argon2), bearer tokens and the session cookie, and who may act where."""
from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

ROLES = ("clerk", "manager", "admin")
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


def generate_password() -> str:
    return secrets.token_urlsafe(12)


class TokenCache:
    """Recently seen tokens, so a clerk's every click does not read the
    database. Sign-out evicts at once here; other processes forget within `ttl_s`."""

    def __init__(self, ttl_s: float = 30.0, size: int = 4096):
        self.ttl_s, self.size = ttl_s, size
        self._items: dict[str, tuple[float, User]] = {}

    def get(self, digest: str) -> User | None:
        hit = self._items.get(digest)
        if hit is None or hit[0] < time.monotonic():
            return None
        return hit[1]

    def put(self, digest: str, user: User) -> None:
        if len(self._items) >= self.size:
            self._items.clear()
        self._items[digest] = (time.monotonic() + self.ttl_s, user)

    def evict(self, digest: str) -> None:
        self._items.pop(digest, None)

    def evict_user(self, username: str) -> None:
        for k in [k for k, (_, u) in self._items.items() if u.username == username]:
            del self._items[k]
