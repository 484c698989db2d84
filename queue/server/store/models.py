"""The schema, as SQLModel tables: accounts and the audit log, tickets and
windows, cases (办件) with their history, suspensions, holiday schedules and
supervision alerts (电子监察), ratings (好差评) and their rectification tasks.
Alembic migrations are generated from it.

Times are UTC epoch seconds (float): portable between SQLite and PostgreSQL,
cheap to compare on the hot paths; the API turns them into ISO 8601 in the
hall's time zone. Dates of a service day are 'YYYY-MM-DD' in the hall's zone.
"""
from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, String, Text, UniqueConstraint, false, text
from sqlmodel import Field, SQLModel


class User(SQLModel, table=True):
    __tablename__ = "app_user"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(index=True, unique=True, max_length=64)
    password_hash: str
    role: str = Field(max_length=16)  # clerk | manager | admin
    display_name: str = ""
    title: str = ""  # shown on the post card: 科员, 窗口负责人
    active: bool = True
    created_at: float


class AuthSession(SQLModel, table=True):
    __tablename__ = "auth_session"
    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    created_at: float
    expires_at: float
    address: str | None = Field(default=None, max_length=64)  # where it signed in from (the admin's list)


class LoginThrottle(SQLModel, table=True):
    """Failed sign-ins per account (kind 'user') and per client address ('addr'):
    a short back-off after each failure, a lockout (growing) after too many
    (services/logins.py). Shared by every server process through the database."""

    __tablename__ = "login_throttle"
    kind: str = Field(primary_key=True, max_length=8)
    subject: str = Field(primary_key=True, max_length=64)
    failures: int = 0  # within the window that began at window_start
    window_start: float
    last_failure_at: float
    retry_at: float = 0.0  # the back-off: no attempt before this
    locked_until: float = 0.0
    lockouts: int = 0  # so far; each lockout lasts twice the one before


class PasswordReset(SQLModel, table=True):
    """A one-time password reset code an admin issued (argon2 hash only), valid until expires_at."""

    __tablename__ = "password_reset"
    user_id: int = Field(foreign_key="app_user.id", primary_key=True)
    code_hash: str
    created_at: float
    expires_at: float
    created_by: str | None = Field(default=None, max_length=64)


class TicketCounter(SQLModel, table=True):
    """The last number issued per hall, category and service day."""

    __tablename__ = "ticket_counter"
    hall: str = Field(primary_key=True, max_length=32)
    category: str = Field(primary_key=True, max_length=40)
    service_day: str = Field(primary_key=True, max_length=10)
    last: int
    # Of those, taken remotely (no paired kiosk): held to the category's remote share of its cap.
    remote: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))


