"""The `[halls.complaints]` table: complaint types, departments, the clocks' limits.

    [halls.complaints]
    repeat_threshold = 3        # the same type and place this often in repeat_days: one grade up
    repeat_days = 30
    [halls.complaints.clocks]   # each milestone's limit and unit (onewindow.complaints.clocks)
    entry = { amount = 1, unit = "hours" }
    contact = { amount = 24, unit = "hours" }
    forward = { amount = 1, unit = "working_days" }
    handling = { amount = 15, unit = "working_days" }   # a department may set its own
    verify = { amount = 3, unit = "working_days" }

    [[halls.complaints.types]]  # a group, with its kinds (002 五)
    code = "air"
    name = "大气污染"
    [[halls.complaints.types.kinds]]
    code = "cooking_fumes"
    name = "餐饮油烟"

    [[halls.complaints.departments]]  # where complaints are dispatched, by their duties
    code = "enforcement"
    name = "综合执法支队"
    duties = ["air", "noise.industrial"]   # a group covers all its kinds
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Grade = Literal["general", "major", "serious"]
_CODE = r"^[a-z][a-z0-9_]{0,31}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ClockLimit(_Strict):
    amount: int = Field(ge=0, le=10_000)
    unit: Literal["hours", "working_days", "calendar_days"]


class Clocks(_Strict):
    entry: ClockLimit = ClockLimit(amount=1, unit="hours")
    contact: ClockLimit = ClockLimit(amount=24, unit="hours")
    forward: ClockLimit = ClockLimit(amount=1, unit="working_days")
    handling: ClockLimit = ClockLimit(amount=15, unit="working_days")
    verify: ClockLimit = ClockLimit(amount=3, unit="working_days")


class Kind(_Strict):
    code: str = Field(pattern=_CODE)
    name: str = Field(min_length=1)
    name_en: str = ""
    grade: Grade | None = None  # default: the group's


class ComplaintType(_Strict):
    code: str = Field(pattern=_CODE)
    name: str = Field(min_length=1)
    name_en: str = ""
    grade: Grade = "general"  # the base grade of its complaints
    kinds: tuple[Kind, ...] = ()


class Department(_Strict):
    code: str = Field(pattern=_CODE)
    name: str = Field(min_length=1)
    name_en: str = ""
    duties: tuple[str, ...] = Field(min_length=1)  # type codes: "air" or "air.cooking_fumes"
    handling: ClockLimit | None = None  # its own handling limit; default: clocks.handling


class ComplaintRules(_Strict):
    clocks: Clocks = Clocks()
    repeat_threshold: int = Field(default=3, ge=1, le=1000)
    repeat_days: int = Field(default=30, ge=1, le=366)
    types: tuple[ComplaintType, ...] = ()
    departments: tuple[Department, ...] = ()

    @model_validator(mode="after")
    def _references(self) -> ComplaintRules:
        seen: set[str] = set()
        for t in self.types:
            if t.code in seen:
                raise ValueError(f"duplicate complaint type {t.code!r}")
            seen.add(t.code)
            kinds: set[str] = set()
            for k in t.kinds:
                if k.code in kinds:
                    raise ValueError(f"duplicate kind {k.code!r} in complaint type {t.code!r}")
                kinds.add(k.code)
        known = set(self.codes())
        deps: set[str] = set()
        for d in self.departments:
            if d.code in deps:
                raise ValueError(f"duplicate department {d.code!r}")
            deps.add(d.code)
            for duty in d.duties:
                if duty not in known:
                    raise ValueError(f"department {d.code!r} names unknown complaint type {duty!r}")
        return self

    def codes(self) -> list[str]:
        """Every type code a complaint may carry: each group, and each group's kinds."""
        out = []
        for t in self.types:
            out.append(t.code)
            out += [f"{t.code}.{k.code}" for k in t.kinds]
        return out

    def type_of(self, code: str) -> tuple[ComplaintType, Kind | None] | None:
        group, _, kind = code.partition(".")
        t = next((t for t in self.types if t.code == group), None)
        if t is None:
            return None
        if not kind:
            return t, None
        k = next((k for k in t.kinds if k.code == kind), None)
        return (t, k) if k is not None else None

    def base_grade(self, code: str) -> str:
        found = self.type_of(code)
        if found is None:
            return "general"
        t, k = found
        return (k.grade if k is not None and k.grade else t.grade)

    def type_name(self, code: str) -> tuple[str, str]:
        found = self.type_of(code)
        if found is None:
            return code, code
        t, k = found
        if k is None:
            return t.name, t.name_en or t.name
        return f"{t.name}·{k.name}", f"{t.name_en or t.name}: {k.name_en or k.name}"

    def department(self, code: str) -> Department | None:
        return next((d for d in self.departments if d.code == code), None)
