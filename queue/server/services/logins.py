"""Login throttling: a short back-off after each failed sign-in and a
temporary lockout after too many, per account and per client address. The
state lives in the database (store/logins.py), so every server process counts
the same failures; time is the runtime's clock.

Per account (the username tried, existing or not):
  1 s, 2 s, 4 s, 8 s back-off after the 1st to 4th failure within 15 minutes;
  the 5th locks the account for 15 minutes, the next lockout 30, then 60, ...
  (at most 24 hours). The right password is refused while locked. A successful
  sign-in (or an admin's unlock, or a password reset) clears the account's count.
Per client address:
  30 failures within 15 minutes lock the address for 15 minutes, growing the
  same way; a success does not clear it (one good account must not launder a
  guessing run).
Failures and lockouts are audited (login_failed, login_locked)."""
from __future__ import annotations

import json

from onewindow.server.errors import TooManyRequests
from onewindow.server.store import accounts, logins
from onewindow.server.store.database import Database
from onewindow.server.store.logins import Rule

ACCOUNT = Rule(limit=5, window_s=15 * 60, lock_s=15 * 60, lock_max_s=24 * 3600, backoff=(1, 2, 4, 8))
ADDRESS = Rule(limit=30, window_s=15 * 60, lock_s=15 * 60, lock_max_s=24 * 3600)


def _subject(username: str) -> str:
    return username.strip().lower()[:64]


class LoginGuard:
    def __init__(self, db: Database, clock, account: Rule = ACCOUNT, address: Rule = ADDRESS):
        self.db, self.clock = db, clock
        self.account, self.address = account, address

    async def check(self, username: str, address: str) -> None:
        """Refuse (429, before the password is even looked at) while the account or the address is
        locked or backing off."""
        now = self.clock()
        keys = [("user", _subject(username)), ("addr", address[:64])]
        st = await self.db.read(logins.states, keys)
        for (kind, _), row in st.items():
            if row["locked_until"] > now:
                who = ("账号已被临时锁定 / This account is locked" if kind == "user"
                       else "此地址登录失败过多，已被临时锁定 / Too many failed sign-ins from this address")
                raise TooManyRequests(f"{who}; 请稍后再试 / try again later",
                                      "account_locked" if kind == "user" else "address_locked",
                                      retry_after=row["locked_until"] - now)
        for row in st.values():
            if row["retry_at"] > now:
                raise TooManyRequests("登录失败，请稍候再试 / Sign-in failed; wait a moment before trying again",
                                      "login_backoff", retry_after=row["retry_at"] - now)

    async def failed(self, username: str, address: str, reason: str = "bad_credentials") -> None:
        """Count a failed attempt for the account and the address, audited; lockouts begun are audited."""
        now = self.clock()
        user, addr, acc_rule, addr_rule = _subject(username), address[:64], self.account, self.address

        def fn(tx):
            a = logins.fail(tx, "user", user, acc_rule, now)
            b = logins.fail(tx, "addr", addr, addr_rule, now)
            accounts.audit(tx, username[:64], "login_failed",
                           json.dumps({"address": addr, "reason": reason, "failures": a["failures"]},
                                      ensure_ascii=False), now)
            for kind, row in (("user", a), ("addr", b)):
                if row["locked"]:
                    accounts.audit(tx, None, "login_locked", json.dumps(
                        {"kind": kind, "subject": row["subject"], "until": row["locked_until"],
                         "lockouts": row["lockouts"], "address": addr}, ensure_ascii=False), now)

        await self.db.write(fn)

    async def succeeded(self, username: str) -> None:
        await self.db.write(logins.clear, "user", _subject(username))

    async def unlock(self, username: str) -> bool:
        return await self.db.write(logins.clear, "user", _subject(username))

    async def lockouts(self) -> list[dict]:
        now = self.clock()
        rows = await self.db.read(logins.locked, now)
        return [{"kind": "account" if r["kind"] == "user" else "address", "subject": r["subject"],
                 "locked": r["locked_until"] > now, "locked_until": r["locked_until"] if r["locked_until"] > now
                 else None, "retry_after": max(0, int(r["locked_until"] - now)), "failures": r["failures"],
                 "lockouts": r["lockouts"], "last_failure_at": r["last_failure_at"]} for r in rows]
