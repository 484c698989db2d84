"""Issue 14 at the window: the console's accept form takes the applicant's phone and the opt-in
"短信告知办理进度 / Text me about my case". A malformed number is refused by the server (422 on
case.applicant_phone), said in both languages beside the field, nothing completed; corrected, the
case opens, the console shows the number masked only, and the local SMSC (real SMPP PDUs) receives
case_accepted with the tracking link. Chromium at 1366x768, axe clean in every state.
Screenshots: test-artifacts/console-accept-sms-*."""
from __future__ import annotations

import re

import pytest
from support.accounts import password_of
from support.axe import assert_no_violations
from support.browser import screenshot
from support.console import issue_live, make_staff
from support.halls import demo_config
from support.smsc import Smsc
from support.wait import wait_until

pytestmark = pytest.mark.browser
VIEW = {"width": 1366, "height": 768}
SIGNATURE = 'signature = "【生态环境局】"\n'


def smpp_config(port: int):
    """The demo hall with its messages over SMPP to the local SMSC."""
    table = (f'\n[halls.notify.smpp]\nhost = "127.0.0.1"\nport = {port}\nsystem_id = "onewindow"\n'
             'password = "secret"\nsource_addr = "10690001"\n')
    return demo_config(replace={'channel = "file"\n' + SIGNATURE: 'channel = "smpp"\n' + SIGNATURE + table})


@pytest.fixture
def smsc():
    with Smsc() as s:
        yield s


def test_accept_with_the_sms_opt_in(live_server, browser, settings, smsc):
    srv = live_server(config=smpp_config(smsc.port))
    make_staff(srv.url, settings.admin_password, "zhangwei")
    issue_live(srv.url, "eia")
    page = browser.new_context(viewport=VIEW).new_page()
    page.goto(f"{srv.url}/console")
    page.fill("#username", "zhangwei")
    page.fill("#password", password_of("zhangwei"))
    page.keyboard.press("Enter")
    page.locator("#posts button.post").first.click()
    page.locator("#desk").wait_for(state="visible")
    page.keyboard.press("n")
    page.locator("#current-number", has_text="A001").wait_for()
    page.keyboard.press("c")
    page.keyboard.press("2")  # accepted as a case
    page.select_option("#item", "eia_report_form")
    page.fill("#applicant", "张三丰")
    page.fill("#phone", "12345")
    optin = page.locator("#notify")
    assert not optin.is_checked()  # opt-in: never ticked for the applicant
    label = page.locator("label.check", has=optin).inner_text()
    assert "短信告知办理进度" in label and "Text me about my case" in label
    optin.check()
    assert_no_violations(page, "console accept form with the SMS opt-in")
    screenshot(page, "console-accept-sms-form")

    # malformed: the server refuses it, the field says why in both languages, nothing is completed
    page.locator("#dialog-ok").click()
    page.locator("#phone-error", has_text="手机号码无效").wait_for()
    assert "Not a valid phone number" in page.locator("#phone-error").inner_text()
    assert page.locator("#phone").get_attribute("aria-invalid") == "true"
    assert "手机号码无效" in page.locator("#dialog-error").inner_text()
    assert page.locator("#current-number").inner_text() == "A001"
    assert_no_violations(page, "console accept form, the phone refused")
    screenshot(page, "console-accept-sms-refused")

    # corrected: the case opens; the console shows the number masked, never whole
    page.fill("#phone", "138 1234 5678")
    assert page.locator("#phone-error").inner_text() == ""
    assert optin.is_checked()
    page.locator("#print-paper").uncheck()  # no printer at this window: the toast says only the case
    page.locator("#dialog-ok").click()
    toast = page.locator("#toast", has_text="将短信告知 138****5678")
    toast.wait_for()
    assert "texts go to 138****5678" in toast.inner_text()
    assert "12345678" not in page.locator("body").inner_text()
    assert_no_violations(page, "console after accepting with the SMS opt-in")
    screenshot(page, "console-accept-sms-done")

    # the SMSC: case_accepted with the tracking link, to that number
    wait_until(lambda: any("已受理" in m.text for m in smsc.received()), timeout=20, what="the accepted message")
    [msg] = [m for m in smsc.received() if "已受理" in m.text]
    assert msg.dest == "8613812345678"
    link = re.search(r"https?://\S+", msg.text).group(0)
    assert re.search(r"/case\?id=\d+&token=\S+", link), link


def test_without_the_opt_in_nothing_is_sent(live_server, browser, settings, smsc):
    srv = live_server(config=smpp_config(smsc.port))
    make_staff(srv.url, settings.admin_password, "zhangwei")
    issue_live(srv.url, "eia")
    issue_live(srv.url, "eia")
    page = browser.new_context(viewport=VIEW).new_page()
    page.goto(f"{srv.url}/console")
    page.fill("#username", "zhangwei")
    page.fill("#password", password_of("zhangwei"))
    page.keyboard.press("Enter")
    page.locator("#posts button.post").first.click()
    page.locator("#desk").wait_for(state="visible")
    page.keyboard.press("n")
    page.locator("#current-number", has_text="A001").wait_for()
    page.keyboard.press("c")
    page.keyboard.press("2")
    page.fill("#phone", "0571-8888 1234")  # a landline is fine without messages
    page.locator("#dialog-ok").click()
    page.locator("#toast", has_text="已受理").wait_for()
    assert "短信" not in page.locator("#toast").inner_text()
    # The toast comes before the desk re-reads; until it has, A001 is current and N is refused
    # (a busy machine lost the key press): wait for the re-read, as test_console_page does.
    page.locator("#served", has_text="1").wait_for()
    # a second case with the opt-in sends; the first never does (the SMSC counts one message)
    page.keyboard.press("n")
    page.locator("#current-number", has_text="A002").wait_for()
    page.keyboard.press("c")
    page.keyboard.press("2")
    page.fill("#phone", "13900001111")
    page.locator("#notify").check()
    page.locator("#dialog-ok").click()
    page.locator("#toast", has_text="139****1111").wait_for()
    wait_until(lambda: smsc.received(), timeout=20, what="the second case's message")
    assert [m.dest for m in smsc.received()] == ["8613900001111"]
