"""Settings: one place, read from arguments and the environment; tests build
their own `Settings` before the app is built."""
from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from onewindow.tickets.times import utc_now


class SettingError(ValueError):
    """A setting that cannot be used, naming it: `serve` prints it and refuses to start."""


def positive_int(name: str, raw: str | None, default: int) -> int:
    """`raw` (an environment variable's text) as a whole number above 0; unset or blank: `default`."""
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        value = 0
    if value <= 0:
        raise SettingError(f"{name} must be a whole number above 0, not {raw!r}")
    return value


REDIS_OUTBOX_MAX = 20_000  # live events a process keeps while Redis is away: about a day of a busy hall


def redis_outbox_max(env: Mapping[str, str]) -> int:
    """ONEWINDOW_REDIS_OUTBOX_MAX, checked (SettingError); unset: REDIS_OUTBOX_MAX."""
    return positive_int("ONEWINDOW_REDIS_OUTBOX_MAX", env.get("ONEWINDOW_REDIS_OUTBOX_MAX"), REDIS_OUTBOX_MAX)


@dataclass
class Settings:
    config_path: Path | None = None  # None: the bundled demo hall
    data_dir: Path = Path("data")
    database_url: str | None = None  # None: SQLite in data_dir
    # Several server processes: their live events go through Redis (broker.RedisBroker); None: one process.
    redis_url: str | None = None
    redis_prefix: str = "onewindow"  # key prefix, so deployments can share one Redis
    # Events each process keeps while Redis is unreachable (broker.RedisBroker); beyond them the oldest
    # are dropped and the halls' views rebuilt from the database once Redis answers.
    redis_outbox_max: int = REDIS_OUTBOX_MAX
    admin_password: str | None = None
    secure_cookies: bool = False  # behind HTTPS: the session cookie's Secure flag (ONEWINDOW_SECURE_COOKIES=1)
    session_ttl_s: float = 12 * 3600
    max_body_bytes: int = 64 * 1024
    speech: str = "auto"  # auto | espeak | fake | off
    speaker: str = "off"  # off | auto | a player command with {wav}: the hall PC plays announcements too
    # config: each hall's [[halls.printers]] as written; none: print nothing; any driver spec
    # (preview, tcp://host:9100, file:/dev/usb/lp0, ...) replaces every configured printer's driver.
    printer: str = "config"
    printer_poll_s: float = 2.0  # printer status polls: paper out reaches the manager within ~5 s
    # A printer that does not answer is told "offline" (alarm, dashboard, kiosk) only once it has
    # failed this long: one failed status query whose retry printed is no news.
    printer_offline_after_s: float = 10.0
    print_wait_s: float = 1.0  # how long a ticket's answer waits to say whether it printed
    public_url: str = ""  # base of links printed in QR codes; empty: the request's own
    secret_key: str | None = None  # Fernet key(s) for personal data at rest; None: a key file in data_dir
    clock: Callable[[], float] = field(default=utc_now)
    # After start, move what was loaded out of the garbage collector's sight
    # (gc.freeze): full collections then stop walking it, which stalled every
    # request ~90 ms under load. On in a server process (from_env); off for a
    # test suite that builds many apps in one process.
    freeze_gc: bool = False

    @classmethod
    def from_env(cls, **overrides) -> Settings:
        env = os.environ
        s = cls(
            database_url=env.get("ONEWINDOW_DATABASE_URL") or None,
            redis_url=env.get("ONEWINDOW_REDIS_URL") or None,
            redis_prefix=env.get("ONEWINDOW_REDIS_PREFIX") or "onewindow",
            redis_outbox_max=redis_outbox_max(env),
            admin_password=env.get("ONEWINDOW_ADMIN_PASSWORD") or None,
            speech=env.get("ONEWINDOW_SPEECH", "auto"),
            speaker=env.get("ONEWINDOW_SPEAKER", "off"),
            printer=env.get("ONEWINDOW_PRINTER", "config"),
            printer_offline_after_s=float(env.get("ONEWINDOW_PRINTER_OFFLINE_AFTER_S") or 10.0),
            public_url=env.get("ONEWINDOW_PUBLIC_URL", ""),
            secret_key=env.get("ONEWINDOW_SECRET_KEY") or None,
            secure_cookies=env.get("ONEWINDOW_SECURE_COOKIES", "").strip().lower() in ("1", "true", "yes", "on"),
            freeze_gc=True,
        )
        if env.get("ONEWINDOW_DATA_DIR"):
            s.data_dir = Path(env["ONEWINDOW_DATA_DIR"])
        if env.get("ONEWINDOW_CONFIG"):
            s.config_path = Path(env["ONEWINDOW_CONFIG"])
        for k, v in overrides.items():
            if v is not None:
                setattr(s, k, v)
        return s

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{(Path(self.data_dir) / 'onewindow.db').resolve()}"
