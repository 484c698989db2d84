"""Everything a running server holds: settings, halls, database, hub, and
the background tasks; started and stopped with the app."""
from __future__ import annotations

import asyncio
import gc
import json
import logging
import sys
from pathlib import Path

from onewindow.display.speaker import open_speaker
from onewindow.server.config import Config, load_config
from onewindow.server.errors import NotFound
from onewindow.server.live.broker import RedisBroker
from onewindow.server.live.hub import Hub
from onewindow.server.services import auth, passwords
from onewindow.server.services.announcer import Announcer
from onewindow.server.services.appointments import AppointmentService
from onewindow.server.services.audit import AuditService
from onewindow.server.services.calendar import Calendar
from onewindow.server.services.cases import CaseService
from onewindow.server.services.casework import CaseworkService
from onewindow.server.services.complaints import ComplaintService
from onewindow.server.services.coverage import CoverageWatch
from onewindow.server.services.devices import Devices
from onewindow.server.services.exports import Exports
from onewindow.server.services.halls import HallService
from onewindow.server.services.logins import LoginGuard
from onewindow.server.services.notifications import Notifier
from onewindow.server.services.printing import Printing
from onewindow.server.services.ratings import RatingService
from onewindow.server.services.tracking import TrackingService
from onewindow.server.settings import Settings
from onewindow.server.store import accounts, migrate
from onewindow.server.store import tickets as tstore
from onewindow.server.store.crypto import load_box
from onewindow.server.store.database import Database, open_database
from onewindow.server.store.files import secure_data_dir
from onewindow.server.store.rows import TicketRow
from onewindow.server.tasks import cancel_all

log = logging.getLogger("onewindow")


