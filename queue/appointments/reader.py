"""An ID card reader at the kiosk, as a driver: an interface, a keyboard-wedge reader
(most desktop readers type the number followed by Enter, like a keyboard) and a fake
for tests. The kiosk page is the keyboard-wedge's host; the server side uses
`read()` only through the interface."""
from __future__ import annotations

from collections import deque
from typing import Protocol

from .idcard import InvalidIdNumber, normalize_id_number


class IdCardReader(Protocol):
    def read(self) -> str | None:
        """The next card's ID number (normalized), or None when no card was presented."""
        ...


class KeyboardWedgeReader:
    """Feed it the keystrokes the reader types; a line ending in Enter is one card.
    Anything typed that is not an ID number is dropped (a stray key on the keypad)."""

    def __init__(self) -> None:
        self._buf: list[str] = []
        self._cards: deque[str] = deque()

    def feed(self, keys: str) -> None:
        for ch in keys:
            if ch in "\r\n":
                line, self._buf = "".join(self._buf), []
                try:
                    self._cards.append(normalize_id_number(line))
                except InvalidIdNumber:
                    pass
            else:
                self._buf.append(ch)

    def read(self) -> str | None:
        return self._cards.popleft() if self._cards else None


class FakeReader:
    """Hands out the numbers it was given, one a read (tests and the demo)."""

    def __init__(self, numbers: list[str] | None = None) -> None:
        self._cards = deque(normalize_id_number(n) for n in numbers or [])

    def present(self, number: str) -> None:
        self._cards.append(normalize_id_number(number))

    def read(self) -> str | None:
        return self._cards.popleft() if self._cards else None
