"""Issue 13, points 5, 9 and 10: requests forged by another site (CSRF), the cookie's Secure
flag and a hall behind an HTTPS proxy, the websockets' Origin check, staff alerts kept off the
public display socket, and the security headers of every answer."""
from __future__ import annotations

import re

import httpx
import pytest
from starlette.websockets import WebSocketDisconnect
from support.accounts import Http, Staff
from support.halls import HALL
from support.sockets import LiveSocket
from support.wait import wait_until

from onewindow.server.cli import main
from onewindow.server.settings import Settings

NEW_ADMIN = {"username": "mallory", "password": "Qx7-harbour-lantern-42", "role": "admin", "display_name": "M"}
SAME = "http://testserver"  # the TestClient's own origin


@pytest.fixture
def admin_cookie(make_client):
    """A client whose admin signed in at the accounts page: the session cookie only, no header."""
    c = make_client()
    password = c.app.state.runtime.settings.admin_password
    r = c.post("/api/v1/auth/login", json={"username": "admin", "password": password})
    assert r.status_code == 200 and "ow_session" in c.cookies
    return c


# ----- point 5: CSRF ----------------------------------------------------------------------------------


def test_a_cross_site_text_plain_post_with_the_admins_cookie_creates_nothing(admin_cookie):
    import json

    raw = json.dumps(NEW_ADMIN)
    for headers in ({"content-type": "text/plain"},  # a form on another site, no Origin (an old browser)
                    {"content-type": "text/plain", "origin": "http://evil.example"},
                    {"content-type": "application/json", "origin": "http://evil.example"},
                    {"content-type": "application/json", "origin": "null"},  # a sandboxed frame
                    {"content-type": "application/json", "referer": "http://evil.example/page"},
                    {"content-type": "application/json"},  # neither Origin nor Referer
                    {"content-type": "text/plain", "origin": SAME},  # our origin, but a form's type
                    {"content-type": "application/x-www-form-urlencoded", "origin": SAME},
                    {"content-type": "application/json", "origin": "https://testserver"},  # another scheme
                    {"content-type": "application/json", "origin": "http://testserver:8080"}):  # another port
        r = admin_cookie.post("/api/v1/users", content=raw, headers=headers)
        assert (r.status_code, r.json()["code"]) == (403, "csrf"), headers
    users = admin_cookie.get("/api/v1/users").json()  # a GET changes nothing: no Origin needed
    assert "mallory" not in {u["username"] for u in users}


def test_our_own_pages_and_bearer_clients_still_work(admin_cookie):
    r = admin_cookie.post("/api/v1/users", json=NEW_ADMIN, headers={"origin": SAME})
    assert r.status_code == 201, r.text
    r = admin_cookie.post("/api/v1/users", json={**NEW_ADMIN, "username": "mallory2"},
                          headers={"referer": f"{SAME}/admin"})  # no Origin: the Referer's origin counts
    assert r.status_code == 201, r.text
    # an API client with a bearer token: no Origin needed
    token = admin_cookie.post("/api/v1/auth/login", json={"username": "admin", "password": admin_cookie.app.state
                                                          .runtime.settings.admin_password}).json()["token"]
    admin_cookie.cookies.clear()
    r = admin_cookie.post("/api/v1/users", json={**NEW_ADMIN, "username": "mallory3"},
                          headers={"authorization": f"Bearer {token}"})
    assert r.status_code == 201, r.text
    # anonymous public calls (a kiosk's ticket) are not cookie-authenticated: unchanged
    assert admin_cookie.post(f"/api/v1/halls/{HALL}/tickets", json={"category": "eia"}).status_code == 201


def test_a_public_url_is_our_origin_too(make_client):
    c = make_client(public_url="https://hall.example.gov.cn")
    c.post("/api/v1/auth/login", json={"username": "admin", "password": c.app.state.runtime.settings.admin_password})
    r = c.post("/api/v1/users", json=NEW_ADMIN, headers={"origin": "https://hall.example.gov.cn"})
    assert r.status_code == 201, r.text


