import pytest

from onewindow.display import AnnounceConfig, Call, announce, speech_parts
from onewindow.display.announce import CHIME


def test_default_texts():
    a = announce(Call("A012", "3"))
    assert a.captions == {"zh": "请 A012 号到 3 号窗口办理",
                          "en": "Number A012, please go to window 3"}
    assert a.spoken == {"zh": "请 A 零 一 二 号到 三 号窗口办理",
                        "en": "Number A, zero, one, two, please go to window 3"}


def test_recall_is_announced_as_a_recall():
    first = announce(Call("B105", "12")).spoken
    again = announce(Call("B105", "12", recall=True)).spoken
    assert again == {"zh": "再次呼叫 B 一 零 五 号，请到 十二 号窗口办理",
                     "en": "Calling again, number B, one, zero, five, please go to window 12"}
    assert "再次" not in first["zh"] and "again" not in first["en"]


def test_chime_first_then_languages_repeated():
    parts = speech_parts(Call("A012", "3"))
    assert parts[0] == CHIME
    assert [(p.lang, p.voice) for p in parts[1:]] == [
        ("zh", "cmn-latn-pinyin"), ("en", "en-us"), ("zh", "cmn-latn-pinyin"), ("en", "en-us")]
    assert parts[1] == parts[3] and parts[2] == parts[4]


def test_repeat_count_is_configurable():
    parts = speech_parts(Call("A012", "3"), AnnounceConfig(repeat=3))
    assert len(parts) == 1 + 2 * 3


def test_overrides_applied_for_the_pinyin_voice_only():
    templates = {"zh": "请 {ticket} 号到 {window} 号窗口办理银行业务",
                 "en": "Number {ticket}, window {window}, bank 银行"}
    pinyin = speech_parts(Call("A1", "2"), AnnounceConfig(templates=templates, repeat=1))
    assert pinyin[1].text == "请 A 一 号到 二 号窗口办理 yin2 hang2 业务"
    assert pinyin[2].text.endswith("bank 银行")  # en-us voice: untouched
    # The plain cmn voice reads Latin as English, so no pinyin for it.
    plain = AnnounceConfig(templates=templates, repeat=1, voices={"zh": "cmn", "en": "en-us"})
    assert "银行" in speech_parts(Call("A1", "2"), plain)[1].text


def test_custom_overrides_replace_the_table():
    config = AnnounceConfig(templates={"zh": "请 {ticket} 号到 {window} 号窗口办理"},
                            pinyin_overrides={"办理": "ban4 li3"}, repeat=1)
    assert speech_parts(Call("A1", "2"), config)[1].text.endswith("号窗口 ban4 li3")


@pytest.mark.parametrize("kwargs", [
    {"repeat": 0},
    {"templates": {"zh": "请 {number} 号"}},
    {"templates": {"fr": "Numéro {ticket}"}},
    {"templates": {}},
    {"voices": {"zh": "cmn-latn-pinyin"}},
])
def test_bad_settings_fail_early(kwargs):
    with pytest.raises(ValueError):
        AnnounceConfig(**kwargs)


def test_config_cannot_be_changed_behind_its_back():
    templates = {"zh": "请 {ticket} 号", "en": "Number {ticket}"}
    config = AnnounceConfig(templates=templates)
    templates["zh"] = "changed"
    assert config.templates["zh"] == "请 {ticket} 号"
