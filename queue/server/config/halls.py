"""The hall configuration: a TOML file of halls, categories, business items,
windows with their A/B posts, opening hours and queue rules.

`load_config(path)` validates the whole file and raises `ConfigError` naming
the file, the line and the field, so a wrong setting stops the server before
it serves anyone.
"""
from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Collection
from datetime import date, time
from importlib.resources import files
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from onewindow.casework import PREFIX_PATTERN, case_prefixes
from onewindow.promises import WorkingCalendar, seeded_calendar, statutory_days_off
from onewindow.promises.statutory import promise_problem
from onewindow.server.config.appointments import Appointments, CategoryAppointments
from onewindow.server.config.complaints import ComplaintRules
from onewindow.server.config.notify import NotifyRules
from onewindow.server.config.printers import parse_driver
from onewindow.server.config.ratings import RatingRules

Unit = Literal["working_days", "calendar_days", "hours"]
PriorityClass = Literal["normal", "priority"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Limit(Strict):
    amount: int = Field(ge=0)
    unit: Unit


class KeyStep(Strict):
    """[[halls.items.key_steps]]: a service step of a key project's tracking card (004 重点项目服务跟踪卡):
    its limit in working days and the fee cap in yuan (none: no fee is charged for it)."""

    step: Literal["report", "assessment", "approval"]  # 环评编制, 技术评估, 行政审批
    days: int = Field(ge=1, le=365)
    fee_cap: float | None = Field(default=None, ge=0)


class Item(Strict):
    """A business item (事项) a case can be opened for."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    name: str = Field(min_length=1)
    name_en: str = ""
    statutory: Limit | None = None
    promised: Limit
    instant: bool = False  # 即办件: done at the window, the promise runs from the ticket
    fees: str = "不收费 / free"
    materials: tuple[str, ...] = ()
    # 一审一核 (004): a second person with the reviewer role signs the case off before it completes.
    review: bool = False
    # A case of this item may be a key project; its card's steps (issue 15, point 6).
    key_steps: tuple[KeyStep, ...] = ()

    @field_validator("key_steps")
    @classmethod
    def _one_of_each(cls, v: tuple[KeyStep, ...]) -> tuple[KeyStep, ...]:
        steps = [s.step for s in v]
        if len(set(steps)) != len(steps):
            raise ValueError(f"each step once: {steps}")
        return v

    @model_validator(mode="after")
    def _review_not_instant(self) -> Item:
        if self.review and self.instant:
            raise ValueError("review: an instant item (即办件) completes at the window, without a second sign-off")
        return self

    @field_validator("promised")
    @classmethod
    def _within_the_law(cls, promised: Limit, info: ValidationInfo) -> Limit:
        """A promise may be shorter than the statutory limit, never longer (issue 15, point 7)."""
        statutory = info.data.get("statutory")
        if statutory is not None:
            problem = _promise_problem(promised, statutory)
            if problem:
                raise ValueError(problem)
        return promised


def _promise_problem(promised: Limit, statutory: Limit) -> str | None:
    p, s = (promised.amount, promised.unit), (statutory.amount, statutory.unit)
    if p[1] == s[1]:
        return promise_problem(p, s)
    # Across units the deadlines are compared over the last two years the seeded calendar knows.
    cal = _reference_calendar()
    years = sorted(cal.loaded_years)[-2:]
    return promise_problem(p, s, cal, "Asia/Shanghai", years)


@functools.lru_cache(maxsize=1)
def _reference_calendar() -> WorkingCalendar:
    return seeded_calendar()


class Session(Strict):
    """[[halls.categories.sessions]]: the weekdays (and hours) a category takes tickets, e.g. the
    leader's reception day (领导接待日) every Tuesday; hours default to the category's."""

    weekdays: tuple[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], ...] = Field(min_length=1)
    start: time | None = None
    end: time | None = None

    @model_validator(mode="after")
    def _order(self) -> Session:
        if self.start and self.end and self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class Category(Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    prefix: str = Field(pattern=r"^[A-Z]{1,2}$")
    name: str = Field(min_length=1)
    name_en: str = ""
    icon: str = ""
    priority_classes: tuple[PriorityClass, ...] = ("normal", "priority")
    daily_cap: int = Field(default=0, ge=0)  # 0: no cap
    target_wait_min: int = Field(default=30, ge=1)  # on-site waiting promise
    default_service_min: float = Field(default=10, gt=0)  # estimate before any is logged
    items: tuple[str, ...] = ()
    # This category's own ticketing hours inside the hall's (e.g. permits only in the morning).
    ticketing_from: time | None = None
    ticketing_until: time | None = None
    # Open only in these (weekdays, hours); none: every day the hall issues tickets (issue 15, point 13).
    sessions: tuple[Session, ...] = ()
    appointments: CategoryAppointments | None = None  # takes appointments (issue 16): config/appointments.py

    @model_validator(mode="after")
    def _hours(self) -> Category:
        if self.ticketing_from and self.ticketing_until and self.ticketing_until <= self.ticketing_from:
            raise ValueError("ticketing_until must be after ticketing_from")
        return self


class Window(Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,32}$")
    name: str = Field(min_length=1)
    name_en: str = ""
    number: str = ""  # what the voice says: "3" in 请 A001 号到 3 号窗口
    categories: tuple[str, ...] = Field(min_length=1)
    # fifo: the longest waiting ticket of any served category (one-window rule);
    # ordered: categories in the listed order, arrival order within one.
    mode: Literal["fifo", "ordered"] = "fifo"
    a_clerk: str | None = None
    b_clerk: str | None = None
    zone: str = "main"


class Hours(Strict):
    open: time = time(9, 0)
    close: time = time(17, 0)
    ticketing_from: time | None = None  # default: open
    ticketing_until: time | None = None  # default: close
    # Lunchtime (午间轮岗值班): the span the rota must cover; default: from the rota's first line to its last.
    lunch_from: time | None = None
    lunch_until: time | None = None

    @model_validator(mode="after")
    def _order(self) -> Hours:
        if self.close <= self.open:
            raise ValueError("close must be after open")
        if (self.lunch_from is None) != (self.lunch_until is None):
            raise ValueError("give both lunch_from and lunch_until, or neither")
        if self.lunch_from is not None and self.lunch_until is not None and self.lunch_until <= self.lunch_from:
            raise ValueError("lunch_until must be after lunch_from")
        return self


class QueueRules(Strict):
    starvation_limit_min: float = Field(default=30, gt=0)
    max_calls: int = Field(default=3, ge=1)  # unanswered calls before no_show
    late_arrival: Literal["keep_place", "go_last"] = "keep_place"
    coverage_mode: Literal["merge", "takeover"] = "merge"
    announce_repeat: int = Field(default=2, ge=1, le=5)
    # The voice (onewindow.display.schedule): English "always", "calm" (not while calls
    # queue up) or "never"; at most `announce_batch` numbers in one announcement.
    announce_english: Literal["always", "calm", "never"] = "calm"
    announce_batch: int = Field(default=4, ge=1, le=8)
    recent_calls: int = Field(default=8, ge=1, le=50)
    # No longer used: a category nobody serves now is shown as such, with when it resumes
    # (caller/estimate.py); kept so that hall files which set it still load.
    uncovered_wait_min: float = Field(default=15, ge=0)
    # Estimates (caller/estimate.py): learned rates weigh n / (n + estimate_prior_samples) against
    # default_service_min, and no visitor is assumed quicker than estimate_min_service_s.
    estimate_prior_samples: int = Field(default=10, ge=0, le=1000)
    estimate_min_service_s: float = Field(default=60, ge=0, le=3600)


class Supervision(Strict):
    """Electronic supervision (电子监察) thresholds; see supervision.py."""

    # Yellow card this many working days ahead of the due day (1: the working day before; 0: the due day).
    warn_working_days: int = Field(default=1, ge=0)
    warn_fraction: float = Field(default=0.25, gt=0, le=1)  # hour-limited promises: yellow in the last quarter
    wait_warn_min: float = Field(default=5, ge=0)  # waiting promise: yellow this long before it breaks
    step_overrun_factor: float = Field(default=3, gt=1)  # serving longer than this x default_service_min
    calendar_reminder_month: int = Field(default=11, ge=1, le=12)  # remind to load next year's schedule
    # A case suspended longer than this is alerted (issue 15, point 9); none: never.
    suspension_cap: Limit | None = None
    # The dashboard's service-level tile (share of tickets called within their waiting promise):
    # amber below service_level_warn, red below service_level_alarm.
    service_level_warn: float = Field(default=0.9, ge=0, le=1)
    service_level_alarm: float = Field(default=0.8, ge=0, le=1)


class RotaLine(Strict):
    """One line of the lunchtime rota: `clerk` covers `covers` (window ids) over [start, end)."""

    clerk: str = Field(min_length=1, max_length=64)
    covers: tuple[str, ...] = Field(min_length=1)
    start: time
    end: time

    @model_validator(mode="after")
    def _order(self) -> RotaLine:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class Printer(Strict):
    """A thermal printer ([[halls.printers]]): tickets for its kiosks, receipts and
    one-time notices for its windows."""

    id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,32}$")
    driver: str = "preview"  # see printer_specs.py: preview, none, tcp://host:9100, file:, usb:, serial:
    width: Literal[384, 576] = 576  # dots: 58 mm paper is 384, 80 mm is 576
    mode: Literal["raster", "native"] = "raster"  # native: the printer's own GB18030 font
    # Out of paper or offline: "issue" keeps issuing (screen + QR), "refuse" stops the kiosk.
    when_unavailable: Literal["issue", "refuse"] = "issue"
    cut: Literal["full", "partial", "none"] = "full"
    kiosks: tuple[str, ...] = ()  # kiosk ids printing here (/kiosk?kiosk=ID)
    windows: tuple[str, ...] = ()  # windows whose receipts and notices print here
    notice: str | None = None  # the ticket's notice line; default: the hall's notice
    font: str | None = None  # a CJK font file; default: the first one installed
    logo: str | None = None  # an image printed atop each ticket; a path relative to the hall file

    @field_validator("driver")
    @classmethod
    def _driver(cls, v: str) -> str:
        parse_driver(v)
        return v.strip()


class Kiosk(Strict):
    """What the touch kiosk offers ([halls.kiosk])."""

    # Shown for categories that offer priority tickets; all of them take a priority ticket.
    priority_kinds: tuple[Literal["elderly", "disabled", "green_channel"], ...] = (
        "elderly", "disabled", "green_channel")
    return_after_s: int = Field(default=30, ge=5, le=600)  # back to the categories after a ticket


class Limits(Strict):
    """Remote tickets ([halls.limits]): those taken without a paired kiosk (a phone,
    a script). A paired kiosk is never limited. Token buckets in each server process."""

    # Per client address: a person takes one or two; a burst of a script is stopped.
    remote_per_client_per_hour: int = Field(default=6, ge=1)
    remote_client_burst: int = Field(default=3, ge=1)
    # Per category, all remote clients together (a script spread over many addresses).
    remote_per_category_per_minute: int = Field(default=20, ge=1)
    # The part of each category's daily_cap remote tickets may take; the rest is the door's.
    remote_share: float = Field(default=0.3, ge=0, le=1)


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
OUTLET_KINDS = {"comprehensive": "综合服务网点", "special": "专项服务网点", "mobile": "流动服务网点"}


class Hall(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$")
    name: str = Field(min_length=1)
    name_en: str = ""
    # The outlet (issue 17; 000 第五条): comprehensive, special or mobile; where it is; which days it
    # opens (working days of the calendar among them); a mobile outlet opens on the days of its
    # published visits only (the mobile_visit table: services/mobile.py), passed in by the caller.
    kind: Literal["comprehensive", "special", "mobile"] = "comprehensive"
    address: str = Field(default="", max_length=200)
    opening_days: tuple[Weekday, ...] = Field(default=WEEKDAYS[:5], min_length=1)
    # Refused when present (a file from before the published schedule): see _no_visits.
    visits: None = Field(default=None, exclude=True, repr=False)
    timezone: str = "Asia/Shanghai"
    enforce_hours: bool = True
    notice: str = "过号请重新取号 / Missed numbers must take a new ticket"
    hours: Hours = Hours()
    queue: QueueRules = QueueRules()
    supervision: Supervision = Supervision()
    categories: tuple[Category, ...] = Field(min_length=1)
    items: tuple[Item, ...] = ()
    windows: tuple[Window, ...] = Field(min_length=1)
    ratings: RatingRules = RatingRules()
    notify: NotifyRules = NotifyRules()  # [halls.notify]: messages to applicants (config/notify.py)
    complaints: ComplaintRules = ComplaintRules()  # [halls.complaints]: types, departments, clocks (issue 15)
    rota: tuple[RotaLine, ...] = ()  # [[halls.rota]]: who covers which windows over lunch
    printers: tuple[Printer, ...] = ()  # [[halls.printers]]
    kiosk: Kiosk = Kiosk()
    limits: Limits = Limits()  # [halls.limits]: remote tickets
    appointments: Appointments = Appointments()  # [halls.appointments] (issue 16)
    # Case numbers' prefix (HP-20261123-0001), unique across the halls of the file; unset: "HP" for
    # the first fixed outlet, "HP-" and the id's first 8 characters for the others (casework/numbers.py).
    case_prefix: str | None = Field(default=None, pattern=PREFIX_PATTERN)
    receipt_hint: str = ("凭办件编号拨打 12369 或到任一窗口查询办理进度 / "
                         "Quote the case number at any window or on 12369 to ask about progress")

    @field_validator("opening_days")
    @classmethod
    def _days(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        _unique("opening days", list(v))
        return v

    @field_validator("visits", mode="before")
    @classmethod
    def _no_visits(cls, v: object) -> None:
        # One home per rule: a van's days are its published visits (the database, queue/mobile/),
        # not a list here that could disagree with what the towns were told.
        raise ValueError("a mobile outlet's visits are no longer listed in the configuration: publish them "
                         "at /visits (POST /api/v1/halls/{hall}/visits, at least 3 days ahead) and remove "
                         "this line / 流动服务日程请在 /visits 公布，并删除此行")

    def opens_on(self, day: date, calendar: WorkingCalendar, visit_days: Collection[date] = ()) -> bool:
        """Whether the outlet opens on `day`: a mobile one on the days of its published (not cancelled)
        visits, `visit_days` (store/sync.py visit_days); a fixed one on its opening
        days, never on a holiday; a weekend made a working day (调休) opens the outlets of the working
        week (Monday to Friday all in opening_days) and those that open on that weekday anyway."""
        if self.kind == "mobile":
            return day in visit_days
        own = WEEKDAYS[day.weekday()] in self.opening_days
        weekend = day.weekday() >= 5
        if calendar.is_working_day(day):
            return own or (weekend and set(WEEKDAYS[:5]) <= set(self.opening_days))
        if not weekend:
            return False  # a holiday
        sched = calendar.schedule(day.year)
        holiday = day in (sched.holidays if sched is not None else statutory_days_off(day.year))
        return own and not holiday

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {v!r}") from None
        return v

    @model_validator(mode="after")
    def _references(self) -> Hall:
        _unique("categories", [c.code for c in self.categories])
        _unique("category prefixes", [c.prefix for c in self.categories])
        _unique("items", [i.code for i in self.items])
        _unique("windows", [w.id for w in self.windows])
        codes = {c.code for c in self.categories}
        items = {i.code for i in self.items}
        for c in self.categories:
            for i in c.items:
                if i not in items:
                    raise ValueError(f"category {c.code!r} names unknown item {i!r}")
        for w in self.windows:
            for code in w.categories:
                if code not in codes:
                    raise ValueError(f"window {w.id!r} serves unknown category {code!r}")
        windows = {w.id for w in self.windows}
        for n, line in enumerate(self.rota, start=1):
            for wid in line.covers:
                if wid not in windows:
                    raise ValueError(f"rota line {n} ({line.clerk}) covers unknown window {wid!r}")
        booked = {c.code for c in self.categories if c.appointments is not None}
        for n, sess in enumerate(self.appointments.sessions, start=1):
            for code in sess.categories:
                if code not in booked:
                    raise ValueError(f"appointment session {n} names {code!r}, which takes no appointments")
        keyed = [c.code for c in self.categories if c.appointments is not None and c.appointments.key_project]
        if keyed and not self.appointments.green_channel_liaison:
            raise ValueError(f"categories {keyed} take key-project bookings (green channel): "
                             "[halls.appointments] green_channel_liaison names who receives them")
        _unique("printers", [p.id for p in self.printers])
        _unique("kiosks (each prints on one printer)", [k for p in self.printers for k in p.kiosks])
        _unique("printer windows (each prints on one printer)", [w for p in self.printers for w in p.windows])
        for p in self.printers:
            for wid in p.windows:
                if wid not in windows:
                    raise ValueError(f"printer {p.id!r} names unknown window {wid!r}")
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def category(self, code: str) -> Category | None:
        return next((c for c in self.categories if c.code == code), None)

    def window(self, wid: str | None) -> Window | None:
        return next((w for w in self.windows if w.id == wid), None)

    def item(self, code: str) -> Item | None:
        return next((i for i in self.items if i.code == code), None)


class Config(Strict):
    halls: tuple[Hall, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_halls(self) -> Config:
        _unique("halls", [h.id for h in self.halls])
        self.case_prefixes()  # no two outlets number their cases alike
        return self

    def case_prefixes(self) -> dict[str, str]:
        """Each hall's case-number prefix (casework/numbers.py); ValueError if two coincide."""
        return case_prefixes((h.id, h.kind, h.case_prefix) for h in self.halls)

    def hall(self, hid: str) -> Hall | None:
        return next((h for h in self.halls if h.id == hid), None)


def _unique(what: str, values: list[str]) -> None:
    seen: set[str] = set()
    for v in values:
        if v in seen:
            raise ValueError(f"duplicate {what}: {v!r}")
        seen.add(v)


class ConfigError(Exception):
    """A configuration file that cannot be served, with where and why."""

    def __init__(self, path: str, line: int | None, field: str, message: str):
        self.path, self.line, self.field, self.message = path, line, field, message
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {field}: {message}" if field else f"{where}: {message}")


DEMO_CONFIG = "demo_hall.toml"


def demo_config_path() -> Path:
    return Path(str(files("onewindow.server.config").joinpath(DEMO_CONFIG)))


def load_config(path: str | Path | None = None) -> Config:
    path = Path(path) if path else demo_config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(str(path), None, "", f"cannot read: {exc.strerror or exc}") from None
    return parse_config(text, str(path))


def parse_config(text: str, path: str = "<config>") -> Config:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise ConfigError(path, int(m.group(1)) if m else None, "", f"not valid TOML: {exc}") from None
    try:
        return Config.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        field = ".".join(str(p) for p in loc) or "(top)"
        raise ConfigError(path, _line_of(text, loc), field, err["msg"]) from None


_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-]+)\s*\]\]?")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=")


def _line_of(text: str, loc: tuple) -> int | None:
    """The line that best matches a validation error's location.

    tomllib keeps no positions, so the file is walked once, tracking which
    table (and which element of an array of tables) each line belongs to.
    """
    want = tuple(p for p in loc if not isinstance(p, str) or not p.startswith("function-"))
    counters: dict[str, int] = {}
    table: tuple = ()
    best, best_len = None, -1
    for n, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            names = header.group(2).split(".")
            if header.group(1) == "[[":
                key = ".".join(names)
                counters[key] = counters.get(key, -1) + 1
                for k in [k for k in counters if k.startswith(key + ".")]:
                    del counters[k]
            table = ()
            for i, name in enumerate(names):
                prefix = ".".join(names[: i + 1])
                table += (name,) + ((counters[prefix],) if prefix in counters else ())
            path = table
        else:
            m = _KEY.match(line)
            if not m:
                continue
            path = (*table, m.group(1))
        common = 0
        for a, b in zip(path, want, strict=False):
            if a != b:
                break
            common += 1
        if common == len(path) and common > best_len:
            best, best_len = n, common
    return best
