"""The kiosk, the phone's tracking page, the dashboard's printers and the
console's papers in headless Chromium against a real server. Screenshots go
to test-artifacts/ (kiosk-*, track-*, dashboard-printers, console-receipt)."""
from __future__ import annotations

import io
import re

import httpx
import pytest
from PIL import Image
from support.accounts import password_of
from support.browser import screenshot
from support.halls import HALL, printers_toml
from support.kiosk import CLERKS, Clerks
from support.wait import wait_until

from onewindow.printer import PrinterStatus, decode

pytestmark = pytest.mark.browser
KIOSK = {"width": 1920, "height": 1080}
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
# Records vibrations, which headless Chromium would ignore.
VIBRATE = "window.__vibrations = []; navigator.vibrate = (p) => { window.__vibrations.push(p); return true; };"


def slots(srv):
    return srv.app.state.runtime.printing.slots


def qr_on_screen(page, zbar) -> list[str]:
    return zbar(Image.open(io.BytesIO(page.locator("#t-qr").screenshot())))


def no_junk(page) -> None:
    """No template leftovers on screen."""
    text = page.locator("body").inner_text()
    assert not re.search(r"\b(null|undefined|NaN)\b|\[object", text), text


def category_boxes(page, n: int = 7) -> list[dict]:
    """The boxes of the kiosk's n category buttons, once all n are laid out (the page may
    draw them again when its live socket's snapshot arrives: a box is None meanwhile)."""
    cats = page.locator("button.cat")

    def laid_out():
        if cats.count() != n:
            return None
        boxes = [cats.nth(i).bounding_box() for i in range(n)]
        return boxes if all(boxes) else None

    return wait_until(laid_out, what=f"{n} category buttons laid out (found {cats.count()})")


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_take_a_ticket_at_the_kiosk(live_server, hall_config, device_context, zbar):
    srv = live_server(hall_config(printers_toml(door="preview", desk="none")), printer="config")
    page = device_context(srv.url, viewport=KIOSK).new_page()
    page.goto(f"{srv.url}/kiosk?kiosk=door")
    cats = page.locator("button.cat")
    cats.first.wait_for()
    boxes = category_boxes(page)
    assert cats.count() == 7
    assert min(b["height"] for b in boxes) >= 120 and min(b["width"] for b in boxes) >= 400
    assert all(page.locator(f"button.cat >> nth={i}").is_visible() for i in range(7))  # no scrolling to find one
    assert boxes[6]["y"] + boxes[6]["height"] <= KIOSK["height"]
    assert "环评审批" in cats.first.inner_text() and "EIA approval" in cats.first.inner_text()
    no_junk(page)
    screenshot(page, "kiosk-categories")
    page.locator('[data-priority="elderly"]').click()
    page.locator('[data-priority="elderly"][aria-pressed="true"]').wait_for()
    page.locator('button.cat[data-category="eia"]').click()
    page.locator("#ph-skip").click()  # the optional phone step (issue 14): skipped
    page.locator("#ticket:not(.hidden)").wait_for()
    assert page.locator("#t-number").inner_text() == "A001"
    assert "优先 老年人" in page.locator("#t-category").inner_text()
    assert "0 人" in page.locator('[data-fact="people-ahead"]').inner_text()
    assert "1、2、3、4、5、6 号窗口" in page.locator('[data-fact="served-at"]').inner_text()
    page.wait_for_function(
        "() => { const i = document.getElementById('t-qr'); return i.complete && i.naturalWidth > 0; }")
    page.locator('#t-print[data-status="printed"]').wait_for()
    assert "请取走" in page.locator("#t-print").inner_text()
    done = page.locator("#t-done").bounding_box()
    assert done["y"] + done["height"] <= KIOSK["height"]  # number, QR and the done button on one screen
    no_junk(page)
    screenshot(page, "kiosk-ticket")
    # the QR on the screen is the phone's way in
    (url,) = qr_on_screen(page, zbar)
    assert url.startswith(f"{srv.url}/track?hall=eco&ticket=1&token=")
    # and the printer printed the same number
    preview = srv.app.state.runtime.settings.data_dir / "print-preview" / "eco-door" / "job-00001.png"
    assert zbar(Image.open(preview)) == [url]
    # English first for a foreign visitor; the next visitor starts in Chinese again
    page.locator("#lang").click()
    page.locator("#t-label .l1", has_text="Your number").wait_for()
    assert page.locator("#lang").inner_text() == "中文"
    no_junk(page)
    screenshot(page, "kiosk-ticket-en")
    page.locator("#t-done").click()
    page.locator("#pick:not(.hidden)").wait_for()
    assert page.locator("#lang").inner_text() == "English"
    assert page.locator('[data-priority="normal"][aria-pressed="true"]').count() == 1


