"""The `[halls.notify]` table: how a hall's messages to applicants go out.

    [halls.notify]
    channel = "file"            # smpp | http | file | off
    signature = "【政务服务中心】"  # the SMS signature (签名) put before every text
    near_ahead = 3              # "N ahead of you" when this many are ahead
    quiet_start = "21:00"       # nothing goes out from quiet_start to quiet_end (hall time);
    quiet_end = "08:00"         # messages enqueued meanwhile wait for quiet_end
    daily_limit = 10            # messages per recipient per day (0: no limit)
    max_tries = 10              # then the message is failed
    lease_s = 60                # a sender's claim on a message; a dead sender's claims expire
    poll_s = 1.0                # how often the sender looks for due messages
    batch = 20                  # messages claimed at a time
    rate_per_s = 0              # at most this many messages a second (the SMS account's limit); 0: none

    [halls.notify.smpp]         # SMPP 3.4 (bind_transceiver); receipts arrive on the same bind
    host = "10.0.0.5"
    port = 2775
    system_id = "onewindow"
    password_env = "ONEWINDOW_SMPP_PASSWORD"   # or password = "..." (kept out of files, better)
    source_addr = "106900001234"

    [halls.notify.http]         # a JSON POST per message, HMAC-SHA256 signed
    url = "https://sms-gw.example.cn/send"
    secret_env = "ONEWINDOW_SMS_SECRET"        # or secret = "..."
    fields = { phone = "mobile", text = "content", id = "out_id" }

    [halls.notify.file]         # one JSON line per message (the demo hall)
    path = "notify"             # a folder under the data directory
"""
from __future__ import annotations

import os
from datetime import time
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from onewindow.notify.policy import QuietHours


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Smpp(_Strict):
    host: str = Field(min_length=1)
    port: int = Field(default=2775, ge=1, le=65535)
    system_id: str = Field(default="", max_length=15)
    password: str = Field(default="", max_length=8)
    password_env: str = ""
    system_type: str = Field(default="", max_length=12)
    source_addr: str = Field(default="", max_length=20)
    source_ton: int = Field(default=0, ge=0, le=6)
    source_npi: int = Field(default=0, ge=0, le=18)
    dest_ton: int = Field(default=1, ge=0, le=6)  # international
    dest_npi: int = Field(default=1, ge=0, le=18)  # E.164
    country_code: str = Field(default="86", pattern=r"^\d{0,3}$")  # put before the 11 digits with dest_ton 1
    receipts: bool = True  # ask for delivery receipts (registered_delivery)
    timeout_s: float = Field(default=10, gt=0, le=120)
    enquire_link_s: float = Field(default=30, gt=0, le=3600)

    def secret(self) -> str:
        return os.environ.get(self.password_env, "") if self.password_env else self.password


class HttpFields(_Strict):
    phone: str = "phone"
    text: str = "text"
    id: str = "id"  # our message id: the gateway's idempotency key
    kind: str = ""  # "" leaves it out
    provider_id: str = "message_id"  # where the answer carries the gateway's id


class Http(_Strict):
    url: str
    secret: str = ""
    secret_env: str = ""
    signature_header: str = "X-Signature"  # hex HMAC-SHA256(secret, timestamp + "." + body)
    timestamp_header: str = "X-Timestamp"
    fields: HttpFields = HttpFields()
    extra: dict[str, str] = {}  # constant fields added to every body (an app id, a template id)
    timeout_s: float = Field(default=10, gt=0, le=120)

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        u = urlsplit(v)
        if u.scheme not in ("http", "https") or not u.netloc:
            raise ValueError(f"not an http(s) URL: {v!r}")
        return v

    def key(self) -> str:
        return os.environ.get(self.secret_env, "") if self.secret_env else self.secret


class FileChannel(_Strict):
    path: str = "notify"


class NotifyRules(_Strict):
    channel: Literal["smpp", "http", "file", "off"] = "off"
    signature: str = Field(default="", max_length=20)
    near_ahead: int = Field(default=3, ge=1, le=50)
    quiet_start: time = time(21, 0)
    quiet_end: time = time(8, 0)
    daily_limit: int = Field(default=10, ge=0, le=1000)
    max_tries: int = Field(default=10, ge=1, le=100)
    lease_s: float = Field(default=60, ge=1, le=3600)
    poll_s: float = Field(default=1.0, gt=0, le=60)
    batch: int = Field(default=20, ge=1, le=500)
    rate_per_s: float = Field(default=0, ge=0, le=10_000)  # the gateway account's limit (TPS); 0: none
    smpp: Smpp | None = None
    http: Http | None = None
    file: FileChannel = FileChannel()

    @model_validator(mode="after")
    def _channel(self) -> NotifyRules:
        if self.channel == "smpp" and self.smpp is None:
            raise ValueError('channel = "smpp" needs a [halls.notify.smpp] table (host, port, system_id ...)')
        if self.channel == "http":
            if self.http is None:
                raise ValueError('channel = "http" needs a [halls.notify.http] table (url, secret_env ...)')
            if not (self.http.secret or self.http.secret_env):
                raise ValueError("[halls.notify.http] needs secret_env (or secret) to sign requests")
        return self

    @property
    def quiet(self) -> QuietHours:
        return QuietHours(self.quiet_start, self.quiet_end)
