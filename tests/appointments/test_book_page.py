"""The booking page in Chromium at 390x844 (a phone): book a time with the ID number,
see the confirmation code and its QR code, then on the booking's own page move it and
cancel it; axe finds no WCAG 2.2 A/AA violation in any state. Screenshots:
test-artifacts/book-*.png."""
from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import expect
from support import axe
from support.halls import demo_config

from onewindow.appointments.idcard import check_char

pytestmark = pytest.mark.browser
VIEW = {"width": 390, "height": 844}
ID17 = "11010119800101123"


def test_book_move_and_cancel_on_a_phone(live_server, browser, screenshot, zbar):
    srv = live_server(demo_config())
    page = browser.new_context(viewport=VIEW, locale="zh-CN").new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(srv.url + "/book?hall=eco")
    expect(page.locator("#book")).to_be_visible()
    expect(page.locator("#slots .choice").first).to_be_visible()
    page.select_option("#day", "2026-11-24")
    expect(page.locator("#slots label", has_text="09:00–09:30")).to_be_visible()
    expect(page.locator("#id-box")).to_be_visible()  # eia asks the ID number
    screenshot(page, "book-form")
    axe.assert_no_violations(page, "the booking form")
    for width in (320, 430):  # the narrowest and widest phones: nothing runs off the side
        page.set_viewport_size({"width": width, "height": 800})
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), width
    screenshot(page, "book-form-430")
    page.set_viewport_size({"width": 320, "height": 700})
    screenshot(page, "book-form-320")
    page.set_viewport_size(VIEW)
    page.locator("#slots label", has_text="09:00–09:30").click()
    page.fill("#phone", "13912345678")
    page.fill("#id-number", "110101198001011230")  # a typo in the check digit
    page.click("#submit")
    expect(page.locator("#problem")).to_contain_text("check character")
    axe.assert_no_violations(page, "a refused booking")
    page.fill("#id-number", ID17 + check_char(ID17))
    page.click("#submit")
    expect(page.locator("#done")).to_be_visible()
    code = page.locator("#code").inner_text()
    assert len(code) == 8 and code.isdigit()
    expect(page.locator("#facts")).to_contain_text("09:00–09:30")
    page.wait_for_function("document.getElementById('qr').complete && document.getElementById('qr').naturalWidth > 0")
    screenshot(page, "book-done")
    axe.assert_no_violations(page, "the confirmation")
    qr = Image.open(io.BytesIO(page.locator("#qr").screenshot()))
    assert zbar(qr) == [code]  # the kiosk's scanner reads the code

    page.click("#manage-link")
    expect(page.locator("#manage")).to_be_visible()
    expect(page.locator("#m-facts")).to_contain_text(code)
    page.locator("#m-slots label", has_text="14:00–14:30").click()
    page.click("#m-move")
    expect(page.locator("#status")).to_contain_text("已改约")
    expect(page.locator("#m-facts")).to_contain_text("14:00–14:30")
    expect(page.locator("#m-slots label", has_text="09:00–09:30")).to_be_visible()  # the old seat: free again
    screenshot(page, "book-manage")
    axe.assert_no_violations(page, "the booking's page")
    page.click("#m-cancel")
    expect(page.locator("#m-facts")).to_contain_text("已取消")
    expect(page.locator("#m-actions")).to_be_hidden()
    screenshot(page, "book-cancelled")
    axe.assert_no_violations(page, "a cancelled booking")
    assert errors == []
