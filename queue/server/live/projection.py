"""What a call screen shows, kept up to date from the hall's events.

The hub applies every event here before fanning it out, so a snapshot taken
at sequence n is exactly the state after event n. Only public data lives
here: ticket numbers, windows, clerks' post cards, notices.
"""
from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from onewindow.server.live.screens import ScreenList

if TYPE_CHECKING:
    from onewindow.server.live.hub import Event


# A window in one of these states has no visitor to call: its calls leave "now calling".
LEFT = frozenset({"closed", "away"})


class HallView:
    def __init__(self, hall: str, name: str, name_en: str, windows: list[dict], recent: int = 8,
                 ticker: int = 20, timezone: str = "Asia/Shanghai") -> None:
        self.hall = hall
        self.name, self.name_en = name, name_en
        self.timezone = timezone  # the screens' clock shows the hall's time, not the browser's
        self.seq = 0
        self.public_seq = 0  # the display stream's numbering (see hub.Event.public_seq)
        self.windows: dict[str, dict] = {
            w["id"]: {"window": w["id"], "name": w["name"], "name_en": w.get("name_en", ""),
                      "number": None, "status": "closed", "clerk": None, "notice": None, "zone": w.get("zone", "main")}
            for w in windows
        }
        self.calls: deque[dict] = deque(maxlen=recent)
        self.waiting: dict[str, int] = {}
        self.completions: deque[dict] = deque(maxlen=ticker)
        self.screens = ScreenList()  # the manager's screen list (live/screens.py)

    def load(self, windows: dict[str, dict], calls: list[dict], waiting: dict[str, int]) -> None:
        """Start-up state read from the database (calls newest first)."""
        for wid, st in windows.items():
            if wid in self.windows:
                self.windows[wid].update({k: st[k] for k in ("number", "status", "clerk", "notice") if k in st})
        for c in reversed(calls):
            w = self.windows.get(c.get("window"))
            if w is None or w["status"] not in LEFT:  # as `apply` keeps it: no call of a closed window
                self.calls.appendleft(c)
        self.waiting = dict(waiting)

    def apply(self, ev: Event) -> None:
        self.seq = ev.seq
        self.public_seq = ev.public_seq
        d = ev.data
        if ev.type in ("call", "recall"):
            call = {k: d.get(k) for k in ("ticket", "window", "window_name", "window_number", "category", "at")}
            call["recall"] = ev.type == "recall"
            self.calls.appendleft(call)
            w = self.windows.get(d["window"])
            if w is not None:
                w["number"] = d["ticket"]
                if w["status"] not in ("away",):
                    w["status"] = "serving"
        elif ev.type == "window":
            w = self.windows.get(d["window"])
            if w is not None:
                for k in ("status", "number", "clerk", "notice"):
                    if k in d:
                        w[k] = d[k]
            if d.get("status") in LEFT:
                # Nobody serves there now: its calls leave "now calling" (static/screen.js does the same).
                self.calls = deque((c for c in self.calls if c.get("window") != d["window"]), maxlen=self.calls.maxlen)
        elif ev.type == "done":
            w = self.windows.get(d["window"])
            if w is not None and w["number"] == d["ticket"]:
                w["number"] = None
                if w["status"] == "serving":
                    w["status"] = "idle"
        elif ev.type == "queue":
            # Deltas keep every process's counts in step without a count query per ticket.
            if "delta" in d:
                for cat, n in d["delta"].items():
                    self.waiting[cat] = max(0, self.waiting.get(cat, 0) + n)
            else:
                self.waiting = dict(d["waiting"])
            d["waiting"] = dict(self.waiting)
        elif ev.type == "completion":
            self.completions.appendleft({k: d.get(k) for k in ("case", "item", "completed_at", "applicant")})
        elif ev.type == "screen":
            self.screens.report(d["screen"], bool(d["muted"]), d.get("at"))
        elif ev.type == "screen_link":
            self.screens.link(d["screen"], bool(d["connected"]), d["at"])

    def state(self) -> dict:
        """Everything `apply` changes, as plain JSON data: what one server process
        hands another (hub brokers) so that their views stay equal."""
        return {"seq": self.seq, "public_seq": self.public_seq,
                "windows": {wid: dict(w) for wid, w in self.windows.items()}, "calls": [dict(c) for c in self.calls],
                "waiting": dict(self.waiting), "completions": [dict(c) for c in self.completions],
                "screens": self.screens.state()}

    def restore(self, state: dict) -> None:
        """Take over `state()` of another view of the same hall (windows not configured here are ignored)."""
        self.seq, self.public_seq = state["seq"], state["public_seq"]
        for wid, w in state["windows"].items():
            if wid in self.windows:
                self.windows[wid].update({k: w[k] for k in ("number", "status", "clerk", "notice") if k in w})
        self.calls = deque(state["calls"], maxlen=self.calls.maxlen)
        self.waiting = dict(state["waiting"])
        self.completions = deque(state["completions"], maxlen=self.completions.maxlen)
        self.screens.restore(state.get("screens"))

    @property
    def muted_screens(self) -> dict[str, bool]:
        """Connected screens that reported on their sound: screen -> muted."""
        return self.screens.muted()

    def snapshot(self) -> dict:
        return {
            "type": "snapshot",
            "seq": self.seq,
            "hall": {"id": self.hall, "name": self.name, "name_en": self.name_en, "timezone": self.timezone},
            "windows": [dict(w) for w in self.windows.values()],
            "calls": [dict(c) for c in self.calls],
            "waiting": dict(self.waiting),
            "completions": [dict(c) for c in self.completions],
        }