class Ticket(SQLModel, table=True):
    __tablename__ = "ticket"
    __table_args__ = (
        UniqueConstraint("hall", "service_day", "number", name="uq_ticket_number"),
        # call-next reads only waiting tickets: keep that index small.
        Index(
            "ix_ticket_waiting",
            "hall", "category", "priority", "arrived_at", "id",
            sqlite_where=text("status = 'waiting'"),
            postgresql_where=text("status = 'waiting'"),
        ),
        Index(
            "ix_ticket_targeted",
            "hall", "target_window", "arrived_at", "id",
            sqlite_where=text("status = 'waiting' AND target_window IS NOT NULL"),
            postgresql_where=text("status = 'waiting' AND target_window IS NOT NULL"),
        ),
        Index("ix_ticket_day", "hall", "service_day", "status"),
        # Every call looks for waiting tickets whose holder opted in to messages (a few).
        Index(
            "ix_ticket_notify",
            "hall",
            sqlite_where=text("status = 'waiting' AND notify = TRUE"),
            postgresql_where=text("status = 'waiting' AND notify = TRUE"),
        ),
        # The day's close looks for tickets an earlier day left open: few, whatever the history.
        Index(
            "ix_ticket_open",
            "hall", "service_day",
            sqlite_where=text("status IN ('waiting', 'called', 'serving', 'parked')"),
            postgresql_where=text("status IN ('waiting', 'called', 'serving', 'parked')"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    hall: str = Field(max_length=32)
    category: str = Field(max_length=40)
    number: str = Field(max_length=12)
    service_day: str = Field(max_length=10)
    priority: int = 0  # 0 normal, 1 priority (elderly, disabled, green channel)
    status: str = Field(max_length=12)
    lang: str = Field(default="zh", max_length=8)
    track_token: str = Field(max_length=64)
    issued_at: float
    arrived_at: float  # the place in the queue: kept on transfer, moved on go-last
    called_at: float | None = None  # first call
    last_called_at: float | None = None
    started_at: float | None = None
    finished_at: float | None = None
    call_count: int = 0
    window_id: str | None = Field(default=None, max_length=32)
    clerk: str | None = Field(default=None, max_length=64)
    first_clerk: str | None = Field(default=None, max_length=64)  # 首问负责
    origin_category: str | None = Field(default=None, max_length=40)
    target_window: str | None = Field(default=None, max_length=32)  # transferred to a window
    note: str = ""
    wait_s: float | None = None  # issue -> first call
    walk_s: float | None = None  # call -> start
    service_s: float | None = None  # start -> done
    # Queue messages (issue 14): the visitor's phone, encrypted (crypto.Box), and their opt-in.
    phone_enc: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    notify: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))


class TicketEvent(SQLModel, table=True):
    """Every change of a ticket, append-only."""

    __tablename__ = "ticket_event"
    __table_args__ = (Index("ix_event_hall_at", "hall", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    hall: str = Field(max_length=32)
    ticket_id: int = Field(index=True)
    type: str = Field(max_length=20)
    at: float
    clerk: str | None = Field(default=None, max_length=64)
    window_id: str | None = Field(default=None, max_length=32)
    data: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))


class WindowState(SQLModel, table=True):
    """Who is at a window now, and whether they stepped away."""

    __tablename__ = "window_state"
    hall: str = Field(primary_key=True, max_length=32)
    window_id: str = Field(primary_key=True, max_length=32)
    clerk: str | None = Field(default=None, max_length=64)
    signed_in_at: float | None = None
    away: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))  # JSON notice or ''
    current_ticket: int | None = None


class WindowPost(SQLModel, table=True):
    """A and B post holders of a window; seeded from the config, changed by a manager."""

    __tablename__ = "window_post"
    hall: str = Field(primary_key=True, max_length=32)
    window_id: str = Field(primary_key=True, max_length=32)
    a_clerk: str | None = Field(default=None, max_length=64)
    b_clerk: str | None = Field(default=None, max_length=64)
    changed_by: str | None = Field(default=None, max_length=64)
    changed_at: float | None = None


class AuditLog(SQLModel, table=True):
    __tablename__ = "audit_log"
    id: int | None = Field(default=None, primary_key=True)
    at: float
    actor: str | None = Field(default=None, max_length=64)
    action: str = Field(max_length=40)
    data: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))
    # The hash chain (store/audit.py): the previous row's hash, and this row's HMAC.
    prev_hash: str | None = Field(default=None, max_length=64)
    hash: str | None = Field(default=None, max_length=64)


# ----- cases: the applicant's name and phone are stored encrypted only (crypto.py) -----


class CaseCounter(SQLModel, table=True):
    """Until migration 0019: the last case number per hall and day. No longer written (two halls
    counted HP-...-0001 each); kept for the workers of the previous release during an upgrade."""

    __tablename__ = "case_counter"
    hall: str = Field(primary_key=True, max_length=32)
    service_day: str = Field(primary_key=True, max_length=10)
    last: int


class CaseSequence(SQLModel, table=True):
    """The last case number given per prefix and day (HP-20261123-0001), across all halls: a
    number is unique across the deployment (onewindow.casework.numbers)."""

    __tablename__ = "case_sequence"
    prefix: str = Field(primary_key=True, max_length=16)
    service_day: str = Field(primary_key=True, max_length=10)
    last: int


