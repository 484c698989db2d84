"""Settings: one place, read from arguments and the environment; tests build
their own `Settings` before the app is built."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .rules import utc_now


@dataclass
class Settings:
    config_path: Path | None = None  # None: the bundled demo hall
    data_dir: Path = Path("data")
    database_url: str | None = None  # None: SQLite in data_dir
    admin_password: str | None = None
    secure_cookies: bool = False  # set behind HTTPS
    session_ttl_s: float = 12 * 3600
    max_body_bytes: int = 64 * 1024
    speech: str = "auto"  # auto | espeak | fake | off
    printer: str = "preview"  # preview | none | a printer URL (tcp://host:9100, file:/dev/usb/lp0)
    public_url: str = ""  # base of links printed in QR codes; empty: the request's own
    secret_key: str | None = None  # Fernet key(s) for personal data at rest; None: a key file in data_dir
    clock: Callable[[], float] = field(default=utc_now)

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        env = os.environ
        s = cls(
            database_url=env.get("ONEWINDOW_DATABASE_URL") or None,
            admin_password=env.get("ONEWINDOW_ADMIN_PASSWORD") or None,
            speech=env.get("ONEWINDOW_SPEECH", "auto"),
            printer=env.get("ONEWINDOW_PRINTER", "preview"),
            public_url=env.get("ONEWINDOW_PUBLIC_URL", ""),
            secret_key=env.get("ONEWINDOW_SECRET_KEY") or None,
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
