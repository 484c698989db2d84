"""Issue 13, points 2 and 7: login throttling and lockout (per account, per address, in the
database, on the injected clock), the password policy (length, username, common passwords,
the bootstrap admin), and account management (deactivate, reset code, own password change,
role change, sessions) with revocation that takes effect at once, on HTTP and on sockets.
The two-process revocation test is in tests/broker/test_broker_revocation.py."""
from __future__ import annotations

import pytest
from starlette.websockets import WebSocketDisconnect
from support.accounts import ADMIN_PASSWORD, bearer, password_of
from support.sockets import TestSocket
from support.wait import wait_until

from onewindow.server import cli
from onewindow.server.services import auth, passwords

HALL = "eco"


def _login(client, username: str, password: str):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def _audit(client, action: str) -> list[dict]:
    rt = client.app.state.runtime
    rows = client.portal.call(rt.db.read, lambda tx: [dict(r) for r in tx.all(
        "SELECT actor, action, data FROM audit_log WHERE action = :a ORDER BY id", {"a": action})])
    return rows


def _locked(r, code: str) -> dict:
    assert r.status_code == 429, r.text
    body = r.json()
    assert body["code"] == code, body
    assert int(r.headers["retry-after"]) >= 1
    assert body["retry_after"] == int(r.headers["retry-after"])
    return body


# ----- point 2: throttling ------------------------------------------------------------------------


def test_five_failures_lock_the_account_even_for_the_right_password(client, staff, clock):
    staff.make("lina")
    client.cookies.clear()
    assert _login(client, "lina", "wrong-guess-1").status_code == 401
    # A back-off after each failure: the next try right away is refused without looking at the password.
    _locked(_login(client, "lina", password_of("lina")), "login_backoff")
    for wait in (1, 2, 4, 8):
        clock.advance(wait)
        assert _login(client, "lina", "wrong-guess").status_code == 401
    # The fifth failure locked the account: the right password is refused for 15 minutes.
    body = _locked(_login(client, "lina", password_of("lina")), "account_locked")
    assert 890 <= body["retry_after"] <= 900
    clock.advance(14 * 60)
    _locked(_login(client, "lina", password_of("lina")), "account_locked")
    clock.advance(61)
    assert _login(client, "lina", password_of("lina")).status_code == 200

    # Audited and visible to admins.
    assert len(_audit(client, "login_failed")) == 5
    assert len(_audit(client, "login_locked")) == 1
    client.cookies.clear()
    admin = staff.login("admin", ADMIN_PASSWORD)
    assert client.get("/api/v1/auth/lockouts", headers=admin).status_code == 200
    assert client.get("/api/v1/auth/lockouts", headers=staff.login("lina")).status_code == 403


def test_lockouts_grow_and_success_resets_the_count(client, staff, clock):
    staff.make("lina")
    client.cookies.clear()

    def fail(n: int) -> None:
        for _ in range(n):
            clock.advance(10)  # past any back-off
            assert _login(client, "lina", "wrong-guess").status_code == 401

    fail(4)
    clock.advance(10)
    assert _login(client, "lina", password_of("lina")).status_code == 200  # resets the account's count
    fail(4)
    clock.advance(10)
    assert _login(client, "lina", password_of("lina")).status_code == 200  # not locked: 4 + 4 did not add up
    fail(5)
    first = _locked(_login(client, "lina", password_of("lina")), "account_locked")["retry_after"]
    clock.advance(first + 1)
    fail(5)  # the second lockout in a row (no success between): twice as long
    second = _locked(_login(client, "lina", password_of("lina")), "account_locked")["retry_after"]
    assert second >= 2 * first - 2, (first, second)


def test_admin_sees_lockouts_and_unlocks(client, staff, clock):
    staff.make("lina")
    admin = staff.admin
    client.cookies.clear()
    for _ in range(5):
        clock.advance(10)
        _login(client, "lina", "wrong-guess")
    listed = client.get("/api/v1/auth/lockouts", headers=admin).json()
    mine = [x for x in listed if x["kind"] == "account" and x["subject"] == "lina"]
    assert mine and mine[0]["locked"] and mine[0]["locked_until"], listed
    r = client.post("/api/v1/users/lina/unlock", headers=admin)
    assert r.status_code == 200 and r.json()["unlocked"] is True
    assert _login(client, "lina", password_of("lina")).status_code == 200
    assert _audit(client, "user_unlocked")[0]["actor"] == "admin"


def test_too_many_failures_from_one_address_lock_the_address(client, staff, clock):
    for i in range(30):  # a spray over many names: no account reaches its own limit
        assert _login(client, f"nobody{i}", "wrong-guess").status_code == 401
    _locked(_login(client, "admin", ADMIN_PASSWORD), "address_locked")
    clock.advance(15 * 60 + 1)
    assert _login(client, "admin", ADMIN_PASSWORD).status_code == 200


