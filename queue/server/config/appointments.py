"""Appointments (预约, issue 16): the hall's `[halls.appointments]` table and each
category's `[halls.categories.appointments]`. A category without the latter takes
no appointments.

    [halls.appointments]
    check_in_before_min = 15    # checking in opens this long before the slot's start
    check_in_after_min = 10     # ... and closes this long after it; later: an ordinary ticket, marked late
    call_within_min = 10        # the appointment's promise: called within this of its start (reports)
    no_show_limit = 3           # this many no-shows within no_show_within_days block booking (0: never)
    no_show_within_days = 90
    no_show_block_days = 30
    remind_day_before = true    # messages through the outbox: the day before, and an hour before
    remind_hour_before = true
    green_channel_liaison = "liuyang"   # key-project bookings (绿色通道, 004) without a card's liaison go to them
    green_channel_phone = "13800138000" # ... and a message to this (mobile) number through the outbox

    [[halls.appointments.sessions]]   # extended hours (weekdays) or a holiday session (date)
    weekdays = ["thu"]                # on working days only
    start = "17:00"
    end = "19:00"
    categories = ["eia"]              # none: every category taking appointments

    [halls.categories.appointments]
    slot_min = 30         # slot length
    capacity = 2          # bookings per slot, at most ...
    share = 0.5           # ... this share of what the category's windows serve in a slot
    ahead_days = 14       # how far ahead one may book
    require_id = false    # the 18-digit ID number is asked (and checked)
    one_per_person = true # one booking or ticket per person (phone or ID) per day in this category
    key_project = false   # a booking may be marked key project (green channel by appointment, 004)
"""
from __future__ import annotations

import datetime as dt
from datetime import time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CategoryAppointments(_Strict):
    slot_min: int = Field(default=30, ge=5, le=240)
    capacity: int = Field(default=2, ge=1, le=1000)
    share: float = Field(default=0.5, gt=0, le=0.9)  # never all of it: walk-ins keep the rest
    ahead_days: int = Field(default=14, ge=0, le=90)
    require_id: bool = False
    one_per_person: bool = True
    key_project: bool = False  # green channel by appointment for key projects (重点项目绿色通道, 004)


class AppointmentSession(_Strict):
    """Extended hours (`weekdays`, working days only) or a dated session (`date`, any day)."""

    date: dt.date | None = None
    weekdays: tuple[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], ...] = ()
    start: time
    end: time
    categories: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _shape(self) -> AppointmentSession:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        if (self.date is None) == (not self.weekdays):
            raise ValueError("give either date (a dated session) or weekdays (extended hours), not both")
        return self


class Appointments(_Strict):
    check_in_before_min: int = Field(default=15, ge=0, le=120)
    check_in_after_min: int = Field(default=10, ge=0, le=120)
    call_within_min: int = Field(default=10, ge=1, le=120)
    no_show_limit: int = Field(default=3, ge=0)
    no_show_within_days: int = Field(default=90, ge=1)
    no_show_block_days: int = Field(default=30, ge=0)
    remind_day_before: bool = True
    remind_hour_before: bool = True
    # Key-project bookings whose case has no tracking card reach this staff account (login) ...
    green_channel_liaison: str = Field(default="", max_length=64)
    green_channel_phone: str = Field(default="", max_length=32)  # ... and a message to this mobile number
    sessions: tuple[AppointmentSession, ...] = ()