def test_the_kiosk_goes_back_by_itself(live_server, hall_config, device_context):
    srv = live_server(hall_config(printers_toml(door="none", desk="none"),
                                  replace={"return_after_s = 30": "return_after_s = 5"}), printer="config")
    page = device_context(srv.url, viewport=KIOSK).new_page()
    page.goto(f"{srv.url}/kiosk")
    page.locator('button.cat[data-category="consult"]').click()
    page.locator("#ph-skip").click()  # the optional phone step (issue 14): skipped
    page.locator("#ticket:not(.hidden)").wait_for()
    assert page.locator("#t-number").inner_text() == "F001"
    assert "请拍照或扫码保存您的号码" in page.locator("#t-print").inner_text()  # no printer here
    assert "5 秒" in page.locator("#t-done").inner_text()
    page.locator("#pick:not(.hidden)").wait_for(timeout=10_000)


def test_the_printer_out_of_paper_at_a_kiosk_that_keeps_issuing(live_server, hall_config, device_context):
    srv = live_server(hall_config(printers_toml()), printer="config", printer_poll_s=0.2)
    slots(srv)["eco/door"].driver.set_status(PrinterStatus(paper_out=True))
    wait_until(lambda: slots(srv)["eco/door"].status and slots(srv)["eco/door"].status.paper_out, what="paper out seen")
    page = device_context(srv.url, viewport=KIOSK).new_page()
    page.goto(f"{srv.url}/kiosk")
    page.locator("#banner:not(.hidden)", has_text="缺纸").wait_for()
    page.locator('button.cat[data-category="permit"]').click()
    page.locator("#ph-skip").click()  # the optional phone step (issue 14): skipped
    page.locator('#t-print[data-status="failed"]').wait_for()
    text = page.locator("#t-print").inner_text()
    assert "请拍照或扫码保存您的号码" in text and "Please photograph or scan to keep your number" in text
    assert page.locator("#t-number").inner_text() == "B001"
    page.wait_for_function("() => document.getElementById('t-qr').naturalWidth > 0")
    no_junk(page)
    screenshot(page, "kiosk-printer-failed")


