"""Pinyin overrides for words espeak-ng's Mandarin voice reads wrongly.

espeak-ng picks one reading per character, so polyphones (行 xing/hang,
重 zhong/chong, 长 chang/zhang, 差 cha/chai ...) come out wrong in some
words. The cmn-latn-pinyin voice reads Latin text as pinyin with tone
numbers, so a wrong word is replaced by its pinyin before synthesis. Every
entry is one that espeak-ng 1.51 gets wrong (tests check this); add words
as halls find them. Keys are whole words, matched longest first.
"""

import re
from collections.abc import Mapping
from types import MappingProxyType

PINYIN_OVERRIDES: Mapping[str, str] = MappingProxyType({
    # 行 hang (a trade, a bank), not xing (to walk)
    "银行": "yin2 hang2",
    "行业": "hang2 ye4",
    "行长": "hang2 zhang3",
    # 重 chong (again), not zhong (heavy)
    "重新": "chong2 xin1",
    "重复": "chong2 fu4",
    "重庆": "chong2 qing4",
    # 长 zhang (head of), not chang (long)
    "处长": "chu4 zhang3",
    "科长": "ke1 zhang3",
    "局长": "ju2 zhang3",
    "站长": "zhan4 zhang3",
    "所长": "suo3 zhang3",
    "院长": "yuan4 zhang3",
    # 处 chu3 (to handle), not chu4 (a place)
    "处理": "chu3 li3",
    # 还 huan (return), not hai (still)
    "还款": "huan2 kuan3",
    "归还": "gui1 huan2",
    "还原": "huan2 yuan2",
    # 差 cha1 (poor) and chai1 (errand), not cha4
    "差评": "cha1 ping2",
    "出差": "chu1 chai1",
    # 调 tiao (to mediate), not diao (to investigate)
    "调解": "tiao2 jie3",
    # 给 ji3 (to supply), not gei3
    "给予": "ji3 yu3",
    "供给": "gong1 ji3",
    # 应 ying4 (to answer), not ying1 (should)
    "应答": "ying4 da2",
    "供应": "gong1 ying4",
    # 的 di, 得 de2 in these words, not the particle
    "的确": "di2 que4",
    "目的": "mu4 di4",
    "得到": "de2 dao4",
    # one-off readings
    "会计": "kuai4 ji4",
    "角色": "jue2 se4",
    "薄弱": "bo2 ruo4",
    "相片": "xiang4 pian4",
    "着急": "zhao2 ji2",
    "空闲": "kong4 xian2",
    "率先": "shuai4 xian1",
    # place names
    "厦门": "xia4 men2",
    "六安": "lu4 an1",
})


def apply_overrides(text: str, overrides: Mapping[str, str] = PINYIN_OVERRIDES) -> str:
    """Replace each listed word by its pinyin, set off by spaces.

    Only for a voice that reads Latin as pinyin: the plain cmn voice would
    read "hang2" as English.
    """
    if not overrides:
        return text
    # Longest first, so a longer word wins over a word inside it.
    words = sorted(overrides, key=len, reverse=True)
    pattern = re.compile("|".join(map(re.escape, words)))
    replaced = pattern.sub(lambda m: f" {overrides[m.group(0)]} ", text)
    return " ".join(replaced.split())
