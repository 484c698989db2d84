"""Messages to applicants (SMS and service-account bridges): pure rules, no I/O.

templates.py renders the texts (Chinese, English variant), segments.py counts
SMS segments, phones.py checks mobile numbers, policy.py holds quiet hours,
the per-recipient daily limit and the retry schedule, receipts.py reads SMPP
delivery receipts. The server's outbox (store/outbox.py) and sender
(services/notifications.py) map rows onto these.
"""
from onewindow.notify.phones import InvalidPhone, normalize_phone
from onewindow.notify.policy import QuietHours, backoff_s, over_daily_limit
from onewindow.notify.segments import Segments, count_segments
from onewindow.notify.templates import KINDS, TemplateError, render

__all__ = ["KINDS", "InvalidPhone", "QuietHours", "Segments", "TemplateError", "backoff_s", "count_segments",
           "normalize_phone", "over_daily_limit", "render"]