def test_no_ticket_when_refused(live_server, hall_config, device_context):
    srv = live_server(hall_config(printers_toml(door_policy="refuse"),
                                  replace={"default_service_min = 15\n": "default_service_min = 15\ndaily_cap = 1\n"}),
                      printer="config", printer_poll_s=0.2)
    context = device_context(srv.url, viewport=KIOSK)
    # The day's only EIA number, taken at the door (a phone could not: the remote share of a cap of 1 is 0).
    r = httpx.post(f"{srv.url}/api/v1/halls/{HALL}/tickets", json={"category": "eia"}, timeout=30,
                   headers={"X-Device-Token": context.device["token"]})
    assert r.status_code == 201, r.text
    page = context.new_page()
    page.goto(f"{srv.url}/kiosk")
    # the day's only EIA number is gone: the tile says so before the tap, and the tap says why
    page.locator('button.cat[data-category="eia"][data-state="full"]').click(force=True)
    page.locator('#message:not(.hidden)[data-code="daily_cap"]').wait_for()
    assert "今日号源已满" in page.locator("#m-title").inner_text()
    assert "未出号" in page.locator("#m-text").inner_text()
    screenshot(page, "kiosk-cap-reached")
    page.locator("#m-back").click()
    page.locator("#pick:not(.hidden)").wait_for()
    # a refusing kiosk whose printer is out stops issuing altogether
    slots(srv)["eco/door"].driver.set_status(PrinterStatus(paper_out=True))
    page.locator("#banner.bad:not(.hidden)", has_text="暂停取号").wait_for(timeout=15_000)
    page.locator('button.cat[data-category="permit"]:disabled').wait_for()
    screenshot(page, "kiosk-refusing")
    r = httpx.post(f"{srv.url}/api/v1/halls/{HALL}/tickets", json={"category": "permit", "kiosk": "door"}, timeout=30,
                   headers={"X-Device-Token": context.device["token"]})
    assert r.status_code == 503


def test_follow_a_ticket_on_the_phone(live_server, hall_config, browser, settings):
    srv = live_server(hall_config(printers_toml(door="none", desk="none")), printer="config")
    with httpx.Client(base_url=srv.url, timeout=30) as http:
        clerks = Clerks(http, settings.admin_password)
        h = clerks.at("w3", display_name="王芳")
        ahead = http.post(f"/api/v1/halls/{HALL}/tickets", json={"category": "eia"}).json()
        t = http.post(f"/api/v1/halls/{HALL}/tickets", json={"category": "eia"}).json()
        context = browser.new_context(**PHONE)
        context.add_init_script(VIBRATE)
        phone = context.new_page()
        sockets = []  # every socket the page opens, passed through so that the test can cut it

        def through(ws):
            ws.connect_to_server()
            sockets.append(ws)

        phone.route_web_socket(re.compile(r"/ws/tickets/"), through)
        phone.goto(t["track_url"])
        phone.locator('#live[data-state="live"]').wait_for()
        assert phone.locator("#number").inner_text() == "A002"
        assert phone.locator('#status[data-status="waiting"]').count() == 1
        assert "1 人" in phone.locator('[data-fact="ahead"]').inner_text()
        assert no_sideways_scroll(phone)
        screenshot(phone, "track-waiting")
        # the connection drops (a phone between cells): the page says so and comes back by itself
        sockets[0].close(code=1001)
        phone.locator('#live[data-state="lost"]').wait_for()
        phone.locator('#live[data-state="live"]').wait_for(timeout=10_000)
        assert len(sockets) == 2
        # the clerk calls the one ahead: the phone counts down, without a reload
        clerks.post(f"/api/v1/halls/{HALL}/windows/w3/next", h)
        phone.locator('[data-fact="ahead"]', has_text="0 人").wait_for()
        clerks.post(f"/api/v1/tickets/{ahead['id']}/complete", h)
        # now this ticket: the window, a vibration
        clerks.post(f"/api/v1/halls/{HALL}/windows/w3/next", h)
        phone.locator("#window", has_text="3号窗口").wait_for()
        assert "Window 3" in phone.locator("#window").inner_text()
        assert "请到窗口办理" in phone.locator("#status").inner_text()
        wait_until(lambda: phone.evaluate("window.__vibrations.length") >= 1, what="a vibration")
        assert phone.evaluate("document.body.dataset.cued") == "1"
        assert no_sideways_scroll(phone)
        no_junk(phone)
        screenshot(phone, "track-called")
        # a recall reaches the phone too (issue 12, point 6): said on the page, and a vibration again
        assert phone.locator("#recalled").count() == 0
        clerks.post(f"/api/v1/tickets/{t['id']}/recall", h)
        phone.locator("#recalled", has_text="再次呼叫").wait_for()
        assert "Called again" in phone.locator("#recalled").inner_text()
        wait_until(lambda: phone.evaluate("window.__vibrations.length") >= 2, what="a second vibration")
        assert no_sideways_scroll(phone)
        screenshot(phone, "track-recalled")
        clerks.post(f"/api/v1/tickets/{t['id']}/start", h)
        phone.locator('#status[data-status="serving"]').wait_for()
        clerks.post(f"/api/v1/tickets/{t['id']}/complete", h)
        rate = phone.locator("#rate:not(.hidden)")
        rate.wait_for()
        assert rate.get_attribute("href") == f"/rate?ticket={t['id']}&token={t['track_token']}"
        phone.locator('#live[data-state="ended"]').wait_for()
        no_junk(phone)
        screenshot(phone, "track-done")
        rate.click()
        phone.locator("#ask:not(.hidden)").wait_for()
        assert phone.locator("#ask-number").inner_text() == "A002"


