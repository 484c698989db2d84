"""The dashboard's alert rules, pure (services/board.py): one situation, one alert; an
acknowledgement counts for the alert it was made for, not for the next one under its key."""
from __future__ import annotations

from support.clock import SHANGHAI

from onewindow.server.services import board

T = 1_795_000_000.0


def test_a_cases_cards_a_tickets_warnings_and_a_printers_alarms_are_one_alert_each():
    rows = [
        {"kind": "yellow", "level": "yellow", "case_id": 7, "message": "due soon", "id": 1, "since_ts": T, "at_ts": T},
        {"kind": "red", "level": "red", "case_id": 7, "message": "overdue", "id": 2, "since_ts": T + 9, "at_ts": T + 9},
        {"kind": "wait_promise", "level": "yellow", "ticket_id": 3, "message": "w", "id": 3, "since_ts": T,
         "at_ts": T},
        {"kind": "wait_promise", "level": "red", "ticket_id": 3, "message": "W", "id": 4, "since_ts": T + 5,
         "at_ts": T + 5},
        {"kind": "printer", "level": "red", "printer": "door", "message": "p", "id": 5, "since_ts": T, "at_ts": T},
        {"kind": "coverage", "level": "red", "categories": ["eia"], "id": 6, "message": "x", "since_ts": T,
         "at_ts": T},
        {"kind": "coverage", "level": "red", "categories": ["permit"], "id": 7, "message": "y", "since_ts": T + 1,
         "at_ts": T + 1},
        {"kind": "coverage", "level": "red", "categories": ["eia", "permit"], "message": "live", "live": True,
         "since_ts": T + 1, "at_ts": T + 1},
    ]
    merged = {a["key"]: a for a in board.merge(rows, SHANGHAI)}
    assert set(merged) == {"case:7", "wait_promise:3", "printer:door", "coverage"}
    assert merged["case:7"]["level"] == "red" and merged["case:7"]["message"] == "overdue"
    assert merged["case:7"]["ids"] == [1, 2] and merged["case:7"]["since_ts"] == T
    assert merged["coverage"]["message"] == "live" and merged["coverage"]["categories"] == ["eia", "permit"]
    assert merged["coverage"]["ids"] == [6, 7]


def test_an_acknowledgement_counts_for_the_alert_it_was_made_for():
    [alert] = board.merge([{"kind": "coverage", "level": "red", "message": "m", "since_ts": T, "at_ts": T}],
                          SHANGHAI)
    names = {"boss": "王主任"}
    board.acknowledge([alert], {"coverage": {"by": "boss", "at": T - 60}}, names, SHANGHAI)
    assert alert["acknowledged"] is None  # made for an earlier alarm under the same key
    board.acknowledge([alert], {"coverage": {"by": "boss", "at": T + 60}}, names, SHANGHAI)
    assert alert["acknowledged"]["by_name"] == "王主任"


def test_levels_by_threshold():
    assert board.level_of(None, 1, 2) == "neutral"
    assert [board.level_of(v, 10, 20) for v in (5, 15, 25)] == ["ok", "warn", "bad"]
    assert [board.level_of(v, 0.9, 0.8, higher_is_worse=False) for v in (0.95, 0.85, 0.7)] == ["ok", "warn", "bad"]
