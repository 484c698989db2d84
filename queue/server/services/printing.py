"""The halls' thermal printers, run by one PrintService for the whole server.

Tickets print on the kiosk's printer when issued; case receipts and one-time
notices on the window's printer. Rendering, device I/O and preview files all
run in the PrintService's printer threads: an answer waits at most
`settings.print_wait_s` to say whether its slip came out, and a stuck printer
only makes its own slips fail. Status changes become `printer` events on the
hub (consoles and the manager's dashboard) and gauges on /metrics.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from onewindow.printer import PaperOut, PrinterConfig, PrinterError, PrinterStatus, PrintService
from onewindow.server.config import Config, Hall, Printer, demo_config_path
from onewindow.server.config.printers import make_driver, parse_driver
from onewindow.server.errors import Invalid, Unavailable
from onewindow.server.live.hub import Hub
from onewindow.server.settings import Settings
from onewindow.server.store import printers as pstore
from onewindow.server.store.database import Database
from onewindow.tickets import times

log = logging.getLogger("onewindow.printing")

# state -> (Chinese, English, alert level); "ok" after a problem is the all-clear.
STATES = {
    "paper_out": ("缺纸", "out of paper", "red"),
    "offline": ("离线", "offline", "red"),
    "paper_near_end": ("纸将用尽", "paper nearly out", "yellow"),
    "unknown": ("状态未知", "status unknown", None),
    "ok": ("恢复正常", "back to normal", "green"),
}
ALARMS = ("paper_out", "offline", "paper_near_end")
NAMES = {**{k: v[:2] for k, v in STATES.items()}, "ok": ("正常", "OK")}  # a state, not a change


def state_of(status: PrinterStatus | None) -> str:
    if status is None:
        return "unknown"
    if status.paper_out:
        return "paper_out"
    if status.offline:
        return "offline"
    if status.paper_near_end:
        return "paper_near_end"
    return "unknown" if status.unknown else "ok"


@dataclass(eq=False)
class Slot:
    """One configured printer that is in use."""

    hall: Hall
    cfg: Printer
    key: str  # its name in the PrintService: hall/printer
    driver: object = None  # the PrinterDriver (tests reach a FakePrinter here)
    status: PrinterStatus | None = None  # the last one observed
    shown: str | None = None  # the state the hall is told (state_of, offline debounced); None: none yet
    failing_since: float | None = None  # offline observed since then, not told yet
    printed: int = 0
    failed: int = 0

    @property
    def notice(self) -> str:
        return self.hall.notice if self.cfg.notice is None else self.cfg.notice


NOT_PRINTED = {"status": "none", "reason": "no_printer"}


class Printing:
    def __init__(self, config: Config, settings: Settings, hub: Hub):
        self.config, self.settings, self.hub = config, settings, hub
        self.clock = settings.clock
        self.slots: dict[str, Slot] = {}
        self.service: PrintService | None = None
        self._waiters: set[asyncio.Task] = set()
        self._recheck: asyncio.Task | None = None
        self.db: Database | None = None

    async def start(self, db: Database | None = None) -> None:
        """`db`: where printer alarms are logged (the supervision log); None logs nothing."""
        self.db = db
        override = self.settings.printer.strip() or "config"
        if override == "none":
            return
        try:
            spec_override = None if override == "config" else parse_driver(override)
        except ValueError as exc:
            raise ValueError(f"ONEWINDOW_PRINTER / --printer: {exc}") from None
        previews = Path(self.settings.data_dir) / "print-preview"
        configs: dict[str, PrinterConfig] = {}
        for hall in self.config.halls:
            for p in hall.printers:
                spec = spec_override or parse_driver(p.driver)
                if spec.kind == "none":
                    continue
                key = f"{hall.id}/{p.id}"
                driver = await asyncio.to_thread(make_driver, spec, previews / f"{hall.id}-{p.id}")
                logo = await asyncio.to_thread(self._logo, p) if p.logo else None
                configs[key] = PrinterConfig(driver, width=p.width, mode=p.mode, when_unavailable=p.when_unavailable,
                                             font=p.font, cut=p.cut, logo=logo)
                self.slots[key] = Slot(hall, p, key, driver)
        if configs:
            self.service = PrintService(configs, on_status=self._on_status, poll_interval=self.settings.printer_poll_s)
            await self.service.start()
            self._recheck = asyncio.create_task(self._recheck_loop(), name="onewindow-printer-offline")

    def _logo(self, p: Printer) -> Image.Image:
        """The printer's logo, read once at start; a file that will not open stops the start."""
        assert p.logo is not None  # only printers with a logo are asked
        hall_file = self.settings.config_path or demo_config_path()
        path = Path(p.logo) if Path(p.logo).is_absolute() else Path(hall_file).parent / p.logo
        try:
            with Image.open(path) as im:
                im.load()
                return im.copy()
        except (OSError, ValueError) as exc:
            raise ValueError(f"{hall_file}: printer {p.id!r}: logo {str(path)!r} cannot be read: {exc}") from None

    async def stop(self) -> None:
        if self._recheck is not None:
            self._recheck.cancel()
            self._recheck = None
        for t in list(self._waiters):
            t.cancel()
        if self.service is not None:
            await self.service.stop()
            self.service = None

    # ----- which printer --------------------------------------------------------------

    def for_kiosk(self, hall: Hall, kiosk: str | None) -> Slot | None:
        """The printer of a kiosk (default: the hall's first kiosk printer); None: nothing prints."""
        if kiosk:
            printer = next((p for p in hall.printers if kiosk in p.kiosks), None)
            if printer is None:
                raise Invalid(f"unknown kiosk {kiosk!r}", "unknown_kiosk", field="kiosk")
        else:
            printer = next((p for p in hall.printers if p.kiosks), None)
        return None if printer is None else self.slots.get(f"{hall.id}/{printer.id}")

    def for_window(self, hall: Hall, window: str | None) -> Slot | None:
        printer = next((p for p in hall.printers if window and window in p.windows), None)
        return None if printer is None else self.slots.get(f"{hall.id}/{printer.id}")

    def refuse_if_unavailable(self, slot: Slot | None) -> None:
        """503 before anything is issued: a "refuse" printer that cannot print now."""
        if slot is None or self.service is None or slot.cfg.when_unavailable != "refuse":
            return
        status = self.service.status(slot.key)
        if not status.can_print:
            zh, en, _ = STATES[state_of(status)]
            raise Unavailable(f"取号机打印机{zh}，暂停取号，请联系工作人员 / The ticket printer is {en}: "
                                "no tickets for now, please ask the staff", "printer_unavailable",
                           printer=slot.cfg.id, reason=status.reason)

    # ----- printing -------------------------------------------------------------------

    async def print_slip(self, slot: Slot | None, slip) -> dict:
        """`{"status": "printed"|"queued"|"failed"|"none", "reason"}`, within print_wait_s."""
        if slot is None or self.service is None:
            return dict(NOT_PRINTED)
        try:
            handle = await self.service.submit(slot.key, slip)
        except PrinterError as exc:  # a "refuse" printer went down since the check
            slot.failed += 1
            return {"status": "failed", "reason": "paper_out" if isinstance(exc, PaperOut) else "offline"}
        result = await handle.wait(self.settings.print_wait_s)
        if result.reason == "pending":
            task = asyncio.create_task(self._settle(slot, handle))
            self._waiters.add(task)
            task.add_done_callback(self._waiters.discard)
            return {"status": "queued", "reason": None}
        self._count(slot, result)
        return {"status": "printed", "reason": None} if result.printed else {"status": "failed",
                                                                             "reason": result.reason}

    async def _settle(self, slot: Slot, handle) -> None:
        self._count(slot, await handle.wait())

    def _count(self, slot: Slot, result) -> None:
        if result.printed:
            slot.printed += 1
        else:
            slot.failed += 1
            log.warning("printer %s: a slip did not print (%s: %s)", slot.key, result.reason, result.detail)

    # ----- status -----------------------------------------------------------------------

    def _on_status(self, key: str, status: PrinterStatus) -> None:
        slot = self.slots.get(key)
        if slot is None:
            return
        slot.status = status
        state, now = state_of(status), self.clock()
        if state == "offline":
            # A status query that failed once (no reply, a dropped connection) is often fine on the
            # retry: "offline" is told only once it has lasted printer_offline_after_s.
            if slot.failing_since is None:
                slot.failing_since = now
            if now - slot.failing_since < self.settings.printer_offline_after_s:
                return
        else:
            slot.failing_since = None
        self._tell(slot, state, now)

    def recheck(self) -> None:
        """Tell "offline" of each printer that has failed for printer_offline_after_s by now
        (the print service calls back on changes only; a failure that lasts is no change)."""
        now = self.clock()
        for slot in self.slots.values():
            if (slot.failing_since is not None and slot.shown != "offline"
                    and now - slot.failing_since >= self.settings.printer_offline_after_s):
                self._tell(slot, "offline", now)

    async def _recheck_loop(self) -> None:
        while True:
            await asyncio.sleep(self.settings.printer_poll_s)
            self.recheck()

    def _tell(self, slot: Slot, after: str, now: float) -> None:
        before, slot.shown = slot.shown, after
        if before == after:
            return
        if not self.hub.leads:
            return  # with several server processes, the leader tells the manager
        # Alarms, and the all-clear after one; the first "ok" of a start is no news.
        alert = after in ALARMS or (before in ALARMS and after in ("ok", "unknown"))
        zh, en, level = STATES["ok" if alert and after == "unknown" else after]
        message = f"打印机 {slot.cfg.id}：{zh} / Printer {slot.cfg.id}: {en}"
        self.hub.publish(slot.hall.id, "printer", {
            **self.public(slot), "alert": alert, "level": level if alert else None, "message": message,
            "at": times.iso(now, slot.hall.tz)})
        if alert:
            log.warning("printer %s: %s (%s)", slot.key, after, slot.status.detail if slot.status else "")
        if self.db is not None and (alert or before is None):
            # Also a start's first status: one finding the printer fine settles an alarm a stop left open.
            task = asyncio.create_task(self.db.write(
                pstore.log_printer_state, hall=slot.hall.id, printer=slot.cfg.id, alarm=after in ALARMS,
                level=level, message=message, now=now))
            self._waiters.add(task)
            task.add_done_callback(self._logged)

    def _logged(self, task: asyncio.Task) -> None:
        self._waiters.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("printer alarm not logged: %s", task.exception())

    def public(self, slot: Slot) -> dict:
        state = slot.shown or "unknown"
        return {"printer": slot.cfg.id, "state": state, "state_name": NAMES[state][0],
                "state_name_en": NAMES[state][1], "can_print": state not in ("paper_out", "offline"),
                "when_unavailable": slot.cfg.when_unavailable, "kiosks": list(slot.cfg.kiosks),
                "windows": list(slot.cfg.windows), "detail": slot.status.detail if slot.status else "",
                "printed": slot.printed, "failed": slot.failed}

    def printers(self, hall_id: str) -> list[dict]:
        return [self.public(s) for s in self.slots.values() if s.hall.id == hall_id]
