"""Configuration: a Redis URL turns the broker on; several workers without one are refused."""
from __future__ import annotations

import pytest

from onewindow.server.cli import main
from onewindow.server.live.broker import RedisBroker
from onewindow.server.live.hub import LocalBroker
from onewindow.server.runtime import Runtime
from onewindow.server.settings import SettingError, Settings


def test_the_environment_names_redis(monkeypatch):
    monkeypatch.setenv("ONEWINDOW_REDIS_URL", "redis://10.0.0.5:6379/2")
    monkeypatch.setenv("ONEWINDOW_REDIS_PREFIX", "hall-b")
    s = Settings.from_env()
    assert (s.redis_url, s.redis_prefix) == ("redis://10.0.0.5:6379/2", "hall-b")
    monkeypatch.delenv("ONEWINDOW_REDIS_URL")
    monkeypatch.delenv("ONEWINDOW_REDIS_PREFIX")
    assert (Settings.from_env().redis_url, Settings.from_env().redis_prefix) == (None, "onewindow")


def test_the_runtime_takes_the_redis_broker_only_when_told(settings):
    assert isinstance(Runtime(settings).hub.broker, LocalBroker)
    rt = Runtime(Settings(**{**settings.__dict__, "redis_url": "redis://127.0.0.1:1/0", "redis_prefix": "p"}))
    assert isinstance(rt.hub.broker, RedisBroker)
    assert (rt.hub.broker.url, rt.hub.broker.prefix) == ("redis://127.0.0.1:1/0", "p")


def test_several_workers_without_redis_are_refused(monkeypatch, capsys):
    monkeypatch.delenv("ONEWINDOW_REDIS_URL", raising=False)
    assert main(["serve", "--workers", "2"]) == 2
    err = capsys.readouterr().err
    assert "--workers 2 needs --redis-url" in err and "ONEWINDOW_REDIS_URL" in err


def test_the_outbox_cap_is_a_setting_handed_to_the_broker(monkeypatch, settings):
    monkeypatch.setenv("ONEWINDOW_REDIS_OUTBOX_MAX", "500")
    assert Settings.from_env().redis_outbox_max == 500
    monkeypatch.delenv("ONEWINDOW_REDIS_OUTBOX_MAX")
    assert Settings.from_env().redis_outbox_max == 20_000
    rt = Runtime(Settings(**{**settings.__dict__, "redis_url": "redis://127.0.0.1:1/0", "redis_outbox_max": 7}))
    assert isinstance(rt.hub.broker, RedisBroker) and rt.hub.broker.outbox_max == 7


@pytest.mark.parametrize("bad", ["0", "-5", "lots", "2.5"])
def test_a_bad_outbox_cap_stops_serve_with_a_clear_message(monkeypatch, capsys, bad):
    monkeypatch.setenv("ONEWINDOW_REDIS_OUTBOX_MAX", bad)
    assert main(["serve"]) == 2  # before any worker starts
    err = capsys.readouterr().err
    assert err == f"onewindow: ONEWINDOW_REDIS_OUTBOX_MAX must be a whole number above 0, not {bad!r}\n"
    with pytest.raises(SettingError, match="ONEWINDOW_REDIS_OUTBOX_MAX"):
        Settings.from_env()  # a server started another way (uvicorn --factory) stops too
