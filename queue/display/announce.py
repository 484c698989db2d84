"""What is said when a ticket is called: texts per language and speech parts.

Pure functions of a `Call` and an `AnnounceConfig`; nothing here touches the
server, a file or a speech engine.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import NamedTuple

from .pinyin import PINYIN_OVERRIDES, apply_overrides
from .reading import LANGUAGES, read_window, spell_ticket


@dataclass(frozen=True)
class Call:
    """A ticket called to a window; `recall` when the clerk calls it again."""

    ticket: str
    window: str
    recall: bool = False


def _frozen(mapping: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class AnnounceConfig:
    """Templates per language, in the order they are spoken.

    Templates take `{ticket}` and `{window}`. `voices` are espeak-ng voice
    names; a voice whose name contains "pinyin" gets `pinyin_overrides`.
    """

    templates: Mapping[str, str] = field(default_factory=lambda: _frozen({
        "zh": "请 {ticket} 号到 {window} 号窗口办理",
        "en": "Number {ticket}, please go to window {window}",
    }))
    recall_templates: Mapping[str, str] = field(default_factory=lambda: _frozen({
        "zh": "再次呼叫 {ticket} 号，请到 {window} 号窗口办理",
        "en": "Calling again, number {ticket}, please go to window {window}",
    }))
    voices: Mapping[str, str] = field(default_factory=lambda: _frozen({
        "zh": "cmn-latn-pinyin",
        "en": "en-us",
    }))
    repeat: int = 2
    pinyin_overrides: Mapping[str, str] = field(default_factory=lambda: PINYIN_OVERRIDES)
    # Several calls said in one sentence (请 A003 号到 1 号窗口，B005 号到 4 号窗口):
    # each call by `item_templates`, joined by `joiners`, inside `batch_templates`
    # (`{items}`); recalls inside `recall_batch_templates`.
    item_templates: Mapping[str, str] = field(default_factory=lambda: _frozen({
        "zh": "{ticket} 号到 {window} 号窗口",
        "en": "number {ticket}, to window {window}",
    }))
    batch_templates: Mapping[str, str] = field(default_factory=lambda: _frozen({
        "zh": "请 {items}",
        "en": "Calling {items}",
    }))
    recall_batch_templates: Mapping[str, str] = field(default_factory=lambda: _frozen({
        "zh": "再次呼叫 {items}",
        "en": "Calling again: {items}",
    }))
    joiners: Mapping[str, str] = field(default_factory=lambda: _frozen({"zh": "，", "en": "; "}))

    def __post_init__(self) -> None:
        # Fail when the settings are loaded, not at the first call in the hall.
        if self.repeat < 1:
            raise ValueError(f"repeat must be at least 1, not {self.repeat}")
        for name in ("templates", "recall_templates", "voices", "pinyin_overrides", "item_templates",
                     "batch_templates", "recall_batch_templates", "joiners"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        langs = list(self.templates)
        if not langs:
            raise ValueError("at least one language template is needed")
        for lang in langs:
            if lang not in LANGUAGES:
                raise ValueError(f"no reading rules for language {lang!r}")
            if lang not in self.recall_templates or lang not in self.voices:
                raise ValueError(f"language {lang!r} needs a recall template and a voice")
            for name in ("item_templates", "batch_templates", "recall_batch_templates", "joiners"):
                if lang not in getattr(self, name):
                    raise ValueError(f"language {lang!r} needs an entry in {name}")
        for template in (*self.templates.values(), *self.recall_templates.values(), *self.item_templates.values()):
            _check(template, ticket="A001", window="1")
        for template in (*self.batch_templates.values(), *self.recall_batch_templates.values()):
            _check(template, items="A001")


def _check(template: str, **fields: str) -> None:
    try:
        template.format(**fields)
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(f"bad template {template!r}: {exc}") from None


DEFAULT_CONFIG = AnnounceConfig()


@dataclass(frozen=True)
class Announcement:
    """`captions` are for the screen (A012 as printed); `spoken` for speech."""

    call: Call
    captions: Mapping[str, str]
    spoken: Mapping[str, str]


def announce(call: Call, config: AnnounceConfig = DEFAULT_CONFIG) -> Announcement:
    templates = config.recall_templates if call.recall else config.templates
    captions, spoken = {}, {}
    for lang in config.templates:
        template = templates[lang]
        captions[lang] = template.format(ticket=call.ticket.strip(), window=str(call.window).strip())
        spoken[lang] = template.format(
            ticket=spell_ticket(call.ticket, lang), window=read_window(call.window, lang)
        )
    return Announcement(call, _frozen(captions), _frozen(spoken))


class SpeechPart(NamedTuple):
    lang: str
    text: str
    voice: str


CHIME = SpeechPart("chime", "", "")


def speech_parts(call: Call, config: AnnounceConfig = DEFAULT_CONFIG) -> list[SpeechPart]:
    """The chime, then every language in order, the whole round `repeat` times.

    Texts are ready for the engine: pinyin overrides already applied.
    """
    spoken = announce(call, config).spoken
    one_round = [
        SpeechPart(lang, _voice_text(text, config.voices[lang], config), config.voices[lang])
        for lang, text in spoken.items()
    ]
    return [CHIME, *one_round * config.repeat]


def _voice_text(text: str, voice: str, config: AnnounceConfig) -> str:
    if "pinyin" in voice.lower():
        return apply_overrides(text, config.pinyin_overrides)
    return text


def announce_together(calls: Sequence[Call], config: AnnounceConfig = DEFAULT_CONFIG) -> Announcement:
    """Several calls of one kind (all first calls, or all recalls) in one sentence.

    One call is said exactly as `announce` says it. The announcement's `call`
    is the first one.
    """
    if not calls:
        raise ValueError("no calls to announce")
    if len(calls) == 1:
        return announce(calls[0], config)
    if len({c.recall for c in calls}) != 1:
        raise ValueError("first calls and recalls are announced apart")
    outer = config.recall_batch_templates if calls[0].recall else config.batch_templates
    captions, spoken = {}, {}
    for lang in config.templates:
        item = config.item_templates[lang]
        shown = [item.format(ticket=c.ticket.strip(), window=str(c.window).strip()) for c in calls]
        said = [item.format(ticket=spell_ticket(c.ticket, lang), window=read_window(c.window, lang)) for c in calls]
        captions[lang] = outer[lang].format(items=config.joiners[lang].join(shown))
        spoken[lang] = outer[lang].format(items=config.joiners[lang].join(said))
    return Announcement(calls[0], _frozen(captions), _frozen(spoken))


def batch_parts(calls: Sequence[Call], langs: Sequence[str], *, chime: bool = True, rounds: int = 1,
                config: AnnounceConfig = DEFAULT_CONFIG) -> list[SpeechPart]:
    """The chime (when `chime`), then the languages `langs` (in the config's
    order), the whole round `rounds` times, for calls said together."""
    unknown = set(langs) - set(config.templates)
    if unknown:
        raise ValueError(f"no templates for language(s) {sorted(unknown)}")
    spoken = announce_together(calls, config).spoken
    one_round = [
        SpeechPart(lang, _voice_text(text, config.voices[lang], config), config.voices[lang])
        for lang, text in spoken.items() if lang in langs
    ]
    return [CHIME] * chime + one_round * rounds
