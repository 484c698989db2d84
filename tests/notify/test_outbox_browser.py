"""The dashboard's outbox card in Chromium at 1920x1080: counts by state and the latest
failures with the recipient masked; axe finds no WCAG A/AA violation in it.
Screenshot: test-artifacts/dashboard-outbox.png."""
from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect
from support import axe
from support.accounts import Accounts, password_of
from support.wait import wait_until

from onewindow.server.store import outbox

pytestmark = pytest.mark.browser
VIEW = {"width": 1920, "height": 1080}


def test_the_dashboard_shows_the_outbox(live_server, browser, settings, screenshot, demo_config):
    srv = live_server(demo_config(replace={'channel = "file"\n': 'channel = "file"\ndaily_limit = 1\n'}))
    rt = srv.app.state.runtime
    with httpx.Client(base_url=srv.url, timeout=20) as c:
        Accounts(c, settings.admin_password, keep_cookies=False).make("boss", "manager", display_name="王主任")

    def enqueue(key: str):
        return rt.db.write_sync(lambda tx: rt.notifier.enqueue(
            tx, hall="eco", kind="ticket_called", phone="13812345678", params={"number": "A001", "window": "1号窗口"},
            event_key=key))

    sent = enqueue("one")
    assert enqueue("two") is None  # over the daily limit: a failure the manager sees
    wait_until(lambda: rt.db.write_sync(outbox.get, sent)["state"] == "sent", what="the file channel's send")

    page = browser.new_context(viewport=VIEW).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(srv.url + "/dashboard")
    page.fill("#login-form [name=username]", "boss")
    page.fill("#login-form [name=password]", password_of("boss"))
    page.click("#login-form button[type=submit]")
    card = page.locator("#outbox-card")
    expect(card).to_be_visible()
    expect(card.locator('td[data-state="sent"]')).to_have_text("1")
    expect(card.locator('td[data-state="failed"]')).to_have_text("1")
    expect(card.locator('td[data-role="channel"]')).to_have_text("file")
    expect(card.locator(".outbox-failures tbody tr")).to_have_count(1)
    expect(card.locator(".outbox-failures tbody")).to_contain_text("138****5678")
    expect(card.locator(".outbox-failures tbody")).to_contain_text("daily_limit")
    assert "13812345678" not in card.inner_text()
    card.scroll_into_view_if_needed()
    screenshot(page, "dashboard-outbox")
    found = axe.check(page, include="#outbox-card")
    assert found == [], [(v["id"], v["help"]) for v in found]
    assert errors == []