def test_the_secure_cookie_flag(make_client, monkeypatch):
    for secure in (False, True):
        c = make_client(secure_cookies=secure)
        r = c.post("/api/v1/auth/login",
                   json={"username": "admin", "password": c.app.state.runtime.settings.admin_password})
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie
        assert ("Secure" in cookie) is secure
    monkeypatch.setenv("ONEWINDOW_SECURE_COOKIES", "1")
    assert Settings.from_env().secure_cookies is True
    monkeypatch.setenv("ONEWINDOW_SECURE_COOKIES", "0")
    assert Settings.from_env().secure_cookies is False


def test_serve_passes_secure_cookies_and_the_proxys_address(monkeypatch):
    import uvicorn

    for k in ("ONEWINDOW_SECURE_COOKIES", "ONEWINDOW_DATA_DIR", "ONEWINDOW_FORWARDED_ALLOW_IPS"):
        monkeypatch.delenv(k, raising=False)
    got: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: got.update(kw))
    assert main(["serve", "--secure-cookies", "--forwarded-allow-ips", "10.0.0.2"]) == 0
    import os

    assert os.environ["ONEWINDOW_SECURE_COOKIES"] == "1"
    assert got["proxy_headers"] is True and got["forwarded_allow_ips"] == "10.0.0.2"
    monkeypatch.setenv("ONEWINDOW_FORWARDED_ALLOW_IPS", "192.168.1.9")
    assert main(["serve"]) == 0 and got["forwarded_allow_ips"] == "192.168.1.9"
    monkeypatch.delenv("ONEWINDOW_FORWARDED_ALLOW_IPS")
    assert main(["serve"]) == 0 and got["forwarded_allow_ips"] is None  # uvicorn's own: 127.0.0.1,::1


def test_behind_an_https_proxy_the_pages_origin_is_https(live_server, settings):
    """uvicorn trusts X-Forwarded-Proto from 127.0.0.1 (the proxy on this machine): the browser's
    https:// Origin is then this server's own."""
    srv = live_server()
    with httpx.Client(base_url=srv.url, timeout=30) as c:
        c.post("/api/v1/auth/login", json={"username": "admin", "password": settings.admin_password})
        host = srv.url.removeprefix("http://")
        proxied = {"x-forwarded-proto": "https", "origin": f"https://{host}"}
        assert c.post("/api/v1/users", json=NEW_ADMIN, headers=proxied).status_code == 201
        # without the proxy's word the scheme is http, and an https Origin is another origin
        r = c.post("/api/v1/users", json={**NEW_ADMIN, "username": "m2"}, headers={"origin": f"https://{host}"})
        assert (r.status_code, r.json()["code"]) == (403, "csrf")


def test_the_console_and_ticket_sockets_refuse_another_sites_origin(client, staff):
    boss = staff.make("boss", role="manager")
    t = client.post(f"/api/v1/halls/{HALL}/tickets", json={"category": "eia"}).json()
    ticket = f"/ws/tickets/{t['id']}?token={t['track_token']}"
    for path, headers in ((f"/ws/halls/{HALL}/console", boss), (ticket, {})):
        with pytest.raises(WebSocketDisconnect) as closed, \
                client.websocket_connect(path, headers={**headers, "origin": "http://evil.example"}) as ws:
            ws.receive_json()
        assert closed.value.code == 4403, path
        for origin in ({"origin": SAME}, {}):  # our pages; a client that is not a browser
            with client.websocket_connect(path, headers={**headers, **origin}) as ws:
                assert ws.receive_json()["type"] in ("snapshot", "ticket")
    # the call screens' socket is public, whatever the origin
    with client.websocket_connect(f"/ws/halls/{HALL}/display", headers={"origin": "http://evil.example"}) as ws:
        assert ws.receive_json()["type"] == "snapshot"


# ----- point 9: staff alerts stay off the public display socket --------------------------------------