def test_lockout_state_lives_in_the_database(make_client, settings, clock):
    """A second app on the same database (another server process) sees the lockout."""
    a = make_client()
    for _ in range(5):
        clock.advance(10)
        a.post("/api/v1/auth/login", json={"username": "ghost", "password": "wrong-guess"})
    b = make_client()
    _locked(b.post("/api/v1/auth/login", json={"username": "ghost", "password": "wrong-guess"}), "account_locked")


# ----- point 2: the password policy -------------------------------------------------------------


@pytest.mark.parametrize(("password", "reason"), [
    ("12345678", "too_short"), ("password", "too_short"), ("1234567890", "common"), ("password123", "common"),
    ("Qwertyuiop2024!", "common"), ("newclerk", "too_short"), ("newclerk-2026-xyz", "username"),
    ("NEWCLERK77!!", "username"),
])
def test_weak_passwords_are_refused_with_a_reason(client, staff, password, reason):
    r = client.post("/api/v1/users", headers=staff.admin,
                    json={"username": "newclerk", "password": password, "role": "clerk"})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "weak_password" and body["reason"] == reason, body
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["error"]) and "password" in body["error"].lower(), body


def test_a_strong_password_is_accepted(client, staff):
    r = client.post("/api/v1/users", headers=staff.admin,
                    json={"username": "newclerk", "password": "river-Lantern-5531", "role": "clerk"})
    assert r.status_code == 201, r.text


