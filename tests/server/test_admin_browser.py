"""The accounts page (/admin) in Chromium at 1366x768 (issue 13, point 7): an admin
deactivates and reactivates a clerk, changes a role, issues a reset code, lists and
revokes sessions, and unlocks a locked-out account; a screenshot for a person to look at."""
from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect
from support.accounts import ADMIN_PASSWORD, Accounts, password_of

pytestmark = pytest.mark.browser


def test_admin_manages_accounts(live_server, browser, clock, screenshot):
    srv = live_server()
    with httpx.Client(base_url=srv.url, timeout=30) as http:
        staff = Accounts(http, keep_cookies=False)
        lina = staff.make("lina", display_name="李娜")
        staff.make("wangfang", display_name="王芳")
        for _ in range(5):  # wangfang's account is locked out
            clock.advance(10)
            http.post("/api/v1/auth/login", json={"username": "wangfang", "password": "wrong-guess"})

        page = browser.new_page(viewport={"width": 1366, "height": 768})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(srv.url + "/admin")
        page.fill("#login-form [name=username]", "admin")
        page.fill("#login-form [name=password]", ADMIN_PASSWORD)
        page.click("#login-form button[type=submit]")
        row = page.locator('tr[data-user="lina"]')
        expect(row).to_contain_text("李娜")

        # Sessions: lina's one session is listed and revoked.
        row.locator('[data-act="sessions"]').click()
        expect(page.locator("#sessions-user")).to_have_text("lina")
        expect(page.locator("#session-list tr")).to_have_count(1)
        page.locator("#session-list button").click()
        expect(page.locator("#user-msg")).to_contain_text("已撤销")
        expect(page.locator("#session-list")).to_contain_text("没有会话")
        assert http.get("/api/v1/auth/me", headers=lina).status_code == 401

        # Lockouts: wangfang is listed and unlocked.
        lock_row = page.locator("#lockout-list tr", has_text="wangfang")
        expect(lock_row).to_contain_text("账号")
        screenshot(page, "admin-accounts")
        lock_row.locator('[data-act="unlock"]').click()
        expect(page.locator("#lockout-list tr", has_text="wangfang")).to_have_count(0)
        assert http.post("/api/v1/auth/login", json={"username": "wangfang",
                                                     "password": password_of("wangfang")}).status_code == 200

        # Role change.
        row.locator("select").select_option("manager")
        expect(page.locator("#user-msg")).to_contain_text("角色已修改")
        assert http.get("/api/v1/auth/me", headers=staff.login("lina")).json()["role"] == "manager"

        # Deactivate, then reactivate.
        row.locator('[data-act="deactivate"]').click()
        expect(row.locator('[data-act="reactivate"]')).to_be_visible()
        clock.advance(10)
        assert http.post("/api/v1/auth/login", json={"username": "lina",
                                                     "password": password_of("lina")}).status_code == 401
        row.locator('[data-act="reactivate"]').click()
        expect(row.locator('[data-act="deactivate"]')).to_be_visible()

        # A reset code, shown once; lina sets a new password with it.
        row.locator('[data-act="reset"]').click()
        code = page.locator("#code-value")
        expect(code).to_have_text(re.compile(r"^[A-Z2-9]{5}-[A-Z2-9]{5}$"))
        screenshot(page, "admin-accounts-reset-code")
        clock.advance(10)
        r = http.post("/api/v1/auth/reset", json={"username": "lina", "code": code.inner_text(),
                                                  "password": "amber-Kettle-2290"})
        assert r.status_code == 200, r.text
        assert not errors, errors
