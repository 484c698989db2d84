"""Fixtures of the hall manager's tests: the dashboard, its alerts, the screen list, printer alarms."""
from __future__ import annotations

import pytest
from support.accounts import Accounts


@pytest.fixture
def accounts(settings):
    """`accounts(http)`: demo-hall staff (support.accounts.Accounts) over that client."""
    return lambda http: Accounts(http, settings.admin_password)