def test_the_bootstrap_admin_password_must_meet_the_policy(make_client, tmp_path, monkeypatch, capsys):
    with pytest.raises(ValueError, match="ONEWINDOW_ADMIN_PASSWORD"):
        make_client(admin_password="a")
    monkeypatch.setenv("ONEWINDOW_ADMIN_PASSWORD", "admin12345")
    assert cli.main(["serve", "--data-dir", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err
    assert "ONEWINDOW_ADMIN_PASSWORD" in err and "username" in err


def test_the_generated_admin_password_meets_the_policy():
    for _ in range(200):
        assert passwords.weakness(auth.generate_password(), "admin") is None


# ----- point 7: accounts ------------------------------------------------------------------------------


def test_managers_cannot_list_users(client, staff):
    assert client.get("/api/v1/users", headers=staff.user("boss", role="manager")).status_code == 403
    assert client.get("/api/v1/users", headers=staff.admin).status_code == 200


def test_deactivation_ends_sessions_at_once(client, staff, clock):
    lina = staff.make("lina")
    assert client.get("/api/v1/auth/me", headers=lina).status_code == 200  # cached now
    r = client.post("/api/v1/users/lina/deactivate", headers=staff.admin)
    assert r.status_code == 200 and r.json()["sessions_ended"] == 1
    assert client.get("/api/v1/auth/me", headers=lina).status_code == 401
    client.cookies.clear()
    assert _login(client, "lina", password_of("lina")).status_code == 401
    assert client.post("/api/v1/users/lina/reactivate", headers=staff.admin).status_code == 200
    clock.advance(2)  # the refused sign-in's back-off
    assert _login(client, "lina", password_of("lina")).status_code == 200
    # Not oneself, not the last admin.
    assert client.post("/api/v1/users/admin/deactivate", headers=staff.admin).json()["code"] == "self"
    assert [a["action"] for a in _audit(client, "user_deactivated")] == ["user_deactivated"]


def test_role_changes_and_the_last_admin(client, staff):
    lina = staff.make("lina")
    client.get("/api/v1/auth/me", headers=lina)
    r = client.post("/api/v1/users/lina/role", headers=staff.admin, json={"role": "manager"})
    assert r.status_code == 200, r.text
    assert client.get("/api/v1/auth/me", headers=lina).status_code == 401  # signs in again, with the new role
    assert client.get("/api/v1/auth/me", headers=staff.login("lina")).json()["role"] == "manager"
    r = client.post("/api/v1/users/admin/role", headers=staff.admin, json={"role": "clerk"})
    assert r.status_code == 409 and r.json()["code"] == "last_admin"
    # With a second admin, the first may step down.
    client.post("/api/v1/users/lina/role", headers=staff.admin, json={"role": "admin"})
    assert client.post("/api/v1/users/admin/role", headers=staff.admin, json={"role": "manager"}).status_code == 200


def test_reset_code_sets_a_new_password_once(client, staff, clock):
    lina = staff.make("lina")
    r = client.post("/api/v1/users/lina/reset-code", headers=staff.admin)
    assert r.status_code == 200, r.text
    code = r.json()["code"]
    assert client.post("/api/v1/users/lina/reset-code", headers=lina).status_code == 403
    stored = client.portal.call(client.app.state.runtime.db.read,
                                lambda tx: tx.scalar("SELECT code_hash FROM password_reset"))
    assert code not in stored and code.replace("-", "") not in stored  # kept hashed only
    client.cookies.clear()
    weak = client.post("/api/v1/auth/reset", json={"username": "lina", "code": code, "password": "lina12345678"})
    assert weak.status_code == 422 and weak.json()["code"] == "weak_password"
    ok = client.post("/api/v1/auth/reset", json={"username": "lina", "code": code, "password": "amber-Kettle-2290"})
    assert ok.status_code == 200, ok.text
    assert client.get("/api/v1/auth/me", headers=lina).status_code == 401  # every session ended
    assert _login(client, "lina", "amber-Kettle-2290").status_code == 200
    clock.advance(10)
    again = client.post("/api/v1/auth/reset", json={"username": "lina", "code": code, "password": "other-Kettle-2291"})
    assert again.status_code == 401 and again.json()["code"] == "bad_reset_code"
    # A code is good for an hour.
    code = client.post("/api/v1/users/lina/reset-code", headers=staff.admin).json()["code"]
    clock.advance(3601)
    late = client.post("/api/v1/auth/reset", json={"username": "lina", "code": code, "password": "other-Kettle-2291"})
    assert late.status_code == 401


def test_change_own_password(client, staff, clock):
    here = staff.make("lina")
    elsewhere = staff.login("lina")
    r = client.post("/api/v1/auth/password", headers=here, json={"old": "wrong-guess", "new": "amber-Kettle-2290"})
    assert r.status_code == 401
    clock.advance(5)
    r = client.post("/api/v1/auth/password", headers=here, json={"old": password_of("lina"), "new": "password1"})
    assert r.status_code == 422 and r.json()["code"] == "weak_password"
    r = client.post("/api/v1/auth/password", headers=here,
                    json={"old": password_of("lina"), "new": "amber-Kettle-2290"})
    assert r.status_code == 200 and r.json()["sessions_ended"] == 1, r.text
    assert client.get("/api/v1/auth/me", headers=here).status_code == 200  # this session goes on
    assert client.get("/api/v1/auth/me", headers=elsewhere).status_code == 401


def test_sessions_listed_and_revoked(client, staff):
    a = staff.make("lina")
    b = staff.login("lina")
    staff.make("wangfang")
    listed = client.get("/api/v1/users/lina/sessions", headers=staff.admin).json()
    assert len(listed) == 2 and all(s["id"] and s["address"] for s in listed), listed
    own = client.get("/api/v1/users/lina/sessions", headers=a).json()
    assert [s["current"] for s in own].count(True) == 1
    assert client.get("/api/v1/users/lina/sessions", headers=staff.tokens["wangfang"]).status_code == 403
    current_b = next(s["id"] for s in client.get("/api/v1/users/lina/sessions", headers=b).json() if s["current"])
    client.get("/api/v1/auth/me", headers=b)  # cached
    assert client.delete(f"/api/v1/users/lina/sessions/{current_b}", headers=staff.admin).status_code == 200
    assert client.get("/api/v1/auth/me", headers=b).status_code == 401
    assert client.get("/api/v1/auth/me", headers=a).status_code == 200
    assert client.delete("/api/v1/users/lina/sessions", headers=a).json()["sessions_ended"] == 1
    assert client.get("/api/v1/auth/me", headers=a).status_code == 401


def test_logout_is_immediate_and_expiry_is_checked_on_cached_tokens(client, staff, clock, settings):
    lina = staff.make("lina")
    assert client.get("/api/v1/auth/me", headers=lina).status_code == 200  # cached
    clock.advance(settings.session_ttl_s + 1)
    assert client.get("/api/v1/auth/me", headers=lina).status_code == 401  # expired, though cached
    lina = staff.login("lina")
    client.get("/api/v1/auth/me", headers=lina)
    client.post("/api/v1/auth/logout", headers=lina)
    assert client.get("/api/v1/auth/me", headers=lina).status_code == 401


@pytest.mark.parametrize("how", ["logout", "deactivate", "revoke"])
def test_a_revoked_session_closes_its_console_socket(make_client, how):
    client = make_client()
    from support.accounts import Staff

    staff = Staff(client)
    lina = staff.make("lina")
    token = lina["Authorization"].split()[1]
    with client.websocket_connect(f"/ws/halls/{HALL}/console", headers=bearer(token)) as ws:
        sock = TestSocket(ws)
        assert sock.next()["type"] == "snapshot"
        rt = client.app.state.runtime
        wait_until(lambda: len(rt.live) == 1, timeout=5, what="the console registered")
        if how == "logout":
            client.post("/api/v1/auth/logout", headers=lina)
        elif how == "deactivate":
            client.post("/api/v1/users/lina/deactivate", headers=staff.admin)
        else:
            client.delete("/api/v1/users/lina/sessions", headers=staff.admin)
        closed = sock.q.get(timeout=5)
        assert isinstance(closed, WebSocketDisconnect) and closed.code == 4401, closed
    assert len(rt.live) == 0
