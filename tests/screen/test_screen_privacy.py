"""No personal data ever reaches a display socket: a whole day's flow against
a real server, every message checked against the public whitelist."""
from __future__ import annotations

import json

from onewindow.server.live.hub import PUBLIC_KEYS

SNAPSHOT_KEYS = {"type", "seq", "hall", "windows", "calls", "waiting", "completions"}
APPLICANT = {"applicant_name": "张三丰", "applicant_phone": "13800138000", "project": "绿源化工年产五万吨项目"}


def walk_keys(obj, path=""):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield f"{path}.{k}", k
            yield from walk_keys(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for v in obj:
            yield from walk_keys(v, path + "[]")


def test_display_socket_carries_only_public_data(live_server, hall, display_reader, publish_event):
    server = live_server()
    h = hall(server)
    h.clerk_at("w1", display_name="张伟", title="综合受理岗")
    h.clerk_at("w2", display_name="李娜")
    screen = display_reader(server.url, screen="tv-privacy")
    screen.wait_for(lambda m: m["type"] == "snapshot")

    tickets = [h.issue(c) for c in ("eia", "permit", "consult", "eia")]
    a = h.next("w1")
    h.post(f"/api/v1/tickets/{a['id']}/recall", "w1")
    h.post(f"/api/v1/tickets/{a['id']}/start", "w1")
    h.post(f"/api/v1/tickets/{a['id']}/complete", "w1", outcome="accepted",
                  case={"item": "eia_report_book", **APPLICANT})
    b = h.next("w2")
    h.post(f"/api/v1/tickets/{b['id']}/no-show", "w2")
    c = h.next("w1")
    h.post(f"/api/v1/tickets/{c['id']}/transfer", "w1", window="w2", note="需要补充材料，电话 13800138000")
    h.away("w1", reason="back_office", back_at="11:00", see_instead="w2", note="后台复核")
    h.post("/api/v1/halls/eco/windows/w1/back", "w1")
    screen.send({"type": "audio", "muted": True})
    publish_event(server, "completion", {"case": "HP-1", "item": "eia_report_book",
                                         "completed_at": "2026-11-23T10:00:00+08:00", "applicant": "张**",
                                         "applicant_name": APPLICANT["applicant_name"], "ticket_id": a["id"]})
    h.post("/api/v1/halls/eco/windows/w2/sign-out", "w2")
    screen.wait_for(lambda m: m["type"] == "window" and m["window"] == "w2" and m["status"] == "closed")
    screen.wait_for(lambda m: m["type"] == "announce" and c["number"] in [x["ticket"] for x in m["calls"]])

    msgs = screen.messages
    types = {m["type"] for m in msgs}
    assert {"snapshot", "call", "recall", "done", "window", "queue", "screen", "announce", "completion"} <= types

    snap = msgs[0]
    assert snap["type"] == "snapshot" and set(snap) <= SNAPSHOT_KEYS
    for m in msgs[1:]:
        assert set(m) <= PUBLIC_KEYS[m["type"]] | {"type", "seq"}, m
    # one message per event, numbered without gaps
    assert [m["seq"] for m in msgs[1:]] == list(range(snap["seq"] + 1, snap["seq"] + len(msgs)))

    forbidden_keys = {"id", "ticket_id", "track_token", "token", "applicant_name", "applicant_phone", "project",
                      "phone", "name_of_applicant", "username", "password", "a_clerk", "b_clerk", "signed_in"}
    for path, key in walk_keys(msgs):
        assert key not in forbidden_keys or path == "[].hall.id", path  # the hall's id is public
    raw = "\n".join(screen.raw)
    for t in tickets:
        assert t["track_token"] not in raw
    for secret in (*APPLICANT.values(), "13800138000", "需要补充材料"):
        assert secret not in raw, secret
    # ticket numbers are public, ticket ids are not
    for m in msgs[1:]:
        if "ticket" in m:
            assert isinstance(m["ticket"], str) and m["ticket"][0].isalpha(), m
    assert "zhangwei" not in raw and "lina" not in raw  # accounts appear only as post cards
    assert json.dumps(snap, ensure_ascii=False).count("track") == 0
