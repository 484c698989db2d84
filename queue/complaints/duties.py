"""Departments by their duties (根据法定职责派遣, 002 四 3).

A complaint type is a group or a group's kind: "air" or "air.cooking_fumes".
A department's duties list types: a group covers all its kinds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def covers(duties: Iterable[str], type_code: str) -> bool:
    """True if a department with `duties` is responsible for `type_code`."""
    group = type_code.split(".", 1)[0]
    return any(d in (type_code, group) for d in duties)


def responsible(departments: Sequence[tuple[str, Iterable[str]]], type_code: str) -> list[str]:
    """The codes of the departments (code, duties) responsible for `type_code`; the most
    specific first (a duty naming the kind before one naming its group), else in order."""
    exact = [code for code, duties in departments if type_code in set(duties)]
    rest = [code for code, duties in departments if code not in exact and covers(duties, type_code)]
    return exact + rest
