"""The messages' texts, Chinese first with an English variant.

Each kind names the parameters it needs; optional ones default to "". Chinese
texts aim at one 70-character SMS segment with an 8-character hall signature
and a 30-character link (tests/notify/test_templates.py checks it); what does
not fit is still sent, in more segments, and its count is recorded.
"""
from __future__ import annotations

from string import Formatter

from onewindow.notify.segments import Segments, count_segments


class TemplateError(ValueError):
    """An unknown kind or language, or a parameter missing."""


# kind: (required params, optional params, {lang: text})
TEMPLATES: dict[str, tuple[tuple[str, ...], tuple[str, ...], dict[str, str]]] = {
    "ticket_near": (("number", "ahead"), (), {
        "zh": "您的{number}号前面还有{ahead}位，请回大厅留意叫号。",
        "en": "Ticket {number}: {ahead} ahead of you. Please return to the hall.",
    }),
    "ticket_called": (("number", "window"), (), {
        "zh": "请{number}号到{window}办理。",
        "en": "Ticket {number}: please go to {window} now.",
    }),
    "case_accepted": (("number", "link"), ("item", "deadline"), {
        "zh": "您的{item}已受理，办件号{number}，承诺{deadline}前办结。进度：{link}",
        "en": "Case {number} ({item}) accepted, due by {deadline}. Progress: {link}",
    }),
    "case_suspended": (("number", "missing", "link"), (), {
        "zh": "办件{number}暂停办理，请补充：{missing}。详情：{link}",
        "en": "Case {number} is on hold. Please bring: {missing}. Details: {link}",
    }),
    "case_resumed": (("number", "link"), (), {
        "zh": "办件{number}已恢复办理。进度：{link}",
        "en": "Case {number} is being processed again. Progress: {link}",
    }),
    "case_completed": (("number", "link"), ("result",), {
        "zh": "办件{number}已办结{result}。详情：{link}",
        "en": "Case {number} is complete{result}. Details: {link}",
    }),
    "case_rate_invite": (("number", "link"), (), {
        "zh": "请评价办件{number}的办理情况：{link}",
        "en": "Please rate how case {number} was handled: {link}",
    }),
    "rectification_result": (("number", "link"), ("outcome",), {
        "zh": "您对{number}的评价已整改：{outcome}。详情：{link}",
        "en": "Your rating of {number} was followed up: {outcome}. Details: {link}",
    }),
    # Complaints (issue 15): received and entered, to be confirmed by phone; handled and verified.
    "complaint_received": (("number",), (), {
        "zh": "您的投诉举报已受理登记，编号{number}，我们将在24小时内与您联系确认。",
        "en": "Your complaint {number} is registered; we will call you within 24 hours to confirm it.",
    }),
    "complaint_result": (("number",), ("result",), {
        "zh": "您的投诉{number}已办理并经现场核实：{result}。我们将回访听取您的意见。",
        "en": "Complaint {number} was handled and verified on site: {result}. We will call you for your opinion.",
    }),
    # Appointments (issue 16): the day before and an hour before.
    "appointment_reminder_day": (("item", "time", "code"), (), {
        "zh": "您已预约{time}办理{item}，预约码{code}，请提前15分钟到大厅签到。",
        "en": "Reminder: {item} appointment at {time}, code {code}. Check in at the hall 15 min early.",
    }),
    "appointment_reminder_hour": (("item", "time", "code"), (), {
        "zh": "您预约的{item}将于{time}开始，预约码{code}，请到取号机签到。",
        "en": "Your {item} appointment starts at {time}, code {code}. Check in at the kiosk.",
    }),
    "appointment_slot_gone": (("item", "time", "code"), (), {
        "zh": "因办公时间调整，您预约的{time}{item}无法办理，请改约。预约码{code}。",
        "en": "Hours changed: your {item} appointment at {time} cannot be kept. Please rebook. Code {code}.",
    }),
    # Green channel by appointment (issue 16 point 6, 004): to the key project's liaison.
    # A mobile outlet's visit to the subscriber's town published, moved or cancelled (issue 18).
    "visit_changed": (("town", "day", "time", "state"), ("place",), {
        "zh": "流动服务车{town}：{day} {time}{state}，地点{place}。",
        "en": "Mobile service van in {town}: {day} {time} {state}, at {place}.",
    }),
    "key_project_booking": (("project", "item", "time", "code"), (), {
        "zh": "重点项目绿色通道预约：{project}，{time}办理{item}，预约码{code}，请做好对接。",
        "en": "Green channel: key project {project} booked {item} at {time}, code {code}. Please be ready.",
    }),
}
KINDS = tuple(TEMPLATES)
LANGS = ("zh", "en")


def render(kind: str, params: dict, lang: str = "zh", signature: str = "") -> str:
    """The text to send: the hall's signature (【...】, required on Chinese SMS) and the template."""
    try:
        required, optional, texts = TEMPLATES[kind]
    except KeyError:
        raise TemplateError(f"unknown message kind {kind!r}") from None
    text = texts.get(lang)
    if text is None:
        raise TemplateError(f"no {lang!r} text for {kind!r}")
    missing = [p for p in required if params.get(p) in (None, "")]
    if missing:
        raise TemplateError(f"{kind}: missing {', '.join(missing)}")
    values = {p: "" for p in optional}
    values.update({k: _plain(v) for k, v in params.items()})
    body = Formatter().vformat(text, (), values)
    return f"{signature}{body}" if signature else body


def render_counted(kind: str, params: dict, lang: str = "zh", signature: str = "") -> tuple[str, Segments]:
    text = render(kind, params, lang, signature)
    return text, count_segments(text)


def _plain(v) -> str:
    """Lists (what is missing) joined the way each language lists; no braces or newlines smuggled in."""
    if isinstance(v, (list, tuple)):
        v = "、".join(str(x) for x in v)
    return str(v).replace("\n", " ").replace("\r", " ")
