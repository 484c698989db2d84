"""Issue 17: the case page shows an outlet's longer case number (HP-DONGSHAN-20261203-0001) on the
narrowest phone breaking after a hyphen only, never inside the date or the sequence it is quoted by."""
from __future__ import annotations

import httpx
import pytest
from support.browser import screenshot
from support.console import accept_case_live
from support.halls import demo_config

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 320, "height": 640}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
# Each text part of #number on one line (a part per hyphen), and the number on more than one.
PARTS_WHOLE = """() => {
  const box = document.getElementById("number");
  const rects = (node) => { const r = document.createRange(); r.selectNodeContents(node); return r.getClientRects(); };
  const parts = [...box.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE);
  return {text: box.textContent, lines: rects(box).length, split: parts.filter((n) => rects(n).length > 1).length};
}"""


def test_a_long_case_number_breaks_only_after_a_hyphen(live_server, browser):
    srv = live_server(config=demo_config(replace={'kind = "comprehensive"':
                                                  'kind = "comprehensive"\ncase_prefix = "HP-DONGSHAN"'}))
    c = httpx.Client(base_url=srv.url, timeout=30)
    case, _ = accept_case_live(c, {"item": "eia_registration", "applicant_name": "欧阳娜娜"})
    assert case["number"] == "HP-DONGSHAN-20261123-0001"
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(case["track_url"])
    page.locator("#number", has_text="0001").wait_for()
    got = page.evaluate(PARTS_WHOLE)
    assert got["text"] == case["number"] and got["lines"] > 1 and got["split"] == 0, got
    screenshot(page, "case-320x640-long-number")
    context.close()
    c.close()
