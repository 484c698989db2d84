"""Classification and grading with escalation (分类分级处理、上报反馈: 002 二, 三(三)).

Most problems are to be solved at the base level (力争使大部分环境污染问题在基层
得到解决); what the base cannot solve goes up. 004 grades disputes by their
number, channel, degree of pollution and urgency. Here: a type's base grade
(configuration), one level up for a place that keeps being complained about
(the same type and place `repeat_threshold` times within the hall's window,
this one included), one level up when marked urgent; and one level up each
time it is escalated (by hand, or when the department's handling is overdue).
"""

from __future__ import annotations

GRADES = ("general", "major", "serious")  # 一般 (基层处理), 较大 (区级部门), 重大 (报局领导)
GRADE_NAMES = {"general": "一般", "major": "较大", "serious": "重大"}


def _index(grade: str) -> int:
    if grade not in GRADES:
        raise ValueError(f"grade must be one of {', '.join(GRADES)}, got {grade!r}")
    return GRADES.index(grade)


def grade_of(base: str, *, repeats: int = 1, repeat_threshold: int = 3, urgent: bool = False) -> str:
    """The grade at intake. `repeats`: complaints of the same type and place in the window,
    this one included."""
    if repeat_threshold < 1:
        raise ValueError(f"repeat_threshold must be at least 1, got {repeat_threshold}")
    level = _index(base) + (repeats >= repeat_threshold) + bool(urgent)
    return GRADES[min(level, len(GRADES) - 1)]


def escalate(grade: str) -> str | None:
    """One level up; None when already at the top."""
    i = _index(grade)
    return GRADES[i + 1] if i + 1 < len(GRADES) else None
