"""The Mandarin announcement is spoken in Mandarin, not in English letters."""

import string

import pytest

from onewindow.display import Call, speech_parts

CALLS = [Call("A012", "3"), Call("B105", "12", recall=True), Call(string.ascii_uppercase, "A3")]


@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.ticket)
def test_zh_parts_have_only_mandarin_phonemes(call, phonemes):
    zh = [p for p in speech_parts(call) if p.lang == "zh"]
    assert zh
    for part in zh:
        assert "(en)" not in phonemes(part.text, part.voice)


def test_plain_cmn_voice_reads_common_characters_as_english(phonemes):
    # Why cmn-latn-pinyin: the check above would catch the default voice.
    assert "(en)" in phonemes("请", "cmn")
    zh = speech_parts(Call("A012", "3"))[1].text
    assert "(en)" in phonemes(zh, "cmn")


def test_english_reads_letters_as_letter_names(phonemes):
    en = speech_parts(Call("A012", "A3"))[2]
    words = phonemes(en.text, en.voice).split()
    # 'eI is the letter A; a bare "A" before a word would be the article a#.
    assert words.count("'eI") == 2 and "a#" not in words
