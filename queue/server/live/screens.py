"""The call screens a hall has seen, for the manager's screen list (issue 12, point 11).

A screen names itself (`?screen=tv-1` on the display socket). Each socket's
opening and closing is a `screen_link` event, each sound report a `screen`
event; every server process applies both to its HallView in seq order, so
every process's list is the same. An entry says whether the screen is
connected now (open sockets, over every process), since when, when it was
last seen, and whether it can play sound: only while connected (a screen that
left says nothing about its sound any more).

The list is bounded: at most `cap` screens. A new screen past the cap takes
the place of the screen that left longest ago; while every listed screen is
connected, further ones are only counted (`unlisted`), so a flood of sockets
with made-up names never grows it.
"""
from __future__ import annotations

CAP = 100  # screens per hall; a hall has a handful, a flood of made-up names finds the list full


class ScreenList:
    def __init__(self, cap: int = CAP) -> None:
        self.cap = cap
        self.entries: dict[str, dict] = {}
        self.unlisted = 0  # open sockets of screens that found the list full of connected screens

    def link(self, screen: str, connected: bool, at: float) -> None:
        """A socket of `screen` opened (`connected`) or closed."""
        e = self.entries.get(screen)
        if e is None:
            if not connected:  # a screen that was never listed (the list was full) left
                self.unlisted = max(0, self.unlisted - 1)
                return
            e = self._add(screen, at)
            if e is None:
                self.unlisted += 1
                return
        if connected:
            if e["connections"] == 0:
                e["since"] = at
            e["connections"] += 1
        else:
            e["connections"] = max(0, e["connections"] - 1)
            if e["connections"] == 0:
                e["muted"] = None  # nobody knows whether a screen that is gone can play sound
        e["last_seen"] = at

    def report(self, screen: str, muted: bool, at: float | None) -> None:
        """The screen says whether its browser may play sound (it is connected to say so)."""
        e = self.entries.get(screen)
        if e is None:
            e = self._add(screen, at or 0.0)
            if e is None:
                return
            e["connections"] = 1
        e["muted"] = bool(muted)
        if at is not None:
            e["last_seen"] = at

    def _add(self, screen: str, at: float) -> dict | None:
        if len(self.entries) >= self.cap:
            gone = [e for e in self.entries.values() if e["connections"] == 0]
            if not gone:
                return None
            oldest = min(gone, key=lambda e: e["last_seen"])
            del self.entries[oldest["screen"]]
        e = {"screen": screen, "connections": 0, "muted": None, "since": at, "last_seen": at}
        self.entries[screen] = e
        return e

    def muted(self) -> dict[str, bool]:
        """Connected screens that reported on their sound: screen -> muted."""
        return {s: e["muted"] for s, e in self.entries.items() if e["connections"] and e["muted"] is not None}

    def listing(self) -> list[dict]:
        """Connected screens first, then the rest, the most recently seen first."""
        return sorted((dict(e) for e in self.entries.values()),
                      key=lambda e: (not e["connections"], -e["last_seen"], e["screen"]))

    def state(self) -> dict:
        return {"entries": [dict(e) for e in self.entries.values()], "unlisted": self.unlisted}

    def restore(self, state: dict | None) -> None:
        state = state or {}
        self.entries = {e["screen"]: dict(e) for e in state.get("entries", [])}
        self.unlisted = state.get("unlisted", 0)
