"""Report exports that run in the background with their progress: a year's
report reads a quarter of a million tickets, longer than a browser should
wait on one request.

A job's state lives in a small JSON file beside its output in
`data/exports/`, so whichever server process a manager's next poll reaches
can answer it. Finished files are kept for a day.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import time
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path

from onewindow.server.tasks import cancel_all

log = logging.getLogger("onewindow.exports")

FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
KEEP_S = 24 * 3600

# (progress callback) -> the file's bytes
Producer = Callable[[Callable[[float, str], None]], Awaitable[bytes]]


class Exports:
    def __init__(self, folder: Path, clock: Callable[[], float] = time.time) -> None:
        self.folder = Path(folder)
        self.clock = clock
        self._tasks: set[asyncio.Task] = set()  # held so they are not collected mid-run

    async def start(self, hall: str, first: date, last: date, fmt: str, by: str, produce: Producer) -> dict:
        job_id = secrets.token_urlsafe(12)
        state = {"id": job_id, "hall": hall, "from": first.isoformat(), "to": last.isoformat(), "format": fmt,
                 "status": "running", "progress": 0.0, "step": "queued", "by": by, "created_at": self.clock(),
                 "error": None, "filename": f"onewindow-{hall}-{first}-{last}.{fmt}"}
        await asyncio.to_thread(self._prepare)
        await self._save(state)
        task = asyncio.create_task(self._run(state, produce), name=f"onewindow-export-{job_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return state

    async def status(self, job_id: str) -> dict | None:
        if not _valid_id(job_id):
            return None
        return await asyncio.to_thread(self._load, job_id)

    def output(self, state: dict) -> Path:
        return self.folder / f"{state['id']}.{state['format']}"

    async def wait(self, job_id: str, timeout: float = 30) -> dict | None:
        """Until the job has ended (tests)."""
        async with asyncio.timeout(timeout):
            while True:
                state = await self.status(job_id)
                if state is None or state["status"] != "running":
                    return state
                await asyncio.sleep(0.02)

    async def stop(self) -> None:
        await cancel_all(self._tasks)

    # ----- internals -------------------------------------------------------------

    async def _run(self, state: dict, produce: Producer) -> None:
        pending: list[dict] = []

        def progress(share: float, step: str) -> None:
            # Called from the producer; saved by this task between its awaits.
            pending.append({"progress": round(min(max(share, 0.0), 0.99), 3), "step": step})

        async def flush() -> None:
            if pending:
                state.update(pending[-1])
                pending.clear()
                await self._save(state)

        try:
            job = asyncio.ensure_future(produce(progress))
            while not job.done():
                await asyncio.wait({job}, timeout=0.25)
                await flush()
            data = job.result()
            await asyncio.to_thread(_write_atomic, self.output(state), data)
            state.update(status="done", progress=1.0, step="done", size=len(data))
        except asyncio.CancelledError:
            state.update(status="failed", error="the server stopped during the export; start it again")
            await self._save(state)
            raise
        except Exception as exc:
            log.exception("export %s failed", state["id"])
            state.update(status="failed", error=getattr(exc, "message", None) or str(exc) or type(exc).__name__)
        await self._save(state)

    def _prepare(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        cutoff = self.clock() - KEEP_S
        for f in self.folder.iterdir():  # yesterday's exports make room
            try:
                if f.stat().st_mtime < cutoff:
                    f.unlink()
            except FileNotFoundError:
                pass

    async def _save(self, state: dict) -> None:
        data = json.dumps(state, ensure_ascii=False).encode()
        await asyncio.to_thread(_write_atomic, self.folder / f"{state['id']}.json", data)

    def _load(self, job_id: str) -> dict | None:
        try:
            return json.loads((self.folder / f"{job_id}.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None


def _valid_id(job_id: str) -> bool:
    return 8 <= len(job_id) <= 32 and all(c.isalnum() or c in "-_" for c in job_id)


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)
