"""Issue 14, point 4 at the kiosk: after the category, an optional step takes a phone number on a
large on-screen keypad for an SMS before one's turn. Skipping it is one tap; a malformed number is
refused by the server (422 on "phone") and said in both languages, nothing issued; with a number the
ticket carries the opt-in, the screen shows the number masked, and the local SMSC (real SMPP PDUs)
receives ticket_called when the ticket is called. Chromium at 1920x1080 and 1080x1920, axe clean in
every state. Screenshots: test-artifacts/kiosk-phone-*."""
from __future__ import annotations

import httpx
import pytest
from support.accounts import Accounts
from support.axe import assert_no_violations
from support.browser import screenshot
from support.halls import HALL, demo_config
from support.smsc import Smsc
from support.wait import wait_until

pytestmark = pytest.mark.browser
SIGNATURE = 'signature = "【生态环境局】"\n'
SIZES = [(1920, 1080), (1080, 1920)]


def smpp_config(port: int):
    """The demo hall with its messages over SMPP to the local SMSC."""
    table = (f'\n[halls.notify.smpp]\nhost = "127.0.0.1"\nport = {port}\nsystem_id = "onewindow"\n'
             'password = "secret"\nsource_addr = "10690001"\n')
    return demo_config(replace={'channel = "file"\n' + SIGNATURE: 'channel = "smpp"\n' + SIGNATURE + table})


def posted_tickets(page) -> list[dict]:
    """Every ticket body the page posts, recorded as it goes."""
    bodies: list[dict] = []
    page.on("request", lambda r: bodies.append(r.post_data_json)
            if r.method == "POST" and r.url.endswith(f"/halls/{HALL}/tickets") else None)
    return bodies


def fits(page, selector: str, width: int, height: int) -> None:
    box = page.locator(selector).bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= width and box["y"] + box["height"] <= height, (
        selector, box)


@pytest.fixture
def smsc():
    with Smsc() as s:
        yield s


@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_skip_the_phone_step_with_one_tap(live_server, device_context, width, height):
    srv = live_server()
    page = device_context(srv.url, viewport={"width": width, "height": height}).new_page()
    posts = posted_tickets(page)
    page.goto(f"{srv.url}/kiosk")
    page.locator('button.cat[data-category="eia"]').click()
    page.locator("#phone:not(.hidden)").wait_for()
    assert posts == []  # nothing issued before the visitor chose
    assert "留下手机号，叫号前短信提醒" in page.locator("#ph-title").inner_text()
    assert "Get an SMS before your turn" in page.locator("#ph-title").inner_text()
    # the keypad: ten digits, clear and delete, each a large target; everything on one screen
    keys = page.locator("#ph-keys button.ph-key")
    assert keys.count() == 12
    assert min(keys.nth(i).bounding_box()["height"] for i in range(12)) >= 96
    assert min(keys.nth(i).bounding_box()["width"] for i in range(12)) >= 150
    skip = page.locator("#ph-skip").bounding_box()
    assert skip["height"] >= 80 and skip["width"] >= 400
    for sel in ("#ph-skip", "#ph-input", "#ph-consent", "#ph-ok", "#ph-keys", "#ph-back"):
        fits(page, sel, width, height)
    assert page.locator("#ph-ok").is_disabled()  # no number, no consent to give
    consent = page.locator("#ph-consent").inner_text()
    assert "同意" in consent and "encrypted" in consent
    assert_no_violations(page, f"kiosk phone step {width}x{height}")
    screenshot(page, f"kiosk-phone-step-{width}x{height}")

    page.locator("#ph-skip").click()  # the one tap more
    page.locator("#ticket:not(.hidden)").wait_for()
    assert page.locator("#t-number").inner_text() == "A001"
    assert len(posts) == 1 and "phone" not in posts[0] and not posts[0].get("notify")
    assert page.locator('#t-sms').is_hidden() and page.locator('#t-sms').inner_text() == ""


@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_a_phone_number_gets_the_called_message(live_server, device_context, smsc, width, height):
    srv = live_server(config=smpp_config(smsc.port))
    c = httpx.Client(base_url=srv.url, timeout=30)
    clerk = Accounts(c, keep_cookies=False).make("zhangwei")
    assert c.post(f"/api/v1/halls/{HALL}/windows/w1/sign-in", headers=clerk).status_code == 200
    page = device_context(srv.url, viewport={"width": width, "height": height}).new_page()
    posts = posted_tickets(page)
    page.goto(f"{srv.url}/kiosk")
    page.locator('button.cat[data-category="eia"]').click()
    page.locator("#phone:not(.hidden)").wait_for()

    # a malformed number: the server refuses it (422 on "phone"), said in both languages, nothing issued
    for k in "12345678901":
        page.locator(f'#ph-keys [data-key="{k}"]').click()
    assert page.locator("#ph-input").input_value() == "123 4567 8901"
    page.locator("#ph-ok").click()
    page.locator("#ph-error", has_text="手机号码无效").wait_for()
    assert "Not a valid phone number" in page.locator("#ph-error").inner_text()
    assert page.locator("#ph-input").get_attribute("aria-invalid") == "true"
    assert posts[-1]["phone"] == "12345678901" and posts[-1]["notify"] is True
    assert_no_violations(page, f"kiosk phone refused {width}x{height}")
    screenshot(page, f"kiosk-phone-refused-{width}x{height}")

    # corrected on the keypad (clear, then the number, a slip deleted): agreed, the ticket carries it
    page.locator('#ph-keys [data-key="clear"]').click()
    for k in ["1", "3", "8", "1", "2", "3", "4", "5", "6", "7", "9", "back", "8", "0"]:  # a 12th digit does nothing
        page.locator(f'#ph-keys [data-key="{k}"]').click()
    assert page.locator("#ph-input").input_value() == "138 1234 5678"
    assert page.locator("#ph-error").inner_text() == ""
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/tickets")) as answer:
        page.locator("#ph-ok").click()
    page.locator("#ticket:not(.hidden)").wait_for()
    assert answer.value.json()["notify"] is True and "12345678" not in answer.value.text()  # the answer: no number
    assert posts[-1]["phone"] == "13812345678" and posts[-1]["notify"] is True
    assert page.locator("#t-number").inner_text() == "A001"  # the refused try issued nothing
    reminder = page.locator('#t-sms:not(.hidden)').inner_text()
    assert "138****5678" in reminder
    assert "12345678" not in page.locator("body").inner_text()  # never the whole number on screen
    fits(page, "#t-done", width, height)
    assert_no_violations(page, f"kiosk ticket with an SMS reminder {width}x{height}")
    screenshot(page, f"kiosk-phone-ticket-{width}x{height}")

    # called at the window: the SMSC receives ticket_called for that number
    number = page.locator("#t-number").inner_text()
    assert c.post(f"/api/v1/halls/{HALL}/windows/w1/next", headers=clerk).json()["number"] == number
    wait_until(lambda: any(f"请{number}号到" in m.text for m in smsc.received()), timeout=20,
               what="the called message")
    [msg] = [m for m in smsc.received() if f"请{number}号到" in m.text]
    assert msg.dest == "8613812345678"
    c.close()
