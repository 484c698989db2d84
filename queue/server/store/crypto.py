"""Personal data at rest: applicants' names and phones are stored encrypted
(Fernet: AES-128-CBC with HMAC-SHA256) and shown masked.

The key comes from `ONEWINDOW_SECRET_KEY` (Settings.secret_key; several keys
separated by commas rotate: the first encrypts, any decrypts), or else from
`secret.key` in the data directory, generated once with mode 0600. Losing
that file makes the stored names unreadable: back it up with the database.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import logging
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

log = logging.getLogger("onewindow.crypto")

KEY_FILE = "secret.key"
UNREADABLE = "(无法解密 / unreadable)"


class SecretKeyError(ValueError):
    """The configured key cannot be used."""


class Box:
    """Encrypts and decrypts short texts; the empty text stays empty."""

    def __init__(self, keys: list[bytes]):
        if not keys:
            raise SecretKeyError("no key")
        self._keys = list(keys)
        try:
            self._fernet = MultiFernet([Fernet(k) for k in keys])
        except ValueError:
            raise SecretKeyError(
                "ONEWINDOW_SECRET_KEY must be Fernet keys (32 url-safe base64 bytes), "
                'e.g. from: python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
            ) from None

    def derive(self, purpose: str) -> list[bytes]:
        """Separate keys for another use of the same key material (HMAC-SHA256(key, purpose)),
        one per configured key, in order: the first for new data, any to check old data."""
        return [hmac.new(k, f"onewindow {purpose}".encode(), hashlib.sha256).digest() for k in self._keys]

    def encrypt(self, text: str) -> str:
        if not text:
            return ""
        return self._fernet.encrypt(text.encode()).decode("ascii")

    def decrypt(self, token: str) -> str:
        if not token:
            return ""
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode()
        except (InvalidToken, UnicodeError):
            log.warning("a stored value cannot be decrypted with the configured key")
            return UNREADABLE


def load_box(secret_key: str | None, data_dir: Path) -> Box:
    if secret_key:
        return Box([k.strip().encode() for k in secret_key.split(",") if k.strip()])
    return Box([key_file(Path(data_dir) / KEY_FILE)])


def key_file(path: Path) -> bytes:
    """The key in `path`, created (0600) if missing; safe when several workers start at once."""
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, Fernet.generate_key() + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)  # atomic, and refuses to replace a key another process just wrote
        log.warning("generated a new key for personal data in %s; back it up with the database", path)
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp)
    return path.read_bytes().strip()


def mask_name(name: str) -> str:
    """张三 -> 张**: the first character only, whatever the length."""
    name = (name or "").strip()
    if not name:
        return ""
    if name == UNREADABLE:
        return name
    return name[0] + "**"


def mask_phone(phone: str) -> str:
    """13812345678 -> 138****5678; short numbers keep only their last two digits."""
    phone = (phone or "").strip()
    if not phone:
        return ""
    if phone == UNREADABLE:
        return phone
    if len(phone) >= 7:
        return phone[:3] + "****" + phone[-4:]
    return "*" * max(len(phone) - 2, 1) + phone[-2:]


# ----- tickets' tracking tokens ----------------------------------------------------------------
# A ticket's tracking token (its QR link) is shown once, at issue; the database keeps only
# HMAC-SHA256(key, token) with this prefix, the key derived from the server's secret key
# (Box.derive("track token"): every configured key checks, the first makes new ones).
TRACK_PREFIX = "h1:"


@functools.lru_cache(maxsize=16)
def _keyed(key: bytes) -> hmac.HMAC:
    return hmac.new(key, digestmod=hashlib.sha256)  # keyed once; copied per token (issuing is a hot path)


def track_digest(key: bytes, token: str) -> str:
    """46 characters (the ticket.track_token column holds 64)."""
    mac = _keyed(key).copy()
    mac.update(token.encode())
    return TRACK_PREFIX + base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")


def track_digests(keys: list[bytes], token: str) -> tuple[str, ...]:
    """What a stored token may equal for `token` to be right: one digest per key."""
    return tuple(track_digest(k, token) for k in keys)


def track_matches(stored: str, digests: tuple[str, ...]) -> bool:
    """Constant-time: whether the stored digest is one of `digests`."""
    ok = False
    for d in digests:
        ok |= hmac.compare_digest(stored.encode(), d.encode())
    return ok
