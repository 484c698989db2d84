"""200 concurrent bookings of one slot of capacity 5, over real HTTP to two server
processes (uvicorn --workers 2), on SQLite and PostgreSQL: exactly 5 succeed, the
rest are 409 slot_full, and the slot shows none left."""
from __future__ import annotations

import concurrent.futures
import re
import sys
import threading
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from support.halls import small_hall_toml

from onewindow.promises import seeded_calendar

HALL = "t"
BOOKINGS = 200
APPOINTMENTS = """
[halls.categories.appointments]
slot_min = 60
capacity = 5
share = 0.9
ahead_days = 30
one_per_person = true

[halls.limits]
remote_client_burst = 10000
remote_per_client_per_hour = 100000
remote_per_category_per_minute = 100000
"""


def hall_toml() -> str:
    text = small_hall_toml(8, HALL)
    head, sep, rest = text.partition('name = "综合"\n')  # the first category: general
    return head + sep + APPOINTMENTS + rest


def next_working_day() -> date:
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    return seeded_calendar().next_working_day(today)


@pytest.mark.slow
def test_exactly_capacity_bookings_succeed_across_two_processes(server_process, backend_env, tmp_path,
                                                                admin_password):
    cfg = tmp_path / "hall.toml"
    cfg.write_text(hall_toml(), encoding="utf-8")
    env = {"ONEWINDOW_ADMIN_PASSWORD": admin_password, "ONEWINDOW_DATA_DIR": str(tmp_path / "data"),
           "ONEWINDOW_CONFIG": str(cfg), "ONEWINDOW_SPEECH": "off", **backend_env}
    root = Path(__file__).resolve().parents[2]
    sp = server_process([sys.executable, "-m", "uvicorn", "onewindow.server.app:create_app", "--factory",
                         "--workers", "2", "--host", "127.0.0.1", "--port", "{port}", "--log-level", "info"],
                        env, cwd=root)
    day = next_working_day()
    start = datetime.combine(day, time(10), ZoneInfo("Asia/Shanghai")).isoformat()
    slots = httpx.get(f"{sp.url}/api/v1/halls/{HALL}/slots", params={"category": "general", "date": day.isoformat()})
    assert {"start": start, "capacity": 5, "left": 5}.items() <= next(
        s for s in slots.json() if s["start"] == start).items()

    barrier = threading.Barrier(40)

    def worker(k: int) -> list[httpx.Response]:
        out = []
        with httpx.Client(base_url=sp.url, timeout=120) as c:  # each thread its own connections: both processes
            barrier.wait(timeout=60)
            for i in range(k, BOOKINGS, 40):
                out.append(c.post(f"/api/v1/halls/{HALL}/appointments", json={
                    "category": "general", "start": start, "phone": f"1380000{i:04d}"}))
        return out

    with concurrent.futures.ThreadPoolExecutor(40) as pool:
        answers = [r for f in [pool.submit(worker, k) for k in range(40)] for r in f.result(timeout=600)]
    codes = sorted(r.status_code for r in answers)
    assert codes.count(201) == 5, [r.text for r in answers if r.status_code not in (201, 409)][:3]
    assert codes.count(409) == BOOKINGS - 5
    assert {r.json()["code"] for r in answers if r.status_code == 409} == {"slot_full"}
    assert len({r.json()["code"] for r in answers if r.status_code == 201}) == 5
    after = httpx.get(f"{sp.url}/api/v1/halls/{HALL}/slots", params={"category": "general", "date": day.isoformat()})
    assert next(s for s in after.json() if s["start"] == start)["left"] == 0
    log = sp.output()
    assert len(re.findall(r"Application startup complete", log)) == 2, log
    assert "Traceback" not in log, log
