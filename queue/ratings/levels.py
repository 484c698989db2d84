"""The national five rating levels of 好差评 and the reasons a bad rating may give."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Level:
    code: int  # 5 best .. 1 worst
    name: str
    name_en: str

    @property
    def bad(self) -> bool:
        return is_bad(self.code)


LEVELS: tuple[Level, ...] = (
    Level(5, "非常满意", "Very satisfied"),
    Level(4, "满意", "Satisfied"),
    Level(3, "基本满意", "Basically satisfied"),
    Level(2, "不满意", "Dissatisfied"),
    Level(1, "非常不满意", "Very dissatisfied"),
)
BY_CODE = {lv.code: lv for lv in LEVELS}

# Reasons offered for the two bad levels (codes are stored, names shown).
REASONS: dict[str, tuple[str, str]] = {
    "attitude": ("服务态度不好", "Unfriendly staff"),
    "long_wait": ("等候时间太长", "Waited too long"),
    "slow": ("办事效率低", "Slow service"),
    "unclear": ("告知不清楚、不一次性告知", "Requirements not explained at once"),
    "repeat_trips": ("让我多跑腿", "Made to come back again"),
    "not_done": ("事情没办成", "Matter not handled"),
    "facilities": ("环境设施不便", "Facilities inconvenient"),
    "other": ("其他", "Other"),
}

CHANNELS = ("pad", "qr", "default")


class InvalidRating(ValueError):
    """A level or reason outside the national scheme."""


def level(code: int) -> Level:
    if isinstance(code, bool) or code not in BY_CODE:
        raise InvalidRating(f"level must be 1..5, got {code!r}")
    return BY_CODE[code]


def is_bad(code: int) -> bool:
    """差评: 不满意 (2) and 非常不满意 (1)."""
    return code in (1, 2)


def check_reasons(code: int, reasons: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Reasons are kept only for bad ratings, each known, each once, in the given order."""
    level(code)
    unknown = [r for r in reasons if r not in REASONS]
    if unknown:
        raise InvalidRating(f"unknown reason {unknown[0]!r}")
    if not is_bad(code):
        return ()
    return tuple(dict.fromkeys(reasons))
