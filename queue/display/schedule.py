"""When the voice says what: one channel per zone, calls said together when they queue up.

Pure: plain data, and the time passed in by the caller (the server's
announcer reads its clock and sleeps; tests pass numbers). A channel is the
one voice of a zone: every screen of the zone plays what it says, one
announcement at a time. Its rules:

- A call waits `gather_s` for calls made with it, so that a burst starts
  with a full announcement instead of one number.
- A lone waiting call is said in full: the chime, every language, and then
  `repeat - 1` repetitions unless another call comes meanwhile.
- When several calls wait, up to `batch` of them of one kind (first calls or
  recalls, in call order) are said in one sentence, once (请 A003 号到 1 号窗口，
  B005 号到 4 号窗口), and in English only when `english` is "always".
- A call still unsaid after `max_wait_s` is left to the screen (counted in
  `dropped`); so are calls beyond `max_pending`.
"""

from collections import deque
from dataclasses import dataclass
from typing import Literal

from .announce import Call

English = Literal["always", "calm", "never"]
ENGLISH_MODES: tuple[str, ...] = ("always", "calm", "never")


@dataclass(frozen=True)
class VoicePolicy:
    """How a zone's voice keeps up. `english`: "always"; "calm" (not while
    calls queue up, the default); "never" (Mandarin only)."""

    repeat: int = 2
    english: English = "calm"
    batch: int = 4
    gather_s: float = 1.0
    max_wait_s: float = 120.0
    max_pending: int = 500

    def __post_init__(self) -> None:
        if self.repeat < 1:
            raise ValueError(f"repeat must be at least 1, not {self.repeat}")
        if self.batch < 1:
            raise ValueError(f"batch must be at least 1, not {self.batch}")
        if self.english not in ENGLISH_MODES:
            raise ValueError(f"english must be one of {', '.join(ENGLISH_MODES)}, not {self.english!r}")
        if self.gather_s < 0 or self.max_wait_s <= 0 or self.max_pending < 1:
            raise ValueError("gather_s >= 0, max_wait_s > 0 and max_pending >= 1 are needed")


@dataclass(frozen=True)
class Plan:
    """One announcement: `calls` said together in `langs`; `round` 1 is the
    first saying (with the chime), 2.. its repetitions (without)."""

    calls: tuple[Call, ...]
    langs: tuple[str, ...]
    round: int = 1

    @property
    def chime(self) -> bool:
        return self.round == 1


@dataclass
class _Waiting:
    call: Call
    at: float


class VoiceChannel:
    """The voice of one zone. `add` calls as they are made; when `due()` has
    come, `take(now)` the next plan, render it, and tell `started(duration, now)`."""

    def __init__(self, policy: VoicePolicy = VoicePolicy(), langs: tuple[str, ...] = ("zh", "en")) -> None:
        self.policy = policy
        self.langs = langs
        self.free_at = float("-inf")  # when what was said last has been played out
        self.dropped = 0  # calls left to the screens: waited too long, or too many
        self._waiting: deque[_Waiting] = deque()
        self._by_ticket: dict[str, _Waiting] = {}  # a flood's calls are added in O(1)
        self._repeat: Plan | None = None
        self._repeats_left = 0

    @property
    def pending(self) -> list[Call]:
        return [w.call for w in self._waiting]

    def add(self, call: Call, now: float) -> None:
        waiting = self._by_ticket.get(call.ticket)
        if waiting is not None:
            # Not said yet: say it once, at its place, to where it is called now.
            waiting.call = Call(call.ticket, call.window, waiting.call.recall)
            return
        if len(self._waiting) >= self.policy.max_pending:
            self.dropped += 1
            return
        self._waiting.append(w := _Waiting(call, now))
        self._by_ticket[call.ticket] = w

    def _pop(self) -> Call:
        w = self._waiting.popleft()
        del self._by_ticket[w.call.ticket]
        return w.call

    def due(self) -> float | None:
        """When the next announcement may start; None when there is nothing to say."""
        if self._waiting:
            return max(self.free_at, self._waiting[0].at + self.policy.gather_s)
        if self._repeat is not None:
            return self.free_at
        return None

    def take(self, now: float) -> Plan | None:
        """The next announcement if it is due at `now`, else None."""
        while self._waiting and now - self._waiting[0].at > self.policy.max_wait_s:
            self._pop()
            self.dropped += 1
        due = self.due()
        if due is None or now < due:
            return None
        if not self._waiting:
            assert self._repeat is not None  # due() is not None
            plan = Plan(self._repeat.calls, self._repeat.langs, self._repeat.round + 1)
            self._repeats_left -= 1
            self._repeat = plan if self._repeats_left > 0 else None
            return plan
        self._repeat = None  # a new call goes first; a repetition it would delay is dropped
        queued = len(self._waiting) > 1
        first = self._pop()
        calls = [first]
        while (self._waiting and len(calls) < self.policy.batch
               and self._waiting[0].call.recall == first.recall):
            calls.append(self._pop())
        english = self.policy.english == "always" or (self.policy.english == "calm" and not queued)
        plan = Plan(tuple(calls), tuple(lang for lang in self.langs if english or lang != "en"))
        if not queued and self.policy.repeat > 1:
            self._repeat, self._repeats_left = plan, self.policy.repeat - 1
        return plan

    def started(self, duration_s: float, now: float) -> None:
        """The plan just taken starts playing at `now` for `duration_s`."""
        self.free_at = now + duration_s
