from datetime import datetime

import pytest

from onewindow.printer import MissingMaterialsNotice, TicketSlip


def test_ticket_rejects_a_naive_time(ticket):
    with pytest.raises(ValueError, match="timezone-aware"):
        TicketSlip(**{**ticket.__dict__, "issued_at": datetime(2024, 5, 10, 9, 31)})


def test_notice_needs_something_missing(notice):
    with pytest.raises(ValueError, match="missing material"):
        MissingMaterialsNotice(**{**notice.__dict__, "missing": []})
