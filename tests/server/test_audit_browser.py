"""Headless Chromium against a real server: the /audit page signs a manager in,
lists the log newest first, filters it, links the CSV export with the same
filters, and says whether the chain is intact, then where it broke once a row
is edited behind the server's back. Screenshots land in test-artifacts/."""
from __future__ import annotations

import sqlite3

import httpx
import pytest
from playwright.sync_api import expect
from support.accounts import Accounts, password_of
from support.halls import HALL

pytestmark = pytest.mark.browser


def test_audit_page_lists_filters_exports_and_shows_the_chain(live_server, browser, settings, screenshot):
    srv = live_server()
    with httpx.Client(base_url=srv.url, timeout=20) as c:
        a = Accounts(c, settings.admin_password, keep_cookies=False)
        clerk = a.make("zhangwei")
        a.make("boss", "manager")
        c.post("/api/v1/auth/login", json={"username": "zhangwei", "password": "wrong-wrong"})
        assert c.post(f"/api/v1/halls/{HALL}/windows/w1/sign-in", headers=clerk).status_code == 200
        assert c.post(f"/api/v1/halls/{HALL}/windows/w1/away", headers=clerk,
                      json={"reason": "lunch", "back_at": "13:30"}).status_code == 200
        assert c.get(f"/api/v1/halls/{HALL}/dashboard", headers=clerk).status_code == 403

    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(srv.url + "/audit")
    page.fill("#login-form [name=username]", "boss")
    page.fill("#login-form [name=password]", password_of("boss"))
    page.click("#login-form button[type=submit]")
    expect(page.locator("#log")).to_be_visible()
    expect(page.locator("#chain")).to_contain_text("chain verified")
    rows = page.locator("#rows tr")
    expect(rows.first).to_contain_text("boss")  # newest first: the manager's own sign-in
    expect(page.locator("#rows")).to_contain_text("越权请求被拒")
    expect(page.locator("#rows")).to_contain_text("暂离")
    expect(page.locator('#rows tr.security').first).to_be_visible()
    # every target at least 44 px high (WCAG 2.2 target size, our own larger rule)
    for sel in ("#filters button[type=submit]", "#export", "#verify", "#filters [name=actor]"):
        assert page.locator(sel).bounding_box()["height"] >= 44, sel
    screenshot(page, "audit-page")

    # filter: zhangwei's entries only
    page.fill("#filters [name=actor]", "zhangwei")
    page.click("#filters button[type=submit]")
    expect(page.locator("#rows tr").first).to_contain_text("zhangwei")
    actors = page.locator("#rows tr td:nth-child(3)").all_inner_texts()
    assert actors and set(actors) == {"zhangwei"}
    page.select_option("#action", "window_away")
    page.click("#filters button[type=submit]")
    expect(page.locator("#rows tr")).to_have_count(1)
    expect(page.locator("#rows tr")).to_contain_text("lunch")
    href = page.locator("#export").get_attribute("href")
    assert href.startswith("/api/v1/audit/export.csv?") and "actor=zhangwei" in href and "action=window_away" in href
    with page.expect_download() as dl:
        page.click("#export")
    text = dl.value.path().read_text(encoding="utf-8-sig")
    assert "window_away" in text and "login_failed" not in text

    # someone edits a row in the database: the page says where the chain broke
    first = page.locator("#rows tr").first.get_attribute("data-id")
    with sqlite3.connect(settings.data_dir / "onewindow.db") as conn:
        conn.execute("UPDATE audit_log SET actor = 'admin' WHERE id = ?", (int(first),))
    page.click("#verify")
    expect(page.locator("#chain")).to_contain_text(f"chain broken at #{first} (edited)")
    expect(page.locator("#chain")).to_contain_text(f"审计链在 #{first} 处断开")
    screenshot(page, "audit-page-broken")
