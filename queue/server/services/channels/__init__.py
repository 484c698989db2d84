"""How a message leaves the server: one interface, three channels (httpx's
transports are the model: real I/O only inside the channel, its library's
errors turned into ours).

    channel.open()            connect (or not: a channel may connect lazily)
    await channel.send(msg)   -> the provider's message id, or raises:
        ChannelDown  nothing was handed over (refused, unreachable, throttled): retry later
        Rejected     the gateway refused this message for good: failed
        InDoubt      it may have been handed over (no answer after sending): not resent
    channel.close()

Delivery receipts come back through the `on_receipt(provider_id, stat)` callback
given to the channel (called from any thread).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from onewindow.server.config.notify import NotifyRules


@dataclass(frozen=True)
class Outgoing:
    id: int
    hall: str
    phone: str  # 11 digits, decrypted just before sending
    text: str
    kind: str
    event_key: str


class ChannelError(Exception):
    pass


class ChannelDown(ChannelError):
    """Nothing was handed over: safe to try again later."""


class Rejected(ChannelError):
    """The gateway refused this message: trying again would not help."""


class InDoubt(ChannelError):
    """The message may have reached the gateway: at most once means not sending it again."""


Receipt = Callable[[str, str], None]  # (provider message id, stat word such as DELIVRD)


class Channel(Protocol):
    name: str

    async def open(self) -> None: ...

    async def send(self, msg: Outgoing) -> str: ...

    async def close(self) -> None: ...


def open_channel(hall: str, rules: NotifyRules, data_dir: Path, on_receipt: Receipt) -> Channel | None:
    """The hall's configured channel (not yet opened); None for "off"."""
    if rules.channel == "smpp":
        from onewindow.server.services.channels.smpp import SmppChannel

        assert rules.smpp is not None  # config/notify.py checks it
        return SmppChannel(rules.smpp, on_receipt)
    if rules.channel == "http":
        from onewindow.server.services.channels.http import HttpChannel

        assert rules.http is not None
        return HttpChannel(rules.http)
    if rules.channel == "file":
        from onewindow.server.services.channels.file import FileChannel

        return FileChannel(Path(data_dir) / rules.file.path / f"{hall}.log")
    return None
