"""How tickets and window labels are read aloud, per language.

Pure text functions. A ticket is spelled one symbol at a time (A012 is
"A 零 一 二", never "A 十二"), because a visitor compares the sound with the
slip in their hand. A window label is read as a number (12 is "十二",
"twelve"), with letters spelled.
"""

import re

LANGUAGES = ("zh", "en")

_ZH_DIGITS = "零一二三四五六七八九"
_EN_DIGITS = ("zero", "one", "two", "three", "four",
              "five", "six", "seven", "eight", "nine")
# Letters stay Latin capitals in both languages. With the cmn-latn-pinyin
# voice a lone capital is read as its letter name the way Chinese speakers
# say it (A "ei", B "bi", Q "kiu"); two capitals together would be read as a
# pinyin syllable, hence always one letter a word.
_TOKEN = re.compile(r"[A-Za-z]|\d+|[^\W\d_A-Za-z]+")


def spell_ticket(ticket: str, lang: str) -> str:
    """'A012' -> zh 'A 零 一 二', en 'A, zero, one, two'.

    Separators such as '-' are dropped; the ticket must hold a letter or
    digit.
    """
    symbols = [c.upper() for c in ticket if c.isascii() and c.isalnum()]
    if not symbols:
        raise ValueError(f"ticket {ticket!r} has nothing to read aloud")
    if lang == "zh":
        return " ".join(_ZH_DIGITS[int(c)] if c.isdigit() else c for c in symbols)
    if lang == "en":
        # Commas make espeak pause, so "A, zero" is not read as "a zero".
        return ", ".join(_EN_DIGITS[int(c)] if c.isdigit() else c for c in symbols)
    raise ValueError(f"no reading rules for language {lang!r}")


def read_window(window: str, lang: str) -> str:
    """'12' -> zh '十二', en '12'; 'A3' -> zh 'A 三', en 'A-3'.

    Chinese characters in a label are kept as they are.
    """
    tokens = _TOKEN.findall(str(window))
    if not tokens:
        raise ValueError(f"window {window!r} has nothing to read aloud")
    if lang == "zh":
        return " ".join(zh_cardinal(int(t)) if t.isdigit() else t.upper() for t in tokens)
    if lang == "en":
        # espeak reads "window A 3" as "window uh three"; "A-3" keeps the letter.
        return "-".join(str(int(t)) if t.isdigit() else t.upper() for t in tokens)
    raise ValueError(f"no reading rules for language {lang!r}")


def zh_cardinal(n: int) -> str:
    """0..9999 as spoken Chinese: 10 '十', 12 '十二', 105 '一百零五'.

    Larger numbers are spelled digit by digit; no hall has that many windows.
    """
    if n < 0:
        raise ValueError(f"negative number {n}")
    if n >= 10_000:
        return "".join(_ZH_DIGITS[int(d)] for d in str(n))
    if n < 10:
        return _ZH_DIGITS[n]
    out: list[str] = []
    pending_zero = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit == 0:
            pending_zero = bool(out)
            continue
        if pending_zero:
            out.append("零")
            pending_zero = False
        out.append(_ZH_DIGITS[digit] + unit)
    text = "".join(out)
    # 10..19 are said "十", "十二", not "一十二".
    return text[1:] if text.startswith("一十") else text
