"""Hall configurations for tests: the bundled demo hall (edited), a small hall of
`n` interchangeable windows, and the demo hall's printers with other drivers."""
from __future__ import annotations

from onewindow.server.config import Config, demo_config_path, parse_config

HALL = "eco"  # the demo hall
# The demo hall's A posts: whoever holds one may sign in at that window.
A_POSTS = {"w1": "zhangwei", "w2": "lina", "w3": "wangfang", "w4": "liuyang", "w5": "chenjing", "w6": "zhaolei"}
ALL_CATS = '["eia", "permit", "acceptance", "hazwaste", "complaint", "consult", "assist"]'


def demo_text() -> str:
    return demo_config_path().read_text(encoding="utf-8")


def demo_config(enforce_hours: bool = False, replace: dict[str, str] | None = None) -> Config:
    """The demo hall; `replace` edits its TOML text literally (first occurrence of each key)."""
    text = demo_text().replace("enforce_hours = false", f"enforce_hours = {str(enforce_hours).lower()}")
    for old, new in (replace or {}).items():
        assert old in text, f"demo config has no {old!r}"
        text = text.replace(old, new, 1)
    return parse_config(text, "demo_hall.toml")


def demo_with(extra: str) -> Config:
    """The demo hall with TOML appended to its (only) hall, e.g. a `[halls.ratings]` table."""
    return parse_config(demo_text() + "\n" + extra, "demo_hall.toml")


def park_text(opening_days: tuple[str, ...], enforce_hours: bool = True, windows: int = 1, address: str = "",
              close: str = "17:00") -> str:
    """A special outlet "park" (windows p1.. serving "assist", 09:00 to `close`) open on `opening_days`,
    to append to the demo hall's TOML."""
    days = ", ".join(f'"{d}"' for d in opening_days)
    where = f'address = "{address}"\n' if address else ""
    desks = "".join(f'\n[[halls.windows]]\nid = "p{i}"\nname = "{i}号窗口"\ncategories = ["assist"]\n'
                    for i in range(1, windows + 1))
    return f"""
[[halls]]
id = "park"
name = "高新园区生态环境服务站"
name_en = "High-tech Park Service Point"
kind = "special"
{where}opening_days = [{days}]
enforce_hours = {str(enforce_hours).lower()}

[halls.hours]
open = "09:00"
close = "{close}"

[[halls.categories]]
code = "assist"
prefix = "P"
name = "园区帮办"
name_en = "Park assistance"
{desks}"""


def small_hall_toml(windows: int = 8, hall: str = "t", posts: bool = False) -> str:
    """A hall with two categories (general: A, other: B) and `windows` fifo windows w1.. serving
    both; without posts any clerk may sign in anywhere, with them clerk<i> holds window i's A post."""
    out = [
        "[[halls]]", f'id = "{hall}"', 'name = "测试大厅"', "enforce_hours = false", "",
        "[[halls.categories]]", 'code = "general"', 'prefix = "A"', 'name = "综合"', "",
        "[[halls.categories]]", 'code = "other"', 'prefix = "B"', 'name = "其他"', "",
    ]
    for i in range(1, windows + 1):
        out += ["[[halls.windows]]", f'id = "w{i}"', f'name = "{i}号窗口"', 'categories = ["general", "other"]']
        if posts:
            out += [f'a_clerk = "clerk{i}"']
        out.append("")
    return "\n".join(out)


def small_config(windows: int = 8, **kw) -> Config:
    """small_hall_toml, parsed."""
    return parse_config(small_hall_toml(windows, **kw), "test_hall.toml")


def printers_toml(door: str = "fake", desk: str = "fake", door_policy: str = "issue", width: int = 576,
                  mode: str = "raster") -> str:
    """The demo hall's two printers (the door kiosk's, the windows' desk printer) with other
    drivers and policies."""
    return (f'[[halls.printers]]\nid = "door"\ndriver = "{door}"\nwidth = {width}\nmode = "{mode}"\n'
            f'when_unavailable = "{door_policy}"\nkiosks = ["door"]\n'
            f'notice = "过号请重新取号 / Missed numbers must take a new ticket"\n\n'
            f'[[halls.printers]]\nid = "desk"\ndriver = "{desk}"\nwidth = 576\nkiosks = []\n'
            f'windows = ["w1", "w2", "w3", "w4", "w5", "w6"]\n')


def demo_with_printers(printers: str | None = None, replace: dict | None = None,
                       enforce_hours: bool = False) -> Config:
    """The demo hall with its printer sections replaced (default: printers_toml())."""
    text = demo_text()
    shipped = text[text.index("[[halls.printers]]"):]
    edits = {shipped: printers if printers is not None else printers_toml()}
    edits.update(replace or {})
    return demo_config(enforce_hours=enforce_hours, replace=edits)
