"""Appointments (预约): slots on the working-day calendar, checking in, the fairness
rule against walk-ins, and the resident ID number. Pure: no I/O, no clock of its own.

    slots.Rules, slots.Session, slots.day_slots(day, tz, working, open, close, lunch, sessions, category, rules, hours)
    slots.closed_day(day, opening_days): why nothing is booked on a day the outlet does not open
    slots.slot_capacity(rules), slots.bookable_day(day, today, ahead), slots.nearest_free(free, wanted, n)
    checkin.check_in_state(now, start, before_min, after_min) -> "early" | "on_time" | "late"
    checkin.no_show_due(now, start, after_min), checkin.blocked_until(no_shows, now, limit, within, block)
    fairness.APPOINTMENT, fairness.classes(heads, now, promise_s) (used by caller/order.choose_next)
    idcard.normalize_id_number(raw) (InvalidIdNumber), idcard.is_valid_id_number(raw)
    reader: IdCardReader (a driver interface), KeyboardWedgeReader, FakeReader
"""

from .checkin import blocked_until, check_in_state, no_show_due, opens_at
from .fairness import APPOINTMENT
from .idcard import InvalidIdNumber, is_valid_id_number, normalize_id_number
from .slots import Rules, Session, Slot, bookable_day, closed_day, day_slots, nearest_free, slot_capacity

__all__ = [
    "APPOINTMENT",
    "InvalidIdNumber",
    "Rules",
    "Session",
    "Slot",
    "blocked_until",
    "bookable_day",
    "check_in_state",
    "closed_day",
    "day_slots",
    "is_valid_id_number",
    "nearest_free",
    "no_show_due",
    "normalize_id_number",
    "opens_at",
    "slot_capacity",
]
