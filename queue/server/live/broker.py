"""Events across server processes: `RedisBroker` numbers and carries each
hall's events through Redis, so every process serving the halls (uvicorn
`--workers N`, several machines on one database) delivers the same events in
the same order, and every process's `HallView` stays equal.

Order and numbering
- One Lua script per batch increments the hall's `seq` (and `public_seq` for
  public events) and appends each numbered event to the hall's Redis stream,
  atomically: stream order is seq order, with no gap and no repeat, however
  many processes publish. Every process, the publisher included, applies an
  event only when it reads it back from the stream (one XREAD connection per
  process), so all of them apply the same events in the same order.
- `publish` never waits: it encodes the event and appends it to a bounded
  outbox; one task sends the outbox in order, a batch per round trip. Each
  batch carries the process's batch number, so a batch retried after a lost
  reply is not numbered twice. The sender stays within a quarter of the
  stream's length ahead of its own reader, so a flood (catching up after an
  outage) never outruns the readers into trimmed history.

Views
- A process starting while others run takes the hall's checkpoint (a
  `HallView.state()` at seq n, with the stream id of event n, refreshed by the
  publisher of each event) and reads the stream from there; its own view,
  loaded from the database, is replaced. So its view equals theirs, without
  the race of loading from the database while others publish.
  A process rejoining in the epoch it was in (a gap, a hall joined anew) keeps
  its view when the checkpoint is not past it, and reads on from its own place:
  an event is never applied, counted or delivered twice (one read again is
  skipped).
- When no other process is alive (a cold start, or Redis lost its data), the
  joining process founds a new *epoch*: its view becomes the checkpoint and the
  counters go on from max(Redis's, its view's), so numbering goes on rather
  than starting again at 1.
  Liveness: every process refreshes its entry in a sorted set every
  HEARTBEAT_S; entries expire after ALIVE_MS, and a stopping process leaves.
- A process whose view or numbering changes on (re)joining calls
  `hub.resync(hall)`: its subscribers reconnect and take a fresh snapshot, so
  no subscriber ever sees seq skip or go back.

When Redis is unreachable
- Logged once at ERROR, retried with back-off (0.1 s doubling to 5 s); the
  recovery is logged with the outage's length.
- Nothing is delivered meanwhile, in any process: screens keep what they show.
  Events wait in each process's outbox, in order, up to `outbox_max` (20,000 by
  default, about a day of a busy hall); once Redis answers they are numbered
  and delivered in order, so screens catch up without a gap. On overflow the
  oldest events are dropped, counted and logged at ERROR: the database keeps
  the tickets, and once Redis answers the process rebuilds those halls' views
  from the database (`Hub.rebuild`: a `rebuild` event every process applies in
  seq order; subscribers whose view changed resync). An outage longer than
  `rebuild_after_s` (60 s) rebuilds every hall the same way.
- A process that dies (SIGKILL, a machine lost) may take unsent events with
  it: the process that finds its liveness entry expired rebuilds every hall.
- Redis restarted empty: the publish script refuses batches of an epoch Redis
  does not hold (EPOCH), the process rejoins (the first one back founds a new
  epoch from its view, the others take it over) and then publishes; a refusal
  of a batch sent in an epoch the process has left already (its reader rejoined
  while the batch was on its way) is no news: the batch goes again. Processes
  that were in step go on seamlessly; events some process had not read yet
  when Redis died are lost to the views (not to the database).
- A gap in a stream (a process fell more than `stream_maxlen` events behind)
  is repaired from the checkpoint; if that is impossible, the numbering jumps
  and the hall's subscribers resync (logged at ERROR).
"""
from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from onewindow.server.live.hub import PUBLIC_KEYS, Event
from onewindow.server.settings import REDIS_OUTBOX_MAX
from onewindow.server.tasks import cancel_all

if TYPE_CHECKING:
    from onewindow.server.live.hub import Hub
    from onewindow.server.live.projection import HallView

