"""The 18-digit resident ID number (公民身份号码, GB 11643-1999): 6 digits of the
address code, 8 of the birth date, 3 of the sequence, and a check character
(ISO 7064 MOD 11-2), 0-9 or X. Only the shape, the birth date and the check are
tested: the address codes change with every redistricting."""
from __future__ import annotations

import re
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"  # by the weighted sum modulo 11
_SHAPE = re.compile(r"^[1-9]\d{16}[\dX]$")


class InvalidIdNumber(ValueError):
    """Not an 18-digit ID number (shape, birth date or check character)."""


def check_char(first17: str) -> str:
    """The check character of the first 17 digits."""
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def normalize_id_number(raw: str, today: date | None = None) -> str:
    """The number as stored before hashing: spaces dropped, x as X; InvalidIdNumber if it is not one."""
    s = re.sub(r"\s+", "", raw or "").upper()
    if not _SHAPE.match(s):
        raise InvalidIdNumber("身份证号码应为 18 位 / an ID number has 18 characters: 17 digits and a digit or X")
    try:
        born = date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        raise InvalidIdNumber("身份证号码中的出生日期无效 / the birth date in the ID number is not a date") from None
    if born.year < 1900 or (today is not None and born > today):
        raise InvalidIdNumber("身份证号码中的出生日期无效 / the birth date in the ID number is not a date")
    if check_char(s[:17]) != s[17]:
        raise InvalidIdNumber("身份证号码校验位不符 / the ID number's check character is wrong (a typo?)")
    return s


def is_valid_id_number(raw: str) -> bool:
    try:
        normalize_id_number(raw)
    except InvalidIdNumber:
        return False
    return True
