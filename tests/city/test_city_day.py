"""A shortened city day (issue 17, point 6): bench/city_day.py's 30 outlets against two workers
on PostgreSQL + Redis, from 09:50 to 13:45 (the printers' paper running out at 10:00-10:40, the
lunch rota at 11:30-13:30) at 400x: every ticket called once and done, every call on every
screen of its hall, every case's promise recorded, and the check itself catches a missed call."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from support import pg
from support.broker import require_redis

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import city_day  # bench/ is put on the path just above

pytestmark = pytest.mark.slow


def test_a_shortened_city_day_serves_every_ticket_once_and_every_screen_sees_every_call():
    pg.require_pg()
    require_redis()
    figures = city_day.run_day(outlets=30, speed=400, start="09:50", end="13:45", pg_admin=pg.PG_ADMIN)
    print({k: v for k, v in figures.items() if k not in ("errors", "problems")})
    assert figures["problems"] == []
    assert [e for e in figures["errors"] if not e.startswith("screen ")] == [], "every clerk action answered"
    assert figures["checker_catches_a_missed_call"]
    assert figures["outlets"] == 30 and figures["workers"] == 2
    assert figures["tickets"] >= 200 and figures["calls"] == figures["tickets"]
    assert figures["cases"] > 0
    assert figures["print_status"].get("failed", 0) > 0, "tickets issued while a printer was out of paper"
    assert figures["print_status"].get("printed", 0) > 0
