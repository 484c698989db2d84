"""The HTTP gateway channel against a local gateway that checks the HMAC signature."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from support.notify import enqueue, message, notify_toml
from support.wait import wait_until

SECRET = "s3cret-for-tests"


class Gateway:
    """A JSON SMS gateway on 127.0.0.1: verifies X-Signature, answers `status` (200 with an id)."""

    def __init__(self):
        self.received: list[dict] = []
        self.bad_signatures = 0
        self.status = 200
        self.lock = threading.Lock()
        gw = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                ts = self.headers.get("X-Timestamp", "")
                want = hmac.new(SECRET.encode(), ts.encode() + b"." + raw, hashlib.sha256).hexdigest()
                if not hmac.compare_digest(want, self.headers.get("X-Signature", "")):
                    with gw.lock:
                        gw.bad_signatures += 1
                    return self._answer(401, {"error": "bad signature"})
                if gw.status != 200:
                    return self._answer(gw.status, {"error": "not now"})
                body = json.loads(raw)
                with gw.lock:
                    gw.received.append({"body": body, "key": self.headers.get("Idempotency-Key")})
                    n = len(gw.received)
                return self._answer(200, {"msgid": f"GW{n}"})

            def _answer(self, code, data):
                out = json.dumps(data).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway():
    with Gateway() as gw:
        yield gw


def http_config(demo_config, url: str, secret: str = f'secret = "{SECRET}"'):
    table = (f'\n[halls.notify.http]\nurl = "{url}"\n{secret}\n'
             'fields = { phone = "mobile", text = "content", id = "out_id", kind = "type", provider_id = "msgid" }\n'
             'extra = { app = "onewindow-eco" }\n')
    return demo_config(replace=notify_toml("http", table))


def test_a_signed_post_with_the_configured_fields(make_client, demo_config, gateway):
    client = make_client(http_config(demo_config, gateway.url))
    mid = enqueue(client)
    wait_until(lambda: message(client, mid)["state"] == "sent", timeout=20, what="the gateway's answer")
    assert gateway.bad_signatures == 0
    [got] = gateway.received
    assert got["body"] == {"app": "onewindow-eco", "mobile": "13812345678", "out_id": str(mid), "type": "ticket_called",
                           "content": "【生态环境局】请A001号到1号窗口办理。"}
    assert got["key"] == f"onewindow-{mid}"
    assert message(client, mid)["provider_id"] == "GW1"


def test_a_wrong_secret_is_refused_and_the_message_fails(make_client, demo_config, gateway, monkeypatch):
    monkeypatch.setenv("ONEWINDOW_TEST_SMS_SECRET", "not-the-secret")
    client = make_client(http_config(demo_config, gateway.url, 'secret_env = "ONEWINDOW_TEST_SMS_SECRET"'))
    mid = enqueue(client)
    wait_until(lambda: message(client, mid)["state"] == "failed", timeout=20, what="the refusal")
    assert gateway.bad_signatures == 1 and gateway.received == []
    assert "401" in message(client, mid)["last_error"]


def test_busy_then_back_retries_and_sends_once(make_client, demo_config, gateway, clock):
    client = make_client(http_config(demo_config, gateway.url))
    rt = client.app.state.runtime
    gateway.status = 503
    mid = enqueue(client)
    wait_until(lambda: message(client, mid)["tries"] >= 1 and message(client, mid)["state"] == "queued", timeout=20,
               what="a refused try")
    assert "503" in message(client, mid)["last_error"]
    gateway.status = 200
    clock.advance(60)

    def sent():
        client.portal.call(rt.notifier.round, "eco")
        return message(client, mid)["state"] == "sent"

    wait_until(sent, timeout=20, what="the retry")
    assert len(gateway.received) == 1


def test_an_http_channel_without_a_secret_is_a_config_error(demo_config):
    from onewindow.server.config import ConfigError

    with pytest.raises(ConfigError, match="secret"):
        demo_config(replace=notify_toml("http", '\n[halls.notify.http]\nurl = "https://gw.example.cn/send"\n'))
    with pytest.raises(ConfigError, match="http"):
        demo_config(replace=notify_toml("http", '\n[halls.notify.http]\nurl = "ftp://gw"\nsecret = "x"\n'))
    with pytest.raises(ConfigError, match="smpp"):
        demo_config(replace=notify_toml("smpp"))


def test_an_unreachable_gateway_is_retried_later(make_client, demo_config):
    from support.servers import free_port

    client = make_client(http_config(demo_config, f"http://127.0.0.1:{free_port()}/send"))
    mid = enqueue(client)
    wait_until(lambda: message(client, mid)["tries"] >= 1 and message(client, mid)["state"] == "queued", timeout=20,
               what="a refused connection")
    assert message(client, mid)["last_error"].startswith("gateway unreachable")
