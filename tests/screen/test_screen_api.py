"""What screens fetch over HTTP: announcement WAVs (never a path outside the
cache), the published items, and the manager's list of muted screens."""
from __future__ import annotations

import pytest
from support.accounts import ADMIN_PASSWORD, password_of


@pytest.fixture
def app_client(make_client):
    return make_client()


def admin(client) -> dict:
    r = client.post("/api/v1/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
    return {"Authorization": f"Bearer {r.json()['token']}"}


def user(client, username: str, role: str) -> dict:
    r = client.post("/api/v1/users", headers=admin(client), json={
        "username": username, "password": password_of(username), "role": role})
    assert r.status_code == 201, r.text
    r = client.post("/api/v1/auth/login", json={"username": username, "password": password_of(username)})
    return {"Authorization": f"Bearer {r.json()['token']}"}


def call_and_announce(client) -> dict:
    """Issue, call at w1 and read the call's announce event off a display socket."""
    clerk = user(client, "zhangwei", "clerk")
    assert client.post("/api/v1/halls/eco/windows/w1/sign-in", headers=clerk).status_code == 200
    client.post("/api/v1/halls/eco/tickets", json={"category": "eia"})
    with client.websocket_connect("/ws/halls/eco/display") as ws:
        assert ws.receive_json()["type"] == "snapshot"
        assert client.post("/api/v1/halls/eco/windows/w1/next", headers=clerk).status_code == 200
        while True:
            msg = ws.receive_json()
            if msg["type"] == "announce":
                return msg


def test_announce_event_and_its_wav(app_client):
    ev = call_and_announce(app_client)
    assert ev["ticket"] == "A001" and ev["window"] == "w1" and ev["recall"] is False
    assert ev["spoken"] is True and ev["duration_s"] > 1
    assert ev["audio"].startswith("/audio/") and ev["audio"].endswith(".wav")
    r = app_client.get(ev["audio"])
    assert r.status_code == 200
    assert r.headers["content-type"] == "audio/wav"
    assert r.content[:4] == b"RIFF" and r.content[8:12] == b"WAVE"
    assert "immutable" in r.headers["cache-control"]


@pytest.mark.parametrize("path", [
    "/audio/0123456789abcdef0123456789abcdef.wav",  # well-formed, not in the cache
    "/audio/..%2F..%2Fonewindow.db.wav",
    "/audio/..%2fsecret.key.wav",
    "/audio/%2e%2e.wav",
    "/audio/segments.wav",
    "/audio/0123456789ABCDEF0123456789ABCDEF.wav",
    "/audio/0123456789abcdef0123456789abcdef0.wav",
])
def test_audio_unknown_or_malformed_is_404(app_client, path):
    call_and_announce(app_client)  # the cache is not empty
    r = app_client.get(path)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/json")


def test_segments_are_not_served(app_client, settings):
    call_and_announce(app_client)
    segments = list((settings.data_dir / "audio" / "segments").glob("*.wav"))
    assert segments
    assert app_client.get(f"/audio/{segments[0].stem}.wav").status_code == 404


def test_published_items(app_client):
    r = app_client.get("/api/v1/halls/eco/items")
    assert r.status_code == 200
    data = r.json()
    assert data["hall"] == "eco" and "过号请重新取号" in data["notice"]
    items = {i["code"]: i for i in data["items"]}
    assert len(items) == 10
    book = items["eia_report_book"]
    assert book["name"] == "建设项目环境影响报告书审批" and book["name_en"] == "EIA report book approval"
    assert book["promised"] == {"amount": 20, "unit": "working_days", "text": "20个工作日 / 20 working days"}
    assert book["statutory"]["amount"] == 60
    assert book["fees"] == "不收费 / free"
    assert "公众参与说明" in book["materials"]
    assert book["categories"] == ["eia"]
    assert items["general_matter"]["categories"] == ["consult", "assist"]
    assert items["acceptance_filing"]["statutory"] is None
    assert app_client.get("/api/v1/halls/nope/items").status_code == 404


def test_screens_for_managers_only(app_client):
    assert app_client.get("/api/v1/halls/eco/screens").status_code == 401
    clerk = user(app_client, "lina", "clerk")
    assert app_client.get("/api/v1/halls/eco/screens", headers=clerk).status_code == 403
    manager = user(app_client, "boss", "manager")
    assert app_client.get("/api/v1/halls/eco/screens", headers=manager).json() == []

    with app_client.websocket_connect("/ws/halls/eco/display?screen=tv-2f") as ws:
        ws.receive_json()
        ws.send_json({"type": "audio", "muted": True})
        msg = ws.receive_json()
        assert {k: msg[k] for k in ("type", "screen", "muted")} == {"type": "screen", "screen": "tv-2f", "muted": True}
        [entry] = app_client.get("/api/v1/halls/eco/screens", headers=manager).json()
        assert {k: entry[k] for k in ("screen", "connected", "muted")} == {"screen": "tv-2f", "connected": True,
                                                                         "muted": True}
    # Gone: no longer connected, its sound unknown, when it was last seen (tests/dashboard/test_screen_list.py)
    [entry] = app_client.get("/api/v1/halls/eco/screens", headers=manager).json()
    assert {k: entry[k] for k in ("screen", "connected", "muted")} == {"screen": "tv-2f", "connected": False,
                                                                     "muted": None}
    assert app_client.get("/api/v1/halls/eco/screens", headers=admin(app_client)).status_code == 200
