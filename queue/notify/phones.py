"""Mainland Chinese mobile numbers: 11 digits, 1[3-9]xxxxxxxxx."""
from __future__ import annotations

import re

_MOBILE = re.compile(r"1[3-9][0-9]{9}")  # ASCII digits only: \d takes full-width ones too
_SEPARATORS = re.compile(r"[\s\-()]")


class InvalidPhone(ValueError):
    """Not a mainland Chinese mobile number."""


def normalize_phone(text: str) -> str:
    """'+86 138-1234-5678' -> '13812345678'; anything else raises InvalidPhone.
    Spaces, dashes and brackets are what people type; a country code 86 is dropped."""
    s = _SEPARATORS.sub("", text or "")
    if s.startswith("+86"):
        s = s[3:]
    elif s.startswith("0086"):
        s = s[4:]
    elif len(s) == 13 and s.startswith("86"):
        s = s[2:]
    if not _MOBILE.fullmatch(s):
        raise InvalidPhone("手机号码格式不正确 / not a valid mobile number (11 digits starting 13-19)")
    return s


def is_mobile(text: str) -> bool:
    try:
        normalize_phone(text)
    except InvalidPhone:
        return False
    return True
