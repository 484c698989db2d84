"""The password policy, for every password a person chooses: creating an
account, changing one's own, setting one with a reset code, and the bootstrap
admin's ONEWINDOW_ADMIN_PASSWORD.

- at least MIN_LENGTH characters (at most MAX_LENGTH);
- not the username, and not containing it (usernames of 3 characters or more;
  compared without case);
- not a common password: the 30,000 most common passwords of zxcvbn's
  frequency list (the `zxcvbn` package, Dropbox's estimator as maintained for
  Python), compared without case, also with the digits and symbols at its end
  taken off ("Password2024!" is "password").

A refusal is `Invalid` with the code `weak_password`, a `reason`
(`too_short`, `too_long`, `username`, `common`) and a Chinese and English
message saying why."""
from __future__ import annotations

import re
import secrets
from functools import lru_cache

from onewindow.server.errors import Invalid

MIN_LENGTH = 10
MAX_LENGTH = 256

_MESSAGES = {
    "too_short": f"密码至少 {MIN_LENGTH} 位 / A password needs at least {MIN_LENGTH} characters",
    "too_long": f"密码最多 {MAX_LENGTH} 位 / A password has at most {MAX_LENGTH} characters",
    "username": "密码不能是用户名或包含用户名 / A password must not be or contain the username",
    "common": "这是常见密码，容易被猜中，请换一个 / This is a common password, easily guessed; choose another",
}
_TAIL = re.compile(r"[\d\W_]+$")


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(p.lower() for p in FREQUENCY_LISTS["passwords"])


def weakness(password: str, username: str = "") -> str | None:
    """Why `password` is refused for `username` (a reason code), or None when it may be used."""
    if len(password) < MIN_LENGTH:
        return "too_short"
    if len(password) > MAX_LENGTH:
        return "too_long"
    low, user = password.lower(), username.lower()
    if user and (low == user or (len(user) >= 3 and user in low)):
        return "username"
    common = _common()
    stem = _TAIL.sub("", low)
    if low in common or (stem != low and stem in common and len(stem) >= 4):
        return "common"
    return None


def message(reason: str) -> str:
    return _MESSAGES[reason]


def check(password: str, username: str = "", field: str = "password") -> None:
    """Raise Invalid(code weak_password) when the policy refuses `password` for `username`."""
    reason = weakness(password, username)
    if reason is not None:
        raise Invalid(_MESSAGES[reason], "weak_password", reason=reason, field=field)


def generate(username: str = "") -> str:
    """A random password the policy accepts (16 URL-safe characters)."""
    while True:
        pw = secrets.token_urlsafe(12)
        if weakness(pw, username) is None:
            return pw
