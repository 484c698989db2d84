"""The whereabouts notice and the away state through the API (issue 12, points 14 and 15)."""
from __future__ import annotations

from support.sockets import TestSocket

H = "/api/v1/halls/eco"


def _window_notice(msg: dict, window: str) -> dict | None:
    """The notice of `window` in a display message, if the message carries that window."""
    for w in msg.get("windows") or ([msg] if msg.get("window") == window else []):
        if w.get("window") == window and w.get("notice"):
            return w["notice"]
    return None


def test_see_instead_names_a_window_or_a_colleague(desk):
    desk.staff.make("lina", display_name="李娜")
    desk.sign_in("zhangwei", "w1")
    with desk.c.websocket_connect("/ws/halls/eco/display") as raw:
        ws = TestSocket(raw)
        assert ws.next()["type"] == "snapshot"
        out = desk.away("zhangwei", "w1", "meeting", see_instead="lina")
        assert out["notice"]["see_instead"] == "lina" and out["notice"]["see_instead_name"] == "李娜"
        got = ws.until(lambda m: (_window_notice(m, "w1") or {}).get("see_instead") == "lina")
        assert _window_notice(got, "w1")["see_instead_name"] == "李娜"
    # a window still works, and carries no colleague's name
    out = desk.away("zhangwei", "w1", "lunch", see_instead="w2")
    assert out["notice"]["see_instead"] == "w2" and "see_instead_name" not in out["notice"]
    # neither a window nor an account, or a disabled account: refused
    r = desk.c.post(f"{H}/windows/w1/away", headers=desk.clerk("zhangwei"),
                    json={"reason": "meeting", "see_instead": "nobody"})
    assert r.status_code == 422, r.text
    r = desk.c.post("/api/v1/users/lina/deactivate", headers=desk.staff.admin)
    assert r.status_code in (200, 204), r.text
    r = desk.c.post(f"{H}/windows/w1/away", headers=desk.clerk("zhangwei"),
                    json={"reason": "meeting", "see_instead": "lina"})
    assert r.status_code == 422, r.text


def test_an_away_clerk_presses_back_before_calling(desk):
    """Issue 12, point 15: next and call-a-number at one's own window while away: 409 `away`."""
    desk.sign_in("zhangwei", "w1")
    a1, a2 = desk.issue("eia"), desk.issue("eia")
    desk.away("zhangwei", "w1", "meeting")
    who = desk.clerk("zhangwei")
    for path, body in (("next", None), ("call", {"number": a2["number"]})):
        r = desk.c.post(f"{H}/windows/w1/{path}", headers=who, json=body)
        assert r.status_code == 409, (path, r.text)
        err = r.json()
        assert err["code"] == "away" and "回来" in err["error"] and "Back" in err["error"]
    desk.back("zhangwei", "w1")
    assert desk.next("zhangwei", "w1")["number"] == a1["number"]
