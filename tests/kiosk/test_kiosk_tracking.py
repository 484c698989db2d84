"""The phone's side of a ticket: the QR code (SVG) encodes the tracking URL,
the token guards the QR, the progress and the per-ticket socket, and the
socket carries this ticket's state only."""
from __future__ import annotations

import json
import re

import pytest
from PIL import Image, ImageDraw
from starlette.websockets import WebSocketDisconnect
from support.halls import HALL
from support.sockets import TestSocket
from support.wait import wait_until

_MODULE = re.compile(r"M(\d+),(\d+)H(\d+)V(\d+)H\d+z")


def svg_to_image(svg: str, scale: int = 8) -> Image.Image:
    """Draw the modules of qrcode's SVG path (one square per `Mx,yH..V..H..z`)."""
    size = int(re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).group(1))
    image = Image.new("L", (size * scale, size * scale), 255)
    draw = ImageDraw.Draw(image)
    for x, y, x2, y2 in _MODULE.findall(svg):
        draw.rectangle([int(x) * scale, int(y) * scale, int(x2) * scale - 1, int(y2) * scale - 1], fill=0)
    return image


def issue(client, category: str = "eia") -> dict:
    r = client.post(f"/api/v1/halls/{HALL}/tickets", json={"category": category})
    assert r.status_code == 201, r.text
    return r.json()


def test_the_qr_code_opens_the_tracking_page(kiosk_client, zbar):
    client = kiosk_client(printer="none")
    t = issue(client)
    r = client.get(f"/api/v1/tickets/{t['id']}/qr.svg", params={"token": t["track_token"]})
    assert r.status_code == 200 and r.headers["content-type"] == "image/svg+xml"
    assert zbar(svg_to_image(r.text)) == [t["track_url"]]
    page = client.get(t["track_url"].replace("http://testserver", ""))
    assert page.status_code == 200 and 'src="/static/track.js?v=' in page.text


def test_the_public_url_goes_into_the_qr_code(kiosk_client, zbar):
    client = kiosk_client(printer="none", public_url="https://hall.example.cn")
    t = issue(client)
    svg = client.get(f"/api/v1/tickets/{t['id']}/qr.svg", params={"token": t["track_token"]}).text
    assert zbar(svg_to_image(svg)) == [f"https://hall.example.cn/track?hall=eco&ticket={t['id']}&token={t['track_token']}"]


@pytest.mark.parametrize("path", ["/api/v1/tickets/{id}/qr.svg", "/api/v1/tickets/{id}"])
def test_a_wrong_token_is_a_404(kiosk_client, path):
    client = kiosk_client(printer="none")
    a, b = issue(client), issue(client)
    ok = client.get(path.format(id=a["id"]), params={"token": a["track_token"]})
    assert ok.status_code == 200
    for params in ({"token": b["track_token"]}, {"token": a["track_token"][:-1]}, {"token": ""}, {}):
        r = client.get(path.format(id=a["id"]), params=params)
        assert r.status_code == 404 and r.json()["error"], params
    assert client.get(path.format(id=999), params={"token": a["track_token"]}).status_code == 404
    assert client.get(path.format(id="x1"), params={"token": a["track_token"]}).status_code == 404


def test_the_ticket_socket_needs_the_token(kiosk_client):
    client = kiosk_client(printer="none")
    a, b = issue(client), issue(client)
    for token in (b["track_token"], ""):
        with pytest.raises(WebSocketDisconnect) as closed, \
                client.websocket_connect(f"/ws/tickets/{a['id']}?token={token}") as ws:
            ws.receive_text()
        assert closed.value.code == 4404


def test_the_ticket_socket_follows_this_ticket_only(kiosk_client, clerks):
    client = kiosk_client(printer="none")
    c = clerks(client)
    first, mine = issue(client), issue(client)
    h = c.at("w2")
    with client.websocket_connect(f"/ws/tickets/{mine['id']}?token={mine['track_token']}") as ws:
        state = ws.receive_json()
        assert (state["type"], state["number"], state["status"], state["ahead"]) == ("ticket", "A002", "waiting", 1)
        c.post(f"/api/v1/halls/{HALL}/windows/w2/next", h)  # calls A001: one fewer ahead of me
        state = ws.receive_json()
        assert (state["status"], state["ahead"]) == ("waiting", 0)
        c.post(f"/api/v1/tickets/{first['id']}/complete", h)
        c.post(f"/api/v1/halls/{HALL}/windows/w2/next", h)
        called = ws.receive_json()
        while called["status"] != "called":
            called = ws.receive_json()
        assert called["window"] == "w2" and called["window_name"] == "2号窗口"
        text = json.dumps(called, ensure_ascii=False)
        assert "A001" not in text and first["track_token"] not in text and mine["track_token"] not in text


def test_a_phone_that_leaves_frees_its_subscription(live_server, hall_config):
    """On a real server: a closed phone socket once made the server spin on a dead socket."""
    import httpx
    from websockets.sync.client import connect

    srv = live_server(hall_config(), printer="none")
    t = httpx.post(f"{srv.url}/api/v1/halls/{HALL}/tickets", json={"category": "eia"}, timeout=30).json()
    hub = srv.app.state.runtime.hub
    before = hub.subscriber_count(HALL)
    url = srv.url.replace("http://", "ws://") + f"/ws/tickets/{t['id']}?token={t['track_token']}"
    with connect(url, open_timeout=10) as ws:
        assert json.loads(ws.recv(timeout=10))["number"] == "A001"
        wait_until(lambda: hub.subscriber_count(HALL) == before + 1, what="the phone subscribed")
    wait_until(lambda: hub.subscriber_count(HALL) == before, what="the subscription dropped after the phone left")


def test_a_recall_reaches_the_phone(kiosk_client, clerks):
    """Issue 12, point 6: a recall changes the ticket's message (call_count, called_at), so the
    phone hears of it and alerts again."""
    client = kiosk_client(printer="none")
    c = clerks(client)
    mine = issue(client)
    h = c.at("w2")
    with client.websocket_connect(f"/ws/tickets/{mine['id']}?token={mine['track_token']}") as raw:
        ws = TestSocket(raw)
        assert ws.next()["status"] == "waiting"
        c.post(f"/api/v1/halls/{HALL}/windows/w2/next", h)
        first = ws.until(lambda m: m.get("status") == "called")
        assert first["call_count"] == 1 and first["called_at"]
        c.post(f"/api/v1/tickets/{mine['id']}/recall", h)
        again = ws.until(lambda m: m.get("status") == "called" and m.get("call_count") == 2)
        assert again["window"] == "w2"
