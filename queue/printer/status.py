"""What a printer reports about itself, independent of how it was asked."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class PrinterStatus:
    """Flags are independent; ``detail`` is for logs and does not count as a change.

    ``offline`` means unusable for a reason other than paper (unreachable, no
    reply, cover open, error, stuck); a printer stopped only by paper end reports
    ``paper_out``. ``paper_near_end`` is not set once the paper is out.
    ``unknown`` means some of the state could not be read (e.g. a plain device
    file cannot answer); printing is still attempted.
    """

    offline: bool = False
    paper_out: bool = False
    paper_near_end: bool = False
    unknown: bool = False
    detail: str = field(default="", compare=False)

    @property
    def ok(self) -> bool:
        """Nothing to report to the hall manager."""
        return not (self.offline or self.paper_out or self.paper_near_end or self.unknown)

    @property
    def can_print(self) -> bool:
        return not (self.offline or self.paper_out)

    @property
    def reason(self) -> Literal["paper_out", "offline"] | None:
        """The short reason a job cannot print now, or None."""
        if self.paper_out:
            return "paper_out"
        if self.offline:
            return "offline"
        return None