def test_a_wrong_link_says_so_on_the_phone(live_server, hall_config, browser):
    srv = live_server(hall_config(printers_toml(door="none", desk="none")), printer="config")
    t = httpx.post(f"{srv.url}/api/v1/halls/{HALL}/tickets", json={"category": "eia"}, timeout=30).json()
    phone = browser.new_context(**PHONE).new_page()
    phone.goto(f"{srv.url}/track?hall=eco&ticket={t['id']}&token=not-the-token")
    phone.locator("#message:not(.hidden)", has_text="找不到这个号码").wait_for()
    assert phone.locator("#board.hidden").count() == 1


def test_the_manager_sees_the_printers(live_server, hall_config, browser, settings):
    srv = live_server(hall_config(printers_toml()), printer="config", printer_poll_s=0.2)
    with httpx.Client(base_url=srv.url, timeout=30) as http:
        Clerks(http, settings.admin_password).user("boss", role="manager")
    # bypass_csp: wait_for_function below evaluates a string, which the page's CSP forbids
    # (tests/server/test_csp_browser.py drives the dashboard under its real policy).
    page = browser.new_context(viewport={"width": 1366, "height": 900}, bypass_csp=True).new_page()
    page.goto(f"{srv.url}/dashboard?hall=eco")
    page.fill('#login-form input[name="username"]', "boss")
    page.fill('#login-form input[name="password"]', password_of("boss"))
    page.locator('#login-form button[type="submit"]').click()
    page.locator('.printer[data-printer="door"][data-state="ok"]').wait_for()
    page.locator('#live.live').wait_for()
    slots(srv)["eco/door"].driver.set_status(PrinterStatus(paper_out=True))
    page.locator('.printer[data-printer="door"][data-state="paper_out"]').wait_for(timeout=5_000)
    page.locator("#alerts li.red", has_text="缺纸").wait_for(timeout=5_000)
    # The refresh after the event reads the supervision log too (`data` is the dashboard's last answer).
    page.wait_for_function("data !== null && data.now.alerts.some(a => a.message.includes('缺纸'))", timeout=10_000)
    assert page.locator("#alerts li.red", has_text="缺纸").count() == 1, "heard live and logged: listed once"
    page.reload()  # a manager arriving later: the alarm is in the log
    page.locator('.printer[data-printer="door"][data-state="paper_out"]').wait_for()
    assert page.locator("#alerts li.red", has_text="缺纸").count() == 1
    page.locator("#printers-card").scroll_into_view_if_needed()
    screenshot(page, "dashboard-printers")
    slots(srv)["eco/door"].driver.set_status(PrinterStatus())
    page.locator('.printer[data-printer="door"][data-state="ok"]').wait_for(timeout=5_000)
    # The all-clear settles the alarm: the alert bar (9d2a589) lists open alerts by key and drops a
    # cleared one rather than adding a "恢复正常" line; the refresh reads it settled in the log.
    page.wait_for_function("!document.querySelector('#alerts li.red')", timeout=5_000)
    page.wait_for_function("data !== null && !data.now.alerts.some(a => a.message.includes('缺纸'))", timeout=10_000)
    assert page.locator("#alerts li", has_text="缺纸").count() == 0