class Runtime:
    def __init__(self, settings: Settings, config: Config | None = None):
        self.settings = settings
        self.config = config or load_config(settings.config_path)
        self.clock = settings.clock
        self.db: Database | None = None
        self.hub = Hub(RedisBroker(settings.redis_url, prefix=settings.redis_prefix,
                                   outbox_max=settings.redis_outbox_max) if settings.redis_url else None)
        self.tokens = auth.TokenCache()
        self.live = auth.LiveSockets()  # signed-in sockets by session, closed when it is revoked
        self.logins: LoginGuard | None = None  # login throttling (services/logins.py)
        self.hub.on_control(self._on_control)  # revocations from every server process
        self.halls: dict[str, HallService] = {}
        self.ratings: dict[str, RatingService] = {}
        self.calendar: Calendar | None = None
        self._tasks: list[asyncio.Task] = []
        self.announcer: Announcer | None = None
        self.cases: CaseService | None = None
        self.complaints: ComplaintService | None = None  # complaints and the 12369 flow (issue 15)
        self.casework: CaseworkService | None = None  # sign-off and key-project cards (issue 15, points 5-6)
        self.tracking: TrackingService | None = None  # the applicant's case page, case ratings, messages (issue 14)
        self.coverage: CoverageWatch | None = None
        self.devices: Devices | None = None  # paired kiosks, pads, screens
        self.audit_log: AuditService | None = None  # reading and verifying the audit chain
        self.notifier: Notifier | None = None  # messages to applicants: the outbox and its senders
        self.appointments: AppointmentService | None = None  # bookings, check-in, no-shows (issue 16)
        self.admin_password_generated: str | None = None
        self.exports = Exports(Path(settings.data_dir) / "exports", settings.clock)  # reports in the background
        self.printing = Printing(self.config, settings, self.hub)  # kiosk tickets, receipts, notices

    async def start(self) -> None:
        url = self.settings.db_url
        # Private data: folders 0700, files 0600, and the same for what this process creates later.
        await asyncio.to_thread(secure_data_dir, self.settings.data_dir)
        # Processes starting together (--workers N) migrate and seed one after another.
        lock = await asyncio.to_thread(migrate.StartupLock(url).acquire)
        try:
            # The secret key material first: the audit chain's key comes from it (migration 0007 uses it too).
            box = await asyncio.to_thread(load_box, self.settings.secret_key, self.settings.data_dir)
            audit_keys = box.derive("audit")  # the first writes; any verifies (keys rotate)
            await asyncio.to_thread(migrate.upgrade, url, audit_keys[0])
            self.db = open_database(url, audit_key=audit_keys[0])
            self.audit_log = AuditService(self.db, audit_keys, self.config.halls[0].tz)
            self.logins = LoginGuard(self.db, self.clock)
            await self._bootstrap_admin()
            self.calendar = Calendar(self.db)
            await self.calendar.start()  # the seeded years and those loaded into the database
            track_keys = box.derive("track token")  # tickets' tracking tokens are kept as HMACs
            hashed = await self.db.write(tstore.hash_plain_tokens, track_keys[0])
            if hashed:
                log.info("%d tracking tokens stored in plain text by an earlier version are now hashed", hashed)
            for h in self.config.halls:
                svc = HallService(h, self.db, self.hub, self.clock, self.calendar, track_keys)
                svc.box = box  # phones on tickets, encrypted
                await svc.start()
                self.halls[h.id] = svc
                self.ratings[h.id] = RatingService(svc, self.db, self.hub, self.clock, self.calendar)
            await self.hub.start()  # after the views: with Redis, other processes' views replace them
            self.devices = Devices(self.db, self.hub, self.clock)
            await self.devices.start()  # every valid device token's digest, in memory
            self.cases = CaseService(self.db, self.hub, self.clock, self.halls, box, self.calendar)
            # The notifier (services/notifications.py) may be made later in start: looked up when a message goes.
            self.tracking = TrackingService(self.db, self.hub, self.clock, self.halls, box, self.calendar,
                                            notifier=lambda: getattr(self, "notifier", None))
            self.tracking.base = self.settings.public_url.strip().rstrip("/")
            self.cases.tracking = self.tracking
            self.casework = CaseworkService(self.db, self.clock, self.halls, self.calendar, self.cases)
            self.complaints = ComplaintService(self.db, self.hub, self.clock, self.halls, box, self.calendar,
                                               notifier=lambda: getattr(self, "notifier", None))
            for hall_id, svc in self.halls.items():
                svc.on_call = self.tracking.on_call(svc)
                self.ratings[hall_id].tracking = self.tracking
            await self.cases.start()  # catches deadlines that crossed while the server was down
            self.notifier = Notifier(self.config, self.db, self.clock, box, Path(self.settings.data_dir))
            self.appointments = AppointmentService(self.db, self.halls, self.clock, self.calendar, box,
                                                   notifier=lambda: self.notifier)
            self.coverage = CoverageWatch(self.halls, self.db, self.hub, self.clock)
            await self.coverage.start()  # the A/B coverage invariant, the lunch rota
        finally:
            await asyncio.to_thread(lock.release)
        self._tasks.append(asyncio.create_task(self._refresh_loop(), name="onewindow-rates"))
        self._tasks.append(asyncio.create_task(self.cases.run(), name="onewindow-supervision"))
        self._tasks.append(asyncio.create_task(self.appointments.run(), name="onewindow-appointments"))
        for hall_id, rs in self.ratings.items():  # default ratings, overdue rectification tasks
            self._tasks.append(asyncio.create_task(rs.run(), name=f"onewindow-ratings-{hall_id}"))
        self.announcer = Announcer(self.settings.speech, self.settings.data_dir, self.config, self.hub,
                                   open_speaker(self.settings.speaker))
        await self.announcer.start()  # voice for calls: `announce` events with a WAV URL
        await self.printing.start(self.db)  # printer threads; status changes: `printer` events, alarms logged
        await self.notifier.start()  # a sender round per hall with a channel, off the hot path
        if self.settings.freeze_gc:
            gc.collect()
            gc.freeze()

    async def stop(self) -> None:
        await cancel_all(self._tasks)
        await self.exports.stop()
        if self.announcer is not None:
            await self.announcer.stop()
        await self.printing.stop()
        if self.notifier is not None:
            await self.notifier.stop()  # unsent claims back to the queue
        if self.devices is not None:
            await self.devices.stop()
        if self.coverage is not None:
            await self.coverage.stop()
        await self.hub.stop()
        if self.db is not None:
            await asyncio.to_thread(self.db.close)

    async def _bootstrap_admin(self) -> None:
        """First start with an empty database: the `admin` account, and no other."""
        password = self.settings.admin_password
        generated = password is None
        if password is None:
            password = auth.generate_password()
        weak = passwords.weakness(password, "admin")
        if weak is not None:
            raise ValueError(f"ONEWINDOW_ADMIN_PASSWORD does not meet the password policy: {passwords.message(weak)}")
        pw_hash = await asyncio.to_thread(auth.hash_password, password)
        now = self.clock()

        def fn(tx):
            if accounts.count_users(tx) > 0:
                return False
            accounts.create_user(tx, username="admin", password_hash=pw_hash, role="admin",
                                 display_name="管理员 Administrator", title="", now=now)
            accounts.audit(tx, None, "bootstrap_admin", "{}", now)
            return True

        assert self.db is not None  # opened by start()
        if await self.db.write(fn) and generated:
            self.admin_password_generated = password
            # Printed once, to the console of whoever started the server; never logged to a file.
            print(f"onewindow: created account 'admin' with password: {password}", file=sys.stderr, flush=True)

    def revoke(self, digests=(), user: str | None = None) -> None:
        """Sessions ended (sign-out, revoked) or a user's standing changed (deactivated, new role or
        password): every server process forgets the tokens, and the user's cached sign-ins, at once,
        and closes their sockets (code 4401). Call it after the database change."""
        self.hub.control({"type": "revoke", "tokens": list(digests), "user": user})

    def _on_control(self, msg: dict) -> None:
        if msg.get("type") == "revoke":
            digests, user = set(msg.get("tokens") or ()), msg.get("user")
            for d in digests:
                self.tokens.evict(d)
            if user:
                self.tokens.evict_user(user)
            self.live.close(digests, user)
        elif msg.get("type") == "lost":  # revocations may have been missed: trust nothing cached
            self.tokens.clear()
            if self.db is not None and len(self.live):
                task = asyncio.create_task(self._recheck_sockets(), name="onewindow-recheck-sockets")
                self._tasks.append(task)
                task.add_done_callback(self._tasks.remove)

    async def _recheck_sockets(self) -> None:
        """Close the open sockets whose sessions no longer hold (after missed revocations)."""
        assert self.db is not None
        gone = [d for d in self.live.digests() if await self.db.read(accounts.session_user, d, self.clock()) is None]
        if gone:
            self.live.close(gone)

    async def _refresh_loop(self) -> None:
        while True:
            await asyncio.sleep(30)
            for svc in self.halls.values():
                try:
                    await svc.refresh_rates()
                except Exception:
                    log.exception("refreshing rates of %s failed", svc.hall.id)

    def hall(self, hall_id: str) -> HallService:
        svc = self.halls.get(hall_id)
        if svc is None:
            raise NotFound(f"unknown hall {hall_id!r}", "unknown_hall")
        return svc

    def rating(self, hall_id: str) -> RatingService:
        self.hall(hall_id)  # an unknown hall: 404
        return self.ratings[hall_id]

    async def ticket(self, ticket_id: int) -> tuple[HallService, TicketRow]:
        from onewindow.server.store import tickets as tstore

        assert self.db is not None  # opened by start()
        t = await self.db.read(tstore.get, ticket_id)
        return self.hall(t["hall"]), t

    async def audit(self, actor: str | None, action: str, **data) -> None:
        assert self.db is not None  # opened by start()
        await self.db.write(accounts.audit, actor, action, json.dumps(data, ensure_ascii=False), self.clock())

