"""Issue 17: an outlet's case number (HP-DONGSHAN-20261203-0001) is printed whole on one line of the
receipt, on 58 mm and 80 mm paper alike: never cut inside the number, which the applicant quotes."""
from __future__ import annotations

from dataclasses import replace

import pytest

from onewindow.casework import case_number, case_prefixes
from onewindow.printer.layout import Text, layout
from onewindow.printer.render import render_blocks

DAY = "2026-12-03"


@pytest.mark.parametrize("width", [384, 576], ids=["58mm", "80mm"])
def test_an_outlets_case_number_stays_on_one_line(receipt, width):
    prefixes = case_prefixes([("eco", "comprehensive", None), ("dongshan-east", "mobile", None),
                              ("industrial", "special", None), ("van1", "mobile", None)])
    one_line = render_blocks([Text("HP", 1.0, bold=True)], width).height
    for prefix in prefixes.values():
        number = case_number(prefix, DAY, 1234)
        [block] = [b for b in layout(replace(receipt, case_number=number)) if isinstance(b, Text)
                   and b.text == number]
        assert render_blocks([block], width).height < 1.5 * one_line, (number, width)
