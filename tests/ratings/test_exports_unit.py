"""The export runner on its own: progress as the producer reports it, failures
reported to the manager, files that appear whole or not at all."""
from __future__ import annotations

import asyncio
from datetime import date

from support.wait import wait_until_async

from onewindow.server.services.exports import Exports


async def _until(exports: Exports, job_id: str, check) -> dict:
    """The job's state, once check(state) holds."""
    async def state():
        s = await exports.status(job_id)
        return s if check(s) else None

    return await wait_until_async(state, what=f"export {job_id} in the awaited state")


async def test_progress_is_visible_while_the_export_runs(tmp_path):
    exports = Exports(tmp_path)
    half, go_on = asyncio.Event(), asyncio.Event()

    async def produce(progress):
        progress(0.4, "reading 2026-06-30")
        half.set()
        await go_on.wait()
        progress(0.9, "writing")
        return b"a,b\r\n1,2\r\n"

    job = await exports.start("eco", date(2026, 1, 1), date(2026, 11, 23), "csv", "boss", produce)
    await half.wait()
    state = await _until(exports, job["id"], lambda s: s["progress"] == 0.4)
    assert (state["status"], state["step"]) == ("running", "reading 2026-06-30")
    assert not exports.output(state).exists()  # nothing half-written to download
    go_on.set()
    state = await exports.wait(job["id"])
    assert (state["status"], state["progress"], state["size"]) == ("done", 1.0, 10)
    assert exports.output(state).read_bytes() == b"a,b\r\n1,2\r\n"
    # Any process sharing the data folder answers the same.
    assert (await Exports(tmp_path).status(job["id"]))["status"] == "done"


async def test_a_failed_export_says_why(tmp_path, caplog):
    exports = Exports(tmp_path)

    async def produce(progress):
        progress(0.2, "reading")
        raise ValueError("the database went away")

    job = await exports.start("eco", date(2026, 11, 1), date(2026, 11, 23), "xlsx", "boss", produce)
    state = await exports.wait(job["id"])
    assert (state["status"], state["error"]) == ("failed", "the database went away")
    assert not exports.output(state).exists()
    assert "export" in caplog.text and "failed" in caplog.text


async def test_unknown_and_malformed_ids(tmp_path):
    exports = Exports(tmp_path)
    assert await exports.status("AAAAAAAAAAAAAAAA") is None
    assert await exports.status("../../etc/passwd") is None
    assert await exports.status("") is None


async def test_a_day_old_export_is_cleared_when_the_next_starts(tmp_path):
    now = [1_800_000_000.0]
    exports = Exports(tmp_path, clock=lambda: now[0])

    async def produce(progress):
        return b"x"

    old = await exports.start("eco", date(2026, 11, 1), date(2026, 11, 1), "csv", "boss", produce)
    await exports.wait(old["id"])
    import os

    for f in tmp_path.iterdir():
        os.utime(f, (now[0] - 90_000, now[0] - 90_000))
    new = await exports.start("eco", date(2026, 11, 2), date(2026, 11, 2), "csv", "boss", produce)
    await exports.wait(new["id"])
    assert await exports.status(old["id"]) is None
    assert (await exports.status(new["id"]))["status"] == "done"
