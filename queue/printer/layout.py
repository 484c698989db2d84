"""A slip as a list of blocks: what is printed and in which order, for either print mode.

Chinese comes first, English below it in smaller type. Both the raster renderer
and the native Chinese text mode consume these blocks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from PIL import Image

from onewindow.caller.estimate import wait_text  # the one rounding every page shares

from .slips import CaseReceipt, MissingMaterialsNotice, Slip, TicketSlip

Align = Literal["left", "center", "right"]


@dataclass(frozen=True)
class Text:
    text: str
    scale: float = 1.0  # relative to body text
    align: Align = "left"
    bold: bool = False
    fit: bool = False  # one line, as large as fits up to ``scale``; wraps only below body size


@dataclass(frozen=True)
class Qr:
    data: str


@dataclass(frozen=True)
class Rule:
    pass


@dataclass(frozen=True)
class Space:
    lines: float = 0.5


@dataclass(frozen=True, eq=False)
class Logo:
    image: Image.Image = field(repr=False)


Block = Text | Qr | Rule | Space | Logo

NUMBER_SCALE = 8.0
SMALL = 0.8


def layout(slip: Slip, logo: Image.Image | None = None) -> list[Block]:
    head: list[Block] = [Logo(logo)] if logo is not None else []
    if isinstance(slip, TicketSlip):
        return head + _ticket(slip)
    if isinstance(slip, CaseReceipt):
        return head + _receipt(slip)
    if isinstance(slip, MissingMaterialsNotice):
        return head + _notice(slip)
    raise TypeError(f"not a printable slip: {type(slip).__name__}")


def _pair(zh: str, en: str, scale: float = 1.0, **kw) -> list[Block]:
    return [Text(zh, scale, **kw), Text(en, SMALL, **kw)]


def _time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def _deadline(value: date | datetime) -> tuple[str, str]:
    zh = f"{value.year}年{value.month}月{value.day}日"
    en = value.strftime("%Y-%m-%d")
    if isinstance(value, datetime):
        zh, en = f"{zh} {value:%H:%M}", f"{en} {value:%H:%M}"
    return zh, en


def _ticket(s: TicketSlip) -> list[Block]:
    blocks: list[Block] = [
        Text(s.hall_name, 1.3, "center", bold=True, fit=True),
        Rule(),
        *_pair("您的号码", "Your number", align="center"),
        Text(s.number, NUMBER_SCALE, "center", bold=True, fit=True),
        Text(s.category_name_zh, 1.5, "center", bold=True, fit=True),
        Text(s.category_name_en, 1.0, "center"),
        Rule(),
        *_pair(f"前面还有 {s.ahead} 人", f"People ahead of you: {s.ahead}", 1.2),
    ]
    if not s.serving_now:  # no made-up wait: say nobody serves, and when that ends
        today = s.issued_at.astimezone(s.resumes_at.tzinfo).date() if s.resumes_at else None
        zh, en = wait_text(s.estimated_wait_s or 0, False, s.resumes_at, today)  # another day: with its date
        blocks += _pair(zh, en, 1.2)
    elif s.estimated_wait_s is not None:
        zh, en = wait_text(s.estimated_wait_s)
        blocks += _pair(f"预计等候 {zh}", f"Estimated wait: {en}", 1.2)
    if s.windows:
        blocks += _pair(f"办理窗口：{'、'.join(s.windows)}", f"Window(s): {', '.join(s.windows)}")
    blocks += _pair(f"取号时间：{_time(s.issued_at)}", f"Issued: {_time(s.issued_at)}")
    if s.notice:
        blocks += [Rule(), Text(s.notice)]
    blocks += [Space(), Qr(s.track_url),
               *_pair("扫码查看排队进度", "Scan to follow your place in the queue", align="center")]
    return blocks


def _label(zh: str, en: str) -> Text:
    return Text(f"{zh} {en}", SMALL)


def _receipt(s: CaseReceipt) -> list[Block]:
    zh_deadline, en_deadline = _deadline(s.deadline)
    blocks: list[Block] = [
        Text("接收单", 2.0, "center", bold=True),
        Text("Acceptance Receipt", 1.0, "center"),
        Rule(),
        _label("受理编号", "Case No."),
        Text(s.case_number, 1.5, bold=True, fit=True),  # one line: an outlet's prefix must not split it
        _label("办理事项", "Item"),
        Text(s.item_name, 1.2),
        _label("申请人", "Applicant"),
        Text(s.applicant_masked),
        _label("受理时间", "Accepted at"),
        Text(_time(s.accepted_at)),
        _label("承诺办结时限", "Promised completion by"),
        Text(zh_deadline + ("（暂定）" if s.deadline_provisional else ""), 1.5, bold=True, fit=True),
    ]
    if s.deadline_provisional:
        blocks += _pair("暂定日期，以正式通知为准", f"{en_deadline} is provisional; you will be told the final date")
    blocks += [
        _label("受理窗口", "Window"),
        Text(s.window_name),
        _label("经办人", "Clerk"),
        Text(s.clerk_name),
        Rule(),
        _label("进度查询", "How to check progress"),
        Text(s.query_hint),
    ]
    if s.track_url:
        blocks += [Space(), Qr(s.track_url), *_pair("扫码查看办理进度", "Scan to check progress", align="center"),
                   Text(s.track_url, align="center")]  # the short link, to type in when no camera reads it
    return blocks


def _notice(s: MissingMaterialsNotice) -> list[Block]:
    blocks: list[Block] = [
        Text(s.hall_name, 1.3, "center", bold=True, fit=True),
        Text("一次性告知单", 2.0, "center", bold=True),
        Text("One-time Notice of Missing Materials", 1.0, "center"),
        Rule(),
        _label("办理事项", "Item"),
        Text(s.item_name, 1.2, bold=True),
        Space(),
        *_pair(
            "经审查，您的申请材料尚不齐全，请一次性补齐以下全部材料：",
            "Your application is incomplete. Please bring ALL of the following:",
        ),
        *(Text(f"□ {i}. {name}", 1.2, bold=True) for i, name in enumerate(s.missing, 1)),
    ]
    if s.provided:
        blocks += [Space(), _label("已收材料", "Already provided")]
        blocks += [Text(f"√ {name}") for name in s.provided]
    blocks += [
        Rule(),
        _label("告知窗口", "Window"),
        Text(s.window_name),
        _label("经办人", "Clerk"),
        Text(s.clerk_name),
        _label("告知时间", "Date"),
        Text(_time(s.issued_at)),
        Space(),
        *_pair("本单已一次性列明所缺全部材料。", "This notice lists every missing material."),
    ]
    return blocks


# --- line breaking ----------------------------------------------------------------

# Latin words, numbers and URLs stay whole; every other character may break.
_TOKEN = re.compile(r"[0-9A-Za-z@#%&/._:\-+?=~,;'()!*$]+|\s+|.")
# Closing punctuation must not start a line, opening punctuation must not end one (禁则).
_NO_LINE_START = set("，。、；：？！）》」』”’%,.;:?!)")
_NO_LINE_END = set("（《「『“‘(")


def wrap(text: str, limit: float, measure: Callable[[str], float]) -> list[str]:
    """Greedy line breaking of ``text`` so that ``measure(line) <= limit``."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line: list[str] = []
        for token in _TOKEN.findall(paragraph):
            if measure("".join(line) + token) <= limit or not "".join(line).strip():
                if line or not token.isspace():
                    line.append(token)
                continue
            carry: list[str] = []
            if token in _NO_LINE_START and len(line) > 1:
                carry.append(line.pop())
            while len(line) > 1 and line[-1] in _NO_LINE_END:
                carry.insert(0, line.pop())
            lines.append("".join(line).rstrip())
            line = carry + ([] if token.isspace() else [token])
        lines.append("".join(line).rstrip())
    return [part for ln in lines for part in _hard_split(ln, limit, measure)]


def _hard_split(line: str, limit: float, measure: Callable[[str], float]) -> list[str]:
    # A single token wider than the paper (a long URL) is cut by characters.
    if measure(line) <= limit or len(line) <= 1:
        return [line]
    parts, current = [], ""
    for ch in line:
        if current and measure(current + ch) > limit:
            parts.append(current)
            current = ""
        current += ch
    return [*parts, current]
