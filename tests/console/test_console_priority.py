"""Why a visitor has priority, on the console's answer (issue 12, point 13): the kind chosen at the
kiosk (elderly, disabled, green channel) is recorded with the ticket's issue and read back."""
from __future__ import annotations

from support.console import H


def test_the_console_says_why_a_visitor_goes_first(desk):
    desk.who["zhangwei"] = desk.staff.make("zhangwei", display_name="张伟")
    desk.sign_in("zhangwei", "w1")
    for kind in ("green_channel", None):
        body = {"category": "eia", "priority": "priority", **({"priority_kind": kind} if kind else {})}
        r = desk.c.post(f"{H}/tickets", json=body)
        assert r.status_code == 201, r.text
    desk.issue("eia")
    seen = []
    while (t := desk.next("zhangwei", "w1")) is not None:
        cur = desk.console("zhangwei", "w1")["current"]
        seen.append((cur["number"], cur["priority"], cur.get("priority_kind"), cur.get("priority_reason")))
        desk.act("zhangwei", t, "complete")
    assert seen == [
        ("A001", "priority", "green_channel", {"name": "绿色通道", "name_en": "Green channel"}),
        ("A002", "priority", None, None),  # priority without a stated reason
        ("A003", "normal", None, None),
    ]
    # the console names people, not login ids
    view = desk.console("zhangwei", "w1")
    assert view["names"]["zhangwei"] == "张伟"
