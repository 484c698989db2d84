"""Issue 12, point 11: the manager's screen list says which call screens are connected and when
each was last seen, forgets a screen's sound once it has gone, and stays bounded however many
sockets with made-up names connect."""
from __future__ import annotations

from onewindow.server.live.screens import CAP

HALL = "eco"


def screens(client, manager) -> dict[str, dict]:
    r = client.get(f"/api/v1/halls/{HALL}/screens", headers=manager)
    assert r.status_code == 200, r.text
    return {e["screen"]: e for e in r.json()}


def display(client, screen: str):
    return client.websocket_connect(f"/ws/halls/{HALL}/display?screen={screen}")


def test_connected_last_seen_and_no_stale_sound(make_client, accounts, clock):
    client = make_client()
    manager = accounts(client).user("boss", role="manager")
    with display(client, "tv-door") as ws:
        ws.receive_json()
        ws.send_json({"type": "audio", "muted": True})
        assert ws.receive_json()["type"] == "screen"
        door = screens(client, manager)["tv-door"]
        assert door["connected"] is True and door["muted"] is True and door["connections"] == 1
        assert door["since"] == "2026-11-23T10:00:00+08:00"
        clock.advance(90)
        with display(client, "tv-door") as again:  # a second tab of the same screen
            again.receive_json()
        door = screens(client, manager)["tv-door"]
        assert door["connected"] is True and door["muted"] is True  # one of its sockets is still open
        clock.advance(30)
    door = screens(client, manager)["tv-door"]
    assert door["connected"] is False and door["connections"] == 0
    assert door["muted"] is None  # not "muted" forever after it left
    assert door["last_seen"] == "2026-11-23T10:02:00+08:00"
    dash = client.get(f"/api/v1/halls/{HALL}/dashboard", headers=manager).json()
    assert dash["now"]["muted_screens"] == [] and not [a for a in dash["now"]["alerts"]
                                                        if a["kind"] == "muted_screen"]

    with display(client, "tv-door") as ws:  # back: connected again, since now
        ws.receive_json()
        door = screens(client, manager)["tv-door"]
        assert door["connected"] is True and door["since"] == "2026-11-23T10:02:00+08:00"


def test_many_made_up_screens_keep_the_list_bounded(make_client, accounts, clock):
    client = make_client()
    manager = accounts(client).user("boss", role="manager")
    with display(client, "tv-main") as main:  # a real screen, connected throughout
        main.receive_json()
        main.send_json({"type": "audio", "muted": False})
        for i in range(CAP * 3):  # bounded: 300 sockets, each a new name reporting its sound
            clock.advance(1)
            with display(client, f"x{i:04d}") as ws:
                ws.receive_json()
                ws.send_json({"type": "audio", "muted": True})
        listed = screens(client, manager)
        assert len(listed) <= CAP
        # The connected screen stays; the ones that left longest ago made room for newer ones.
        assert listed["tv-main"]["connected"] is True and listed["tv-main"]["muted"] is False
        assert f"x{CAP * 3 - 1:04d}" in listed and "x0000" not in listed
        assert all(not e["connected"] and e["muted"] is None for s, e in listed.items() if s != "tv-main")
        assert next(iter(listed)) == "tv-main"  # connected screens first
    assert screens(client, manager)["tv-main"]["connected"] is False


def test_a_full_list_of_connected_screens_counts_the_rest(clock):
    from onewindow.server.live.screens import ScreenList

    lst = ScreenList(cap=3)
    for s in ("a", "b", "c", "d"):
        lst.link(s, True, clock())
    assert [e["screen"] for e in lst.listing()] == ["a", "b", "c"] and lst.unlisted == 1
    lst.link("d", False, clock())
    assert lst.unlisted == 0
    lst.link("b", False, clock() + 5)
    lst.link("e", True, clock() + 6)  # takes b's place: b left, the others are connected
    assert {e["screen"] for e in lst.listing()} == {"a", "c", "e"}


def test_more_screens_connected_at_once_than_the_list_holds(make_client, accounts, clock):
    import contextlib

    client = make_client()
    manager = accounts(client).user("boss", role="manager")
    with contextlib.ExitStack() as stack:
        for i in range(CAP + 10):  # all open at once
            ws = stack.enter_context(display(client, f"c{i:03d}"))
            ws.receive_json()
        listed = screens(client, manager)
        assert len(listed) == CAP and all(e["connected"] for e in listed.values())
        assert client.app.state.runtime.hall(HALL).view.screens.unlisted == 10
    # All gone: the counts are back to nothing, the list still bounded.
    listed = screens(client, manager)
    assert len(listed) == CAP and not any(e["connected"] for e in listed.values())
    assert client.app.state.runtime.hall(HALL).view.screens.unlisted == 0
