import re

import pytest

from onewindow.display import PINYIN_OVERRIDES
from onewindow.display.pinyin import apply_overrides

SYLLABLE = re.compile(r"[a-zü]+[1-5]")


def test_longest_word_wins():
    table = {"行": "xing2", "银行": "yin2 hang2"}
    assert apply_overrides("去银行办理", table) == "去 yin2 hang2 办理"
    assert apply_overrides("步行", table) == "步 xing2"


def test_text_without_listed_words_is_unchanged():
    assert apply_overrides("请 A 零 一 号到 三 号窗口办理") == "请 A 零 一 号到 三 号窗口办理"


@pytest.mark.parametrize(("word", "pinyin"), sorted(PINYIN_OVERRIDES.items()))
def test_each_override_is_needed_and_mandarin(word, pinyin, phonemes):
    assert all(SYLLABLE.fullmatch(s) for s in pinyin.split()), pinyin
    assert len(pinyin.split()) == len(word)
    wrong, right = phonemes(word, "cmn-latn-pinyin"), phonemes(pinyin, "cmn-latn-pinyin")
    assert "(en)" not in right
    # If espeak-ng learns the word, the entry is dead weight: drop it.
    assert wrong != right