def test_the_console_prints_the_receipt(live_server, hall_config, browser, settings):
    srv = live_server(hall_config(printers_toml()), printer="config")
    with httpx.Client(base_url=srv.url, timeout=30) as http:
        Clerks(http, settings.admin_password).user(CLERKS["w1"], display_name="张伟")
        http.post(f"/api/v1/halls/{HALL}/tickets", json={"category": "eia"})
        http.post(f"/api/v1/halls/{HALL}/tickets", json={"category": "eia"})
    page = browser.new_context(viewport={"width": 1366, "height": 800}).new_page()
    page.goto(f"{srv.url}/console")
    page.fill("#username", "zhangwei")
    page.fill("#password", password_of("zhangwei"))
    page.keyboard.press("Enter")
    page.locator("#posts button.post").first.click()
    page.locator("#desk").wait_for(state="visible")
    # accepted: the receipt prints after completing
    page.keyboard.press("n")
    page.locator("#current-number", has_text="A001").wait_for()
    page.keyboard.press("c")
    page.keyboard.press("2")
    page.select_option("#item", "eia_report_form")
    page.fill("#applicant", "张三丰")
    assert page.locator("#print-paper").is_checked()
    page.locator("#dialog-ok").click()
    page.locator("#toast", has_text="《接收单》已打印").wait_for()
    screenshot(page, "console-receipt")
    desk = slots(srv)["eco/desk"].driver
    assert len(desk.jobs) == 1
    # notified: the ticked materials print on the notice; "print again" prints another
    page.keyboard.press("n")
    page.locator("#current-number", has_text="A002").wait_for()
    page.keyboard.press("c")
    page.keyboard.press("3")
    page.locator("#dialog input[name=missing]").nth(2).check()
    page.locator("#dialog-ok").click()
    page.locator("#toast", has_text="《一次性告知单》已打印").wait_for()
    page.locator("#toast .print-again").click()
    wait_until(lambda: len(desk.jobs) == 3, what="the notice printed again")
    assert decode(desk.jobs[1]).image.tobytes() == decode(desk.jobs[2]).image.tobytes()


@pytest.mark.parametrize("size", [(1280, 800), (1366, 768), (1024, 768)])
def test_a_short_landscape_kiosk_shows_every_category_and_the_whole_ticket_without_scrolling(
        live_server, hall_config, device_context, size):
    width, height = size
    srv = live_server(hall_config(printers_toml(door="preview", desk="none")), printer="config")
    page = device_context(srv.url, viewport={"width": width, "height": height}).new_page()
    page.goto(f"{srv.url}/kiosk?kiosk=door")
    cats = page.locator("button.cat")
    cats.first.wait_for()
    boxes = category_boxes(page)
    assert len(boxes) == cats.count() == 7
    assert min(b["height"] for b in boxes) >= 120 and min(b["width"] for b in boxes) >= 400
    assert max(b["y"] + b["height"] for b in boxes) <= height, "a category needs a scroll"
    priority = page.locator("#priority button").first.bounding_box()
    assert priority["height"] >= 72
    assert no_sideways_scroll(page)
    screenshot(page, f"kiosk-categories-{width}x{height}")
    cats.first.click()
    page.locator("#ph-skip").click()  # the optional phone step (issue 14): skipped
    page.locator("#ticket:not(.hidden)").wait_for()
    for sel in ("#t-number", "#t-qr", "#t-facts", "#t-done"):
        box = page.locator(sel).bounding_box()
        assert box["y"] + box["height"] <= height, f"{sel} needs a scroll"
    assert page.locator("#t-done").bounding_box()["height"] >= 72
    no_junk(page)
    screenshot(page, f"kiosk-ticket-{width}x{height}")