def test_a_refusal_alert_reaches_staff_but_not_the_call_screens(live_server, settings):
    srv = live_server()
    ws_url = srv.url.replace("http://", "ws://")
    with Http(srv.url, settings.admin_password) as h:
        clerk = h.make("zhangwei")
        boss = h.make("boss", role="manager")
        hall = f"/api/v1/halls/{HALL}"
        assert h.c.post(f"{hall}/windows/w1/sign-in", headers=clerk).status_code == 200
        t = h.c.post(f"{hall}/tickets", json={"category": "eia"}).json()
        assert h.c.post(f"{hall}/windows/w1/next", headers=clerk).json()["id"] == t["id"]
        h.c.post(f"/api/v1/tickets/{t['id']}/start", headers=clerk)
        done = h.c.post(f"/api/v1/tickets/{t['id']}/complete", headers=clerk, json={"outcome": "accepted", "case": {
            "item": "eia_report_book", "applicant_name": "张三", "applicant_phone": "13812345678",
            "project": "某某化工厂扩建项目"}}).json()
        case_id = done["case"]["id"]
        number = h.c.get(f"/api/v1/cases/{case_id}", headers=clerk).json()["number"]
        display = LiveSocket(f"{ws_url}/ws/halls/{HALL}/display")
        console = LiveSocket(f"{ws_url}/ws/halls/{HALL}/console", headers=boss)
        try:
            wait_until(lambda: display.messages and console.messages, what="both snapshots")
            r = h.c.post(f"/api/v1/cases/{case_id}/withdraw", headers=clerk, json={"reason": ""})
            assert r.status_code == 422
            alert = console.wait_for(lambda m: m["type"] == "alert" and m["kind"] == "refusal_without_reason")
            assert number in alert["message"]
            after = h.c.post(f"{hall}/tickets", json={"category": "eia"}).json()  # a public event after it
            display.wait_for(lambda m: m["type"] == "queue")
            assert after["number"]
            assert [m for m in display.events if m["type"] == "alert"] == []
            assert not any(number in raw for raw in display.raw)  # no case number, anywhere
            # the display's own numbering has no gap (a screen would resync on one)
            seqs = [m["seq"] for m in display.messages]
            assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
        finally:
            display.close()
            console.close()


# ----- point 10: security headers -------------------------------------------------------------------------


def test_every_page_has_a_strict_policy(client):
    for path in ("/", "/kiosk", "/screen", "/console", "/track", "/dashboard", "/rate", "/admin"):
        r = client.get(path)
        assert r.status_code == 200, path
        csp = dict(d.strip().split(" ", 1) for d in r.headers["content-security-policy"].split(";"))
        assert csp["script-src"] == "'self'", path  # no inline script, no eval
        assert csp["default-src"] == "'self'" and csp["connect-src"] == "'self'"
        assert csp["frame-ancestors"] == "'none'" and csp["base-uri"] == "'none'" and csp["form-action"] == "'self'"
        assert csp["img-src"] == "'self' data:" and csp["object-src"] == "'none'"
        assert "'unsafe-inline'" not in csp["style-src"]  # <style> blocks only by their hash
        assert len(re.findall("'sha256-", csp["style-src"])) == r.text.count("<style")
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"
        assert r.headers["x-frame-options"] == "DENY"


def test_api_answers_are_never_stored_and_assets_keep_their_caching(client, staff):
    boss = staff.make("boss", role="manager")
    t = client.post(f"/api/v1/halls/{HALL}/tickets", json={"category": "eia"})
    answers = [t, client.get(f"/api/v1/tickets/{t.json()['id']}?token={t.json()['track_token']}"),
               client.get(f"/api/v1/halls/{HALL}/items"), client.get("/api/v1/users", headers=boss),
               client.get("/api/v1/tickets/999999?token=x"),  # errors too
               client.post("/api/v1/auth/login", json={"username": "admin", "password": "wrong-password"})]
    for r in answers:
        assert r.headers["cache-control"] == "no-store", r.request.url
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"
        assert r.headers["content-security-policy"].startswith("default-src 'none'")
    page = client.get("/kiosk").text
    asset = re.search(r'src="(/static/kiosk\.js\?v=[0-9a-f]+)"', page).group(1)
    r = client.get(asset)
    assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert r.headers["x-content-type-options"] == "nosniff"


def test_staff_helpers_still_use_bearer_tokens(client):
    """The test helpers sign in with a bearer header: unaffected by the cookie's rule."""
    s = Staff(client)
    assert client.post("/api/v1/users", headers=s.admin, json=NEW_ADMIN).status_code == 201