class CaseFile(SQLModel, table=True):
    __tablename__ = "case_file"
    __table_args__ = (
        UniqueConstraint("hall", "number", name="uq_case_number"),
        Index("ix_case_number", "number"),  # a case quoted by its number, whichever outlet took it
        Index("ix_case_hall_status", "hall", "status", "deadline_at"),
        Index("ix_case_provisional", "deadline_provisional", "status"),
    )
    id: int | None = Field(default=None, primary_key=True)
    hall: str = Field(max_length=32)
    number: str = Field(max_length=32)
    item: str = Field(max_length=40)
    ticket_id: int | None = Field(default=None, index=True)
    ticket_number: str | None = Field(default=None, max_length=12)
    category: str = Field(max_length=40)
    applicant_name_enc: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    applicant_phone_enc: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    project: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    accepted_at: float
    clock_from: float  # where the promise runs from: acceptance, or the ticket's issue for an instant item
    deadline_at: float
    deadline_provisional: bool = False
    promised_amount: int
    promised_unit: str = Field(max_length=16)
    statutory_amount: int | None = None
    statutory_unit: str | None = Field(default=None, max_length=16)
    instant: bool = False
    status: str = Field(max_length=12)  # accepted | suspended | completed | withdrawn
    first_clerk: str | None = Field(default=None, max_length=64)
    clerk: str | None = Field(default=None, max_length=64)
    window_id: str | None = Field(default=None, max_length=32)
    wait_s: float | None = None
    walk_s: float | None = None
    service_s: float | None = None
    completed_at: float | None = None
    closed_reason: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    card: str = Field(default="green", max_length=8)  # green | yellow | red
    card_at: float | None = None
    # The applicant's tracking (issue 14): the token's keyed hash (crypto.track_digest), whether
    # they opted in to messages, in which language, and how often the progress page was looked up.
    track_token: str | None = Field(default=None, max_length=64)
    notify: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))
    lang: str = Field(default="zh", sa_column=Column(String(8), nullable=False, server_default="zh"))
    lookups: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    # Issue 15: the statutory deadline (法定时限), supervised apart from the promise; the visits the
    # applicant made for this case (最多跑一次: one is the goal).
    statutory_deadline_at: float | None = None
    statutory_provisional: bool = Field(default=False, sa_column=Column(Boolean, nullable=False,
                                                                        server_default=false()))
    visits: int = Field(default=1, sa_column=Column(Integer, nullable=False, server_default="1"))


class CaseEvent(SQLModel, table=True):
    """Every change of a case, append-only."""

    __tablename__ = "case_event"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(index=True)
    hall: str = Field(max_length=32)
    type: str = Field(max_length=24)
    at: float
    actor: str | None = Field(default=None, max_length=64)
    data: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))


class CaseSuspension(SQLModel, table=True):
    """A stop of the clock: 补正 (correction), expert review, hearing, public notice."""

    __tablename__ = "case_suspension"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(index=True)
    reason: str = Field(max_length=20)
    from_at: float
    to_at: float | None = None
    notice: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    actor: str | None = Field(default=None, max_length=64)
    # One-time notice (一次性告知, issue 15): the JSON list of the defects in what was submitted.
    missing: str = Field(default="[]", sa_column=Column(Text, nullable=False, server_default="[]"))


class CalendarYear(SQLModel, table=True):
    """A year's official schedule as an administrator loaded it (overrides the seed)."""

    __tablename__ = "calendar_year"
    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    holidays: str = Field(default="[]", sa_column=Column(Text, nullable=False, server_default="[]"))
    workdays: str = Field(default="[]", sa_column=Column(Text, nullable=False, server_default="[]"))
    source: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    loaded_by: str | None = Field(default=None, max_length=64)
    loaded_at: float