log = logging.getLogger("onewindow.broker")

HEARTBEAT_S = 2.0
ALIVE_MS = 10_000
BACKOFF_MIN_S, BACKOFF_MAX_S = 0.1, 5.0
DEDUP_TTL_S = 86_400
READ_COUNT = 256
_UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)

# KEYS: epoch, workers, then per hall: seq, pseq, stream, checkpoint.
# ARGV: origin, new epoch, alive ms, may found ("1"/"0"), then per hall: has view, state, seq, public seq.
# Returns {epoch, founded, per hall {kind, seq, pseq, stream id, state}}; kind: cp (take it over),
# new (the given view is the checkpoint now, at the returned numbers), head (no view: read from here).
_JOIN = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local others = redis.call('ZCARD', KEYS[2])
if redis.call('ZSCORE', KEYS[2], ARGV[1]) then others = others - 1 end
local epoch = redis.call('GET', KEYS[1])
local founded = 0
if (not epoch) or (others == 0 and ARGV[4] == '1') then
  epoch = ARGV[2]
  redis.call('SET', KEYS[1], epoch)
  founded = 1
end
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[1])
local out = {epoch, founded}
local n = (#KEYS - 2) / 4
for i = 0, n - 1 do
  local k, a = 3 + i * 4, 5 + i * 4
  local last = redis.call('XREVRANGE', KEYS[k + 2], '+', '-', 'COUNT', 1)
  local lastid = '0-0'
  if #last > 0 then lastid = last[1][1] end
  local seq = tonumber(redis.call('GET', KEYS[k]) or '0')
  local pseq = tonumber(redis.call('GET', KEYS[k + 1]) or '0')
  if ARGV[a] == '0' then
    out[#out + 1] = {'head', seq, pseq, lastid, ''}
  else
    local cp = redis.call('HMGET', KEYS[k + 3], 'epoch', 'seq', 'pseq', 'id', 'state')
    if founded == 0 and cp[1] == epoch then
      out[#out + 1] = {'cp', tonumber(cp[2]), tonumber(cp[3]), cp[4], cp[5]}
    else
      seq = math.max(seq, tonumber(ARGV[a + 2]))
      pseq = math.max(pseq, tonumber(ARGV[a + 3]))
      redis.call('SET', KEYS[k], seq)
      redis.call('SET', KEYS[k + 1], pseq)
      redis.call('HSET', KEYS[k + 3], 'epoch', epoch, 'seq', seq, 'pseq', pseq, 'id', lastid, 'state', ARGV[a + 1])
      out[#out + 1] = {'new', seq, pseq, lastid, ''}
    end
  end
end
return out
"""

# KEYS: epoch, seq, pseq, stream, this process's last batch for the hall.
# ARGV: epoch, batch number, stream max length, batch key ttl, then (public "1"/"0", payload) pairs.
# Returns the seq of the batch's last event (0: the batch was numbered before, its reply lost).
_PUBLISH = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('EPOCH the epoch changed') end
if tonumber(ARGV[2]) <= tonumber(redis.call('GET', KEYS[5]) or '0') then return 0 end
local s = 0
for i = 5, #ARGV, 2 do
  s = redis.call('INCR', KEYS[2])
  local p
  if ARGV[i] == '1' then p = redis.call('INCR', KEYS[3]) else p = tonumber(redis.call('GET', KEYS[3]) or '0') end
  redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[3], '*', 's', s, 'p', p, 'e', ARGV[i + 1])
end
redis.call('SET', KEYS[5], ARGV[2], 'EX', ARGV[4])
return s
"""

# KEYS: epoch, checkpoint. ARGV: epoch, seq, pseq, stream id, state. Only ever moves forward.
_CHECKPOINT = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local cp = redis.call('HMGET', KEYS[2], 'epoch', 'seq')
if cp[1] == ARGV[1] and tonumber(cp[2]) >= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[2], 'epoch', ARGV[1], 'seq', ARGV[2], 'pseq', ARGV[3], 'id', ARGV[4], 'state', ARGV[5])
return 1
"""

# KEYS: epoch, workers, leader. ARGV: epoch, origin, alive ms.
# {0, 0, 0}: the epoch changed (rejoin); else {1, 1 if this process holds the leader lease, the number of
# processes found dead (expired without leaving: removed here, so exactly one process learns of each)}.
_HEARTBEAT = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {0, 0, 0} end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local dead = redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[2])
local holder = redis.call('GET', KEYS[3])
if holder == false or holder == ARGV[2] then
  redis.call('SET', KEYS[3], ARGV[2], 'PX', ARGV[3])
  return {1, 1, dead}
end
return {1, 0, dead}
"""

# KEYS: leader. ARGV: origin. A stopping leader hands the lease back at once.
_RESIGN = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
"""


def _safe_url(url: str) -> str:
    return re.sub(r"//[^@/]*@", "//***@", url)


class RedisBroker:
    """The hub's broker for several server processes (see the module docstring)."""

    def __init__(self, url: str, *, prefix: str = "onewindow", outbox_max: int = REDIS_OUTBOX_MAX,
                 stream_maxlen: int = 10_000, batch_max: int = 256, block_ms: int = 500,
                 checkpoint_every_s: float = 0.2, start_timeout_s: float = 3.0, stop_timeout_s: float = 2.0,
                 rebuild_after_s: float = 60.0, clock: Callable[[], float] = time.monotonic):
        self.url, self.prefix = url, prefix
        self.outbox_max, self.stream_maxlen, self.batch_max = outbox_max, stream_maxlen, batch_max
        self.block_ms, self.checkpoint_every_s = block_ms, checkpoint_every_s
        self.start_timeout_s, self.stop_timeout_s = start_timeout_s, stop_timeout_s
        self.rebuild_after_s = rebuild_after_s  # an outage at least this long: views rebuilt from the database
        self._clock = clock  # measures outages only (tests move it); the I/O pacing keeps real time
        self.origin = secrets.token_hex(8)  # this process (this broker) among the others
        self._hub: Hub | None = None
        self._deliver: Callable[[Event], None] | None = None
        self._outbox: deque[tuple[str, bool, str]] = deque()  # (hall, public, payload)
        self._dropped: dict[str, int] = {}  # per hall, since the outage began (logged on recovery)
        self.dropped_total: dict[str, int] = {}  # per hall, since start (/metrics)
        self._published_halls: set[str] = set()
        self._batch_no = 0
        self._epoch: str | None = None
        self._rejoin = True  # (re)join every hall before reading
        self._pos: dict[str, str] = {}  # hall -> stream id of the last event applied
        self._next: dict[str, int] = {}  # hall -> the seq expected next
        # hall -> (epoch, seq, stream id) where the view stands: the last event applied, or the checkpoint taken
        self._last: dict[str, tuple[str | None, int, str]] = {}
        self._broken: dict[str, tuple[str, dict]] = {}  # hall -> the entry after a gap
        self._cp_dirty: set[str] = set()
        self._down_since: float | None = None
        self._tasks: list[asyncio.Task] = []
        self._wake = asyncio.Event()  # the outbox has something
        self._joined = asyncio.Event()  # a join finished
        self._cp_wake = asyncio.Event()
        self._first_join = asyncio.Event()
        # aioredis.Redis once started; Any: redis-py types every reply bytes | str | ... whatever decode_responses says
        self._r: Any = None
        self._rr: Any = None
        self._closing = False  # stop() began: the tasks end even should a cancellation be swallowed
        self._inflight_items: list = []  # the batch being sent (kept apart from the outbox until acknowledged)
        self._batch_in_flight = False
        # Holds the lease for what one process must do for all (coverage and printer alerts).
        self.leader = False
        self.published = 0  # events numbered by Redis from this process
        self.delivered = 0
        # Control messages (revoked sessions): Redis pub/sub on <prefix>:control, apart from the halls'
        # streams, so no subscriber ever sees them. Kept while Redis is away (the newest 1,000).
        self._control_out: deque[str] = deque(maxlen=1000)
        self._control_wake = asyncio.Event()

    # ----- the Broker protocol ------------------------------------------------------------

    def bind(self, hub: Hub) -> None:
        self._hub = hub

    async def start(self, deliver: Callable[[Event], None]) -> None:
        self._deliver = deliver
        common: dict[str, Any] = dict(decode_responses=True, socket_connect_timeout=2, retry=Retry(NoBackoff(), 0))
        r = self._r = aioredis.Redis.from_url(self.url, socket_timeout=5, **common)
        # The reader blocks in XREAD for block_ms; a silent network still ends its wait.
        self._rr = aioredis.Redis.from_url(self.url, socket_timeout=self.block_ms / 1000 + 5, **common)
        self._join_script = r.register_script(_JOIN)
        self._publish_script = r.register_script(_PUBLISH)
        self._checkpoint_script = r.register_script(_CHECKPOINT)
        self._heartbeat_script = r.register_script(_HEARTBEAT)
        self._resign_script = r.register_script(_RESIGN)
        self._tasks = [asyncio.create_task(self._read(), name="onewindow-broker-read"),
                       asyncio.create_task(self._drain(), name="onewindow-broker-send"),
                       asyncio.create_task(self._checkpoints(), name="onewindow-broker-checkpoints"),
                       asyncio.create_task(self._control_listen(), name="onewindow-broker-control-in"),
                       asyncio.create_task(self._control_send(), name="onewindow-broker-control-out")]
        try:
            await asyncio.wait_for(self._first_join.wait(), self.start_timeout_s)
        except TimeoutError:
            log.error("redis at %s did not answer within %.0f s; serving anyway: live events wait until it "
                      "answers", _safe_url(self.url), self.start_timeout_s)

    def publish(self, event: Event) -> None:
        """Queue the event for numbering; never waits (see the module docstring)."""
        payload = json.dumps({"t": event.type, "d": event.data, "i": event.ticket_id, "o": self.origin},
                             ensure_ascii=False, separators=(",", ":"), default=str)
        if len(self._outbox) >= self.outbox_max:
            hall = self._outbox.popleft()[0]
            if not self._dropped:
                log.error("redis outbox full (%d events): dropping the oldest live events; screens will miss "
                          "them (the database keeps every ticket)", self.outbox_max)
            self._dropped[hall] = self._dropped.get(hall, 0) + 1
            self.dropped_total[hall] = self.dropped_total.get(hall, 0) + 1
        self._outbox.append((event.hall, event.type in PUBLIC_KEYS, payload))
        self._published_halls.add(event.hall)
        self._wake.set()

    def control(self, msg: dict) -> None:
        """To the other processes (the hub has delivered it here already); never waits."""
        self._control_out.append(json.dumps({"o": self.origin, "m": msg}, ensure_ascii=False, default=str))
        self._control_wake.set()

    async def stop(self) -> None:
        deadline = time.monotonic() + self.stop_timeout_s
        while (self._outbox or self._batch_in_flight) and self._down_since is None and time.monotonic() < deadline:
            await asyncio.sleep(0.01)  # what was published before stopping still goes out
        self._closing = True
        await cancel_all(self._tasks)
        self._tasks.clear()
        if self._r is not None:
            try:
                await asyncio.wait_for(self._r.zrem(self._key("workers"), self.origin), 1)
                if self.leader:
                    await asyncio.wait_for(self._resign_script(keys=[self._key("leader")], args=[self.origin]), 1)
            except (*_UNREACHABLE, ResponseError):
                pass
            self.leader = False
            for client in (self._r, self._rr):
                await client.aclose()
            self._r = self._rr = None
        self._deliver = None

    # ----- state ------------------------------------------------------------------------

    @property
    def outbox_size(self) -> int:
        return len(self._outbox) + len(self._inflight_items)

    def stats(self) -> dict:
        """For /metrics: Redis reachable, the lease, events waiting, events dropped."""
        return {"up": self._first_join.is_set() and self._down_since is None, "leader": self.leader,
                "outbox": self.outbox_size, "dropped": dict(self.dropped_total)}

    def _key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    def _hall_keys(self, hall: str) -> list[str]:
        return [self._key("h", hall, "seq"), self._key("h", hall, "pseq"), self._key("h", hall, "stream"),
                self._key("h", hall, "cp")]

    def _known(self) -> set[str]:
        return (set(self._hub.halls()) if self._hub is not None else set()) | self._published_halls

    def _down(self, exc: BaseException) -> None:
        if self._down_since is None:
            self._down_since = self._clock()
            log.error("redis at %s is unreachable (%s: %s): live events wait in this process (up to %d, in "
                      "order) and go out once it answers; retrying", _safe_url(self.url),
                      type(exc).__name__, exc, self.outbox_max)

    def _up(self) -> None:
        rebuild: dict[str, str] = {}
        if self._down_since is not None:
            outage = self._clock() - self._down_since
            log.warning("redis at %s answers again after %.1f s; %d live event(s) were waiting",
                        _safe_url(self.url), outage, self.outbox_size)
            self._down_since = None
            if outage >= self.rebuild_after_s:
                rebuild.update((h, f"redis was away {outage:.0f} s") for h in self._known())
        if self._dropped:
            log.error("redis outage: %s live event(s) were dropped (outbox full); those halls' views are "
                      "rebuilt from the database", ", ".join(f"{h}: {n}" for h, n in sorted(self._dropped.items())))
            rebuild.update((h, f"{n} live events dropped (outbox full)") for h, n in self._dropped.items())
            self._dropped.clear()
        self._rebuild(rebuild)

    def _rebuild(self, halls: dict[str, str]) -> None:
        """Ask the hub to rebuild these halls' views from the database (hall -> why)."""
        if self._hub is not None:
            for hall, why in sorted(halls.items()):
                self._hub.rebuild(hall, why)

    # ----- reading: join, then the streams ----------------------------------------------

    async def _read(self) -> None:
        backoff = BACKOFF_MIN_S
        last_beat = 0.0
        while not self._closing:
            try:
                await self._ensure_joined()
                if time.monotonic() - last_beat > HEARTBEAT_S:
                    assert self._epoch is not None  # joined just above
                    ok, lead, dead = await self._heartbeat_script(
                        keys=[self._key("epoch"), self._key("workers"), self._key("leader")],
                        args=[self._epoch, self.origin, ALIVE_MS], client=self._rr)
                    last_beat = time.monotonic()
                    self._set_leader(bool(lead))
                    if int(dead):
                        log.warning("%d server process(es) stopped without leaving: rebuilding the views from "
                                    "the database (events they had not sent are lost to them)", int(dead))
                        self._rebuild({h: "a server process died" for h in self._known()})
                    if not ok:
                        log.warning("redis holds another epoch (restarted, or a process founded anew): rejoining")
                        self._rejoin = True
                        continue
                streams = {self._hall_keys(h)[2]: self._pos[h] for h in self._pos}
                halls = {self._hall_keys(h)[2]: h for h in self._pos}
                if not streams:
                    await asyncio.sleep(self.block_ms / 1000)
                    continue
                resp = await self._rr.xread(streams, count=READ_COUNT, block=self.block_ms)
                self._up()
                backoff = BACKOFF_MIN_S
                for key, entries in resp or ():
                    hall = halls[key]
                    for entry_id, fields in entries:
                        if hall not in self._pos:
                            break  # a gap: the hall is rejoined before reading on
                        self._on_entry(hall, entry_id, fields)
                        # One event per turn of the loop, as when a request publishes: in a burst
                        # (catching up after an outage) subscribers drain their queues meanwhile.
                        await asyncio.sleep(0)
            except asyncio.CancelledError:
                raise
            except _UNREACHABLE as exc:
                self._down(exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX_S)
                last_beat = 0.0  # the first thing after an outage: is it still our epoch?
            except Exception:
                log.exception("reading live events from redis failed")
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX_S)

    def _set_leader(self, lead: bool) -> None:
        if lead == self.leader:
            return
        self.leader = lead
        log.info("this server process %s the hall-wide duties (coverage and printer alerts)",
                 "takes" if lead else "leaves")
        if self._hub is not None:
            self._hub.leadership_changed(lead)

    def _on_entry(self, hall: str, entry_id: str, fields: dict) -> None:
        seq, pseq = int(fields["s"]), int(fields["p"])
        if seq < self._next[hall]:
            self._pos[hall] = entry_id  # read again after a rejoin in the same epoch: applied already, never twice
            return
        if seq != self._next[hall]:
            log.warning("hall %s: expected event %d, read %d: taking the checkpoint", hall, self._next[hall], seq)
            self._broken[hall] = (entry_id, fields)
            del self._pos[hall]
            return
        body = json.loads(fields["e"])
        ev = Event(hall, body["t"], body["d"], seq, pseq, body.get("i"), local=body.get("o") == self.origin)
        self._pos[hall], self._next[hall] = entry_id, seq + 1
        self._last[hall] = (self._epoch, seq, entry_id)
        self.delivered += 1
        try:
            assert self._deliver is not None  # started
            self._deliver(ev)
        except Exception:
            log.exception("hall %s: applying event %d (%s) failed", hall, seq, ev.type)
        if ev.local and self._hub is not None and hall in self._hub.views:
            self._cp_dirty.add(hall)
            self._cp_wake.set()

    async def _ensure_joined(self) -> None:
        if self._rejoin:
            self._pos.clear()
            await self._join(sorted(self._known()), full=True)
            self._rejoin = False
            self._first_join.set()
        pending = sorted(h for h in self._known() if h not in self._pos)
        if pending:
            await self._join(pending, full=False)

    async def _join(self, halls: list[str], full: bool) -> None:
        views = self._hub.views if self._hub is not None else {}
        keys = [self._key("epoch"), self._key("workers")]
        args: list[str | int] = [self.origin, secrets.token_hex(8), ALIVE_MS, "1" if full else "0"]
        before = {}
        for h in halls:
            keys += self._hall_keys(h)
            view = views.get(h)
            if view is None:
                args += ["0", "", 0, 0]
            else:
                before[h] = _dump(view)
                args += ["1", before[h], view.seq, view.public_seq]
        epoch, founded, *per = await self._join_script(keys=keys, args=args, client=self._rr)
        if not full and epoch != self._epoch:
            self._rejoin = True  # the epoch changed under us: every hall is taken anew
            return
        if founded:
            log.info("live events: founded epoch %s in redis (no other server process alive)", epoch)
        lost = bool(founded) and self._epoch is not None and epoch != self._epoch  # Redis lost its data
        self._epoch = epoch
        for h, (kind, seq, pseq, stream_id, state) in zip(halls, per, strict=False):
            self._adopt(h, kind, int(seq), int(pseq), stream_id, state, before.get(h))
        self._joined.set()
        if lost:  # events other processes had not read when it went are lost to the views
            self._rebuild({h: "redis lost its data" for h in halls})

    def _adopt(self, hall: str, kind: str, seq: int, pseq: int, stream_id: str, state: str,
               before: str | None) -> None:
        view = self._hub.views.get(hall) if self._hub is not None else None
        broken = self._broken.pop(hall, None)
        was = self._next.get(hall)
        last = self._last.get(hall)
        # A rejoin in the epoch this view was in (a gap, a hall joined anew) may find the checkpoint at
        # or behind the view: it holds nothing the view lacks, and reading from it would apply (count,
        # deliver) the events after it a second time.
        behind = kind == "cp" and last is not None and last[0] == self._epoch and seq <= last[1]
        if broken is not None and behind:
            # The checkpoint cannot bridge the gap (the stream no longer holds the view's next event):
            # go on from the event after the gap, and let every subscriber take a fresh snapshot.
            entry_id, fields = broken
            log.error("hall %s: live events %d..%d are lost to this process; numbering jumps, subscribers "
                      "resync", hall, self._next[hall], int(fields["s"]) - 1)
            public = json.loads(fields["e"])["t"] in PUBLIC_KEYS
            if view is not None:
                view.seq, view.public_seq = int(fields["s"]) - 1, int(fields["p"]) - (1 if public else 0)
            self._next[hall] = int(fields["s"])
            self._pos[hall] = _before(entry_id)
            self._last[hall] = (self._epoch, int(fields["s"]) - 1, self._pos[hall])
            assert self._hub is not None  # bound before start
            self._hub.resync(hall)
            return
        if behind:
            assert last is not None  # behind says so
            self._pos[hall], self._next[hall] = last[2], last[1] + 1  # the view and its place stay
            return
        if kind == "cp" and view is not None:
            view.restore(json.loads(state))
        if view is not None:
            view.seq, view.public_seq = seq, pseq
        self._last[hall] = (self._epoch, seq, stream_id)
        self._pos[hall], self._next[hall] = stream_id, seq + 1
        # Subscribers saw up to was - 1: a replaced view or another numbering means a fresh snapshot.
        changed = (was is not None and was != seq + 1) or (view is not None and _dump(view) != before)
        if changed and self._hub is not None:
            self._hub.resync(hall)

    # ----- sending ------------------------------------------------------------------------

    async def _drain(self) -> None:
        backoff = BACKOFF_MIN_S
        batch: tuple[int, str, list] | None = None
        sent_epoch: str | None = None  # the epoch the batch was last sent in
        while not self._closing:
            try:
                if batch is None:
                    if not self._outbox:
                        self._wake.clear()
                        await self._wake.wait()
                        continue
                    hall = self._outbox[0][0]
                    items: list[tuple[str, bool, str]] = []
                    while self._outbox and len(items) < self.batch_max and self._outbox[0][0] == hall:
                        items.append(self._outbox.popleft())
                    self._batch_no += 1
                    batch = (self._batch_no, hall, items)
                    self._inflight_items, self._batch_in_flight = items, True
                no, hall, items = batch
                self._joined.clear()
                if self._epoch is None or hall not in self._pos or self._rejoin:
                    try:  # numbers are only taken in an epoch this process has joined the hall in
                        await asyncio.wait_for(self._joined.wait(), 1)
                    except TimeoutError:
                        pass
                    continue
                sent_epoch = self._epoch
                flat = [x for _, public, payload in items for x in ("1" if public else "0", payload)]
                keys = [*self._hall_keys(hall)[:3], self._key("h", hall, "batch", self.origin)]
                last = await self._publish_script(keys=[self._key("epoch"), *keys],
                                                  args=[sent_epoch, no, self.stream_maxlen, DEDUP_TTL_S, *flat],
                                                  client=self._r)
                self.published += len(items)
                batch, self._inflight_items, self._batch_in_flight = None, [], False
                backoff = BACKOFF_MIN_S
                self._up()
                # A flood (catching up after an outage) must not outrun the readers by the stream's
                # length, or they would find the events trimmed: keep within a quarter of it of ours.
                while (not self._closing and hall in self._next and self._epoch is not None
                       and int(last) - self._next[hall] > self.stream_maxlen // 4):
                    await asyncio.sleep(0.005)
            except asyncio.CancelledError:
                raise
            except ResponseError as exc:
                if str(exc).startswith("EPOCH"):
                    # Sent in an epoch this process has left already (its reader rejoined meanwhile): send
                    # again in this one. A rejoin then would take the checkpoint again for nothing.
                    if sent_epoch == self._epoch:
                        log.warning("redis refused live events of epoch %s (restarted empty, or another lineage "
                                    "began): rejoining before sending them", sent_epoch)
                        self._rejoin = True
                    continue
                assert batch is not None  # only the publishing call raises it
                log.exception("redis refused %d live event(s) of hall %s; they are dropped", len(batch[2]), batch[1])
                batch, self._inflight_items, self._batch_in_flight = None, [], False
            except _UNREACHABLE as exc:
                self._down(exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX_S)

    async def _checkpoints(self) -> None:
        """The publisher of an event records the view after it, at most every checkpoint_every_s."""
        while not self._closing:
            await self._cp_wake.wait()
            self._cp_wake.clear()
            for hall in sorted(self._cp_dirty):
                self._cp_dirty.discard(hall)
                view = self._hub.views.get(hall) if self._hub is not None else None
                if view is None or hall not in self._pos or self._epoch is None:
                    continue
                args: list[str | int] = [self._epoch, view.seq, view.public_seq, self._pos[hall], _dump(view)]
                try:
                    await self._checkpoint_script(keys=[self._key("epoch"), self._hall_keys(hall)[3]], args=args,
                                                  client=self._r)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    log.debug("checkpoint of hall %s not written: %s", hall, exc)
                    self._cp_dirty.add(hall)
            await asyncio.sleep(self.checkpoint_every_s)
            if self._cp_dirty:
                self._cp_wake.set()


    # ----- control messages ----------------------------------------------------------------

    async def _control_send(self) -> None:
        backoff = BACKOFF_MIN_S
        while not self._closing:
            if not self._control_out:
                self._control_wake.clear()
                await self._control_wake.wait()
                continue
            try:
                await self._r.publish(self._key("control"), self._control_out[0])
                self._control_out.popleft()
                backoff = BACKOFF_MIN_S
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.debug("control message not sent yet: %s", exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX_S)

    async def _control_listen(self) -> None:
        """Other processes' control messages. After a lost subscription the hub is told
        `{"type": "lost"}`: messages may have been missed meanwhile."""
        backoff, subscribed_before = BACKOFF_MIN_S, False
        while not self._closing:
            client = aioredis.Redis.from_url(self.url, decode_responses=True, socket_connect_timeout=2,
                                             retry=Retry(NoBackoff(), 0))
            ps = client.pubsub()
            try:
                await ps.subscribe(self._key("control"))
                if subscribed_before and self._hub is not None:
                    self._hub.deliver_control({"type": "lost"})
                subscribed_before = True
                backoff = BACKOFF_MIN_S
                while not self._closing:
                    m = await ps.get_message(ignore_subscribe_messages=True, timeout=1.0)
                    if m is None or m.get("type") != "message":
                        continue
                    try:
                        body = json.loads(m["data"])
                    except ValueError:
                        continue
                    if body.get("o") != self.origin and self._hub is not None:
                        self._hub.deliver_control(body.get("m") or {})
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.debug("control channel: %s", exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX_S)
            finally:
                try:
                    await ps.aclose()
                    await client.aclose()
                except Exception:
                    pass


def _dump(view: HallView) -> str:
    return json.dumps(view.state(), ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def _before(stream_id: str) -> str:
    """The stream id just before `stream_id` (XREAD returns entries after the id it is given)."""
    ms, n = (int(x) for x in stream_id.split("-"))
    return f"{ms}-{n - 1}" if n else f"{ms - 1}-18446744073709551615"