class SupervisionAlert(SQLModel, table=True):
    """A warning or alarm, logged once (`key` is unique) and resolved later."""

    __tablename__ = "supervision_alert"
    __table_args__ = (Index("ix_alert_hall_open", "hall", "resolved_at", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    key: str | None = Field(default=None, max_length=200, unique=True)
    hall: str = Field(max_length=32)
    # yellow | red | step_overrun | refusal_without_reason | wait_promise | calendar_missing
    kind: str = Field(max_length=32)
    level: str = Field(max_length=8)  # yellow | red
    case_id: int | None = Field(default=None, index=True)
    ticket_id: int | None = None
    category: str | None = Field(default=None, max_length=40)
    message: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    at: float
    resolved_at: float | None = None
    resolved_by: str | None = Field(default=None, max_length=64)


class AlertAck(SQLModel, table=True):
    """A manager acknowledged a dashboard alert (services/board.py): by its key, which stays the
    same while the alert lasts; an alert counts as acknowledged by an ack made since it began."""

    __tablename__ = "alert_ack"
    __table_args__ = (Index("ix_alert_ack_hall_key", "hall", "key", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    hall: str = Field(max_length=32)
    key: str = Field(max_length=200)
    by: str = Field(max_length=64)
    at: float


# ----- ratings: a rating carries no personal data (ticket, window, clerk, level) -----


class Rating(SQLModel, table=True):
    __tablename__ = "rating"
    __table_args__ = (
        Index("ix_rating_hall_at", "hall", "at"),
        UniqueConstraint("ticket_id", "kind", name="uq_rating_once"),  # once per visit, once per case
    )
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int  # the visit's ticket; for a case's rating, the ticket that opened the case
    # visit: the service at the window; case: the case's result, rated from its tracking page (issue 14)
    kind: str = Field(default="visit", sa_column=Column(String(8), nullable=False, server_default="visit"))
    case_id: int | None = None
    hall: str = Field(max_length=32)
    category: str = Field(max_length=40)
    window_id: str | None = Field(default=None, max_length=32)
    clerk: str | None = Field(default=None, max_length=64)
    channel: str = Field(max_length=8)  # pad | qr | default
    level: int  # 5 非常满意 .. 1 非常不满意
    reasons: str = Field(default="[]", sa_column=Column(Text, nullable=False, server_default="[]"))
    comment: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    at: float


class RectificationTask(SQLModel, table=True):
    """整改: verify → rectify → feedback → callback; `steps` is the JSON list of
    the steps done, each {step, by, at, note, outcome}."""

    __tablename__ = "rectification_task"
    __table_args__ = (Index("ix_rectification_hall_state", "hall", "state", "due_at"),)
    id: int | None = Field(default=None, primary_key=True)
    rating_id: int = Field(unique=True, foreign_key="rating.id")
    hall: str = Field(max_length=32)
    ticket_id: int
    window_id: str | None = Field(default=None, max_length=32)
    clerk: str | None = Field(default=None, max_length=64)
    level: int
    state: str = Field(max_length=12)  # verify | rectify | feedback | callback | closed
    opened_at: float
    due_at: float
    closed_at: float | None = None
    steps: str = Field(default="[]", sa_column=Column(Text, nullable=False, server_default="[]"))


# ----- paired devices: kiosks, rating pads and call screens (a manager pairs each) -----


class Device(SQLModel, table=True):
    """A kiosk, rating pad or call screen paired with a one-time code; it sends
    its token (stored here as a SHA-256 digest only) in X-Device-Token."""

    __tablename__ = "device"
    id: int | None = Field(default=None, primary_key=True)
    hall: str = Field(max_length=32)
    kind: str = Field(max_length=8)  # kiosk | pad | screen
    name: str = Field(max_length=64)
    kiosk: str | None = Field(default=None, max_length=32)  # a kiosk's printer id (/kiosk?kiosk=ID)
    token_hash: str = Field(unique=True, max_length=64)
    paired_at: float
    paired_by: str | None = Field(default=None, max_length=64)
    revoked_at: float | None = None
    revoked_by: str | None = Field(default=None, max_length=64)
    last_seen: float | None = None


class PairingCode(SQLModel, table=True):
    """A one-time pairing code (its digest), valid for minutes; taken once."""

    __tablename__ = "pairing_code"
    code_hash: str = Field(primary_key=True, max_length=64)
    hall: str = Field(max_length=32)
    kind: str = Field(max_length=8)
    name: str = Field(max_length=64)
    kiosk: str | None = Field(default=None, max_length=32)
    created_by: str | None = Field(default=None, max_length=64)
    created_at: float
    expires_at: float


# ----- notifications: the durable outbox of messages to applicants (store/outbox.py) -----


class OutboxMessage(SQLModel, table=True):
    """One message to one applicant for one event (event_key, unique: enqueued twice, stored
    once). A sender claims it with a lease (state sending), records its intent to submit
    (submit_at) before handing it to the gateway and the outcome after."""

    __tablename__ = "notify_outbox"
    __table_args__ = (
        Index("ix_notify_outbox_due", "state", "next_try_at"),
        Index("ix_notify_outbox_recipient_day", "recipient_hash", "day"),
        Index("ix_notify_outbox_provider", "channel", "provider_id"),
        Index("ix_notify_outbox_hall_state", "hall", "state"),
    )
    id: int | None = Field(default=None, primary_key=True)
    hall: str = Field(max_length=32)
    channel: str = Field(max_length=8)  # smpp | http | file
    kind: str = Field(max_length=32)  # the template (onewindow.notify.templates)
    event_key: str = Field(unique=True, max_length=160)
    recipient: str = Field(sa_column=Column(Text, nullable=False))  # encrypted (crypto.Box)
    recipient_hash: str = Field(max_length=64)  # keyed hash: the daily limit without decrypting
    day: str = Field(max_length=10)  # the hall's day it was enqueued (the daily limit)
    lang: str = Field(max_length=8)
    body: str = Field(sa_column=Column(Text, nullable=False))
    segments: int
    state: str = Field(max_length=12)  # queued | sending | sent | delivered | failed
    tries: int = 0
    next_try_at: float
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_until: float | None = None
    submit_at: float | None = None  # the intent to submit, recorded before the gateway sees it
    last_error: str | None = Field(default=None, max_length=255)
    provider_id: str | None = Field(default=None, max_length=255)
    created_at: float
    sent_at: float | None = None
    delivered_at: float | None = None
    updated_at: float


# ----- complaints and reports (投诉举报, the 12369 flow: issue 15; store/complaints.py) -----


class Complaint(SQLModel, table=True):
    """A complaint: what, where, from which source, who (encrypted), its grade and where it
    stands in the flow (onewindow.complaints.flow). Received (by the hotline, a letter...) and
    entered into the system are two times: the entry clock runs between them."""

    __tablename__ = "complaint"
    __table_args__ = (
        UniqueConstraint("hall", "external_ref", name="uq_complaint_external_ref"),
        Index("ix_complaint_hall_status", "hall", "status", "received_at"),
        Index("ix_complaint_hall_place", "hall", "type_code", "place_key", "received_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    hall: str = Field(max_length=32)
    number: str = Field(max_length=32)
    source: str = Field(max_length=16)  # window | hotline | grid | letter | online
    external_ref: str | None = Field(default=None, max_length=64)  # the 12369 platform's id: sent twice, kept once
    type_code: str = Field(max_length=64)
    grade: str = Field(max_length=8)  # general | major | serious
    urgent: bool = False
    content: str = Field(sa_column=Column(Text, nullable=False))
    place: str = Field(sa_column=Column(Text, nullable=False))
    place_key: str = Field(max_length=64)  # the place normalised: repeated complaints about it
    name_enc: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    phone_enc: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    real_name: bool = False
    has_phone: bool = False
    received_at: float
    entered_at: float
    entered_by: str = Field(max_length=64)
    window_id: str | None = Field(default=None, max_length=32)
    status: str = Field(max_length=12)
    department: str | None = Field(default=None, max_length=32)
    result: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    closed_at: float | None = None
    evaluation: str | None = Field(default=None, max_length=8)  # good | fair | poor


class ComplaintClock(SQLModel, table=True):
    """One milestone of a complaint (entry, contact, forward, handling, verify): its own limit,
    unit and due time, done or not, and its card. Handling and verify get a new round when a
    verification finds the problem not rectified."""

    __tablename__ = "complaint_clock"
    __table_args__ = (
        UniqueConstraint("complaint_id", "milestone", "round", name="uq_complaint_clock"),
        Index("ix_complaint_clock_open", "hall", "done_at", "due_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(index=True)
    hall: str = Field(max_length=32)
    milestone: str = Field(max_length=12)
    round: int = 1
    amount: int
    unit: str = Field(max_length=16)
    started_at: float
    due_at: float
    provisional: bool = False
    done_at: float | None = None
    card: str = Field(default="green", max_length=8)
    card_at: float | None = None


class ComplaintStep(SQLModel, table=True):
    """Every step of a complaint, append-only: who, when, the outcome and a note."""

    __tablename__ = "complaint_step"
    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(index=True)
    hall: str = Field(max_length=32)
    step: str = Field(max_length=16)
    at: float
    actor: str | None = Field(default=None, max_length=64)
    outcome: str = Field(default="", max_length=32)
    note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    data: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))


class ComplaintCallback(SQLModel, table=True):
    """A callback (回访, 004 (三)2): who called, when, the complainant's opinion."""

    __tablename__ = "complaint_callback"
    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(index=True)
    hall: str = Field(max_length=32)
    at: float
    actor: str = Field(max_length=64)
    outcome: str = Field(max_length=12)  # satisfied | unsatisfied | unreachable
    note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


# ----- appointments (预约, issue 16; store/appointments.py) -----


class Appointment(SQLModel, table=True):
    """A booked slot: the phone encrypted (crypto.Box) with a keyed hash beside it, the ID
    number only as a keyed hash (HMAC), the booking's token as a digest; its state is
    booked | cancelled | checked_in | late | no_show."""

    __tablename__ = "appointment"
    __table_args__ = (
        UniqueConstraint("hall", "code", name="uq_appointment_code"),
        Index("ix_appointment_day", "hall", "day", "state"),
        Index("ix_appointment_due", "state", "start"),
        Index("ix_appointment_phone", "phone_hash", "state"),
        Index("ix_appointment_id_hash", "id_hash", "state"),
    )
    id: int | None = Field(default=None, primary_key=True)
    hall: str = Field(max_length=32)
    category: str = Field(max_length=40)
    day: str = Field(max_length=10)  # the hall's date of the slot
    start: float
    end: float
    code: str = Field(max_length=12)  # typed at the kiosk, in the QR code
    token_hash: str = Field(max_length=64)  # cancel and reschedule with the token
    phone_enc: str = Field(sa_column=Column(Text, nullable=False))
    phone_hash: str = Field(max_length=64)
    id_hash: str = Field(default="", max_length=64)  # "" when no ID number was given
    lang: str = Field(default="zh", max_length=8)
    state: str = Field(max_length=12)
    created_at: float
    checked_in_at: float | None = None
    cancelled_at: float | None = None
    ticket_id: int | None = None  # the ticket checking in issued
    reminded: str = Field(default="", max_length=16)  # reminders sent: "day", "day,hour"


class AppointmentSlot(SQLModel, table=True):
    """How many bookings hold a slot: raised by a conditional UPDATE (booked < capacity), so
    concurrent bookings on any number of server processes never exceed the capacity."""

    __tablename__ = "appointment_slot"
    hall: str = Field(primary_key=True, max_length=32)
    category: str = Field(primary_key=True, max_length=40)
    start: int = Field(primary_key=True)  # epoch seconds
    booked: int = 0


class AppointmentKeyProject(SQLModel, table=True):
    """A booking marked key project (green channel by appointment, 004; issue 16 point 6): the case
    number or project it names, and the liaison it reached (the case's tracking card's, else the
    hall's green_channel_liaison)."""

    __tablename__ = "appointment_key_project"
    __table_args__ = (Index("ix_appointment_key_project_liaison", "hall", "liaison"),)
    appointment_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    hall: str = Field(max_length=32)
    case_id: int | None = None
    case_number: str = Field(default="", max_length=40)
    project: str = Field(default="", max_length=200)
    liaison: str = Field(max_length=64)
    via: str = Field(max_length=8)  # "card" (the case's key-project card) | "hall" (the hall's liaison)
    at: float


class PersonClaim(SQLModel, table=True):
    """One booking or ticket per person per day in a category that asks it (anti-scalping):
    the person is a keyed hash of their phone or ID number; the primary key refuses a second."""

    __tablename__ = "person_claim"
    hall: str = Field(primary_key=True, max_length=32)
    category: str = Field(primary_key=True, max_length=40)
    day: str = Field(primary_key=True, max_length=10)
    person: str = Field(primary_key=True, max_length=64)
    appointment_id: int | None = None
    ticket_id: int | None = None
    at: float


class KeyProject(SQLModel, table=True):
    """A case marked key project (重点项目, issue 15 point 6): its liaison (掛钩服务人员, a staff account)."""

    __tablename__ = "key_project"
    case_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    hall: str = Field(max_length=32)
    liaison: str = Field(max_length=64)
    phone: str = Field(default="", max_length=32)  # the liaison's work phone on the card
    marked_by: str = Field(max_length=64)
    marked_at: float


class KeyProjectStep(SQLModel, table=True):
    """A service step of a key project's card: its limit (working days, from the item's config when
    marked), actual start and end, the fee against its cap (yuan) and the satisfaction (1..5)."""

    __tablename__ = "key_project_step"
    __table_args__ = (UniqueConstraint("case_id", "step", name="uq_key_project_step"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(index=True)
    step: str = Field(max_length=16)
    days: int
    fee_cap: float | None = None
    started_at: float | None = None
    ended_at: float | None = None
    due_at: float | None = None
    fee: float | None = None
    satisfaction: int | None = None
    rated_by: str | None = Field(default=None, max_length=64)


# ----- the mobile outlet (issue 18): its visits, and the sync of a van's rows to the centre -----


class MobileVisit(SQLModel, table=True):
    """A published visit of a mobile outlet (流动服务网点) to a town: where, when, which categories."""

    __tablename__ = "mobile_visit"
    __table_args__ = (Index("ix_mobile_visit_hall_day", "hall", "day"),)
    id: int | None = Field(default=None, primary_key=True)
    hall: str = Field(max_length=32)
    town: str = Field(max_length=64)
    place: str = Field(max_length=200)
    day: str = Field(max_length=10)
    start: str = Field(max_length=5)
    end: str = Field(max_length=5)
    categories: str = Field(default="[]", sa_column=Column(Text, nullable=False, server_default="[]"))
    status: str = Field(default="published", max_length=12)  # published | cancelled
    published_at: float
    changed_at: float
    changed_by: str | None = Field(default=None, max_length=64)


class VisitSubscriber(SQLModel, table=True):
    """A phone left for a town's visits of a mobile outlet: told of each change (the outbox)."""

    __tablename__ = "visit_subscriber"
    __table_args__ = (UniqueConstraint("hall", "town", "phone_hash", name="uq_visit_subscriber"),)
    id: int | None = Field(default=None, primary_key=True)
    hall: str = Field(max_length=32)
    town: str = Field(max_length=64)
    phone_enc: str = Field(sa_column=Column(Text, nullable=False))
    phone_hash: str = Field(max_length=64)
    lang: str = Field(default="zh", max_length=8)
    created_at: float


class SyncMap(SQLModel, table=True):
    """At the centre: a van's row (its outlet, table, own id) and the id the centre gave it; `digest`
    the state the centre last wrote or the van last pulled (to tell a change made at the centre)."""

    __tablename__ = "sync_map"
    outlet: str = Field(primary_key=True, max_length=32)
    kind: str = Field(primary_key=True, max_length=24)
    origin_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    central_id: int
    digest: str = Field(default="", max_length=64)


class SyncBatch(SQLModel, table=True):
    """At the centre: each batch a van sent, once (a replay answers the recorded acknowledgement)."""

    __tablename__ = "sync_batch"
    outlet: str = Field(primary_key=True, max_length=32)
    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    device: int
    received_at: float
    sent_at: float
    offset_s: float
    marks: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))
    counts: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))


class SyncState(SQLModel, table=True):
    """On the van: the high-water marks the centre acknowledged, the next batch number, the clock offset."""

    __tablename__ = "sync_state"
    key: str = Field(primary_key=True, max_length=32)
    value: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
