"""The Runtime builds and starts every service itself: nothing waits for a
page to be opened, and reading a page writes nothing."""
from __future__ import annotations

from onewindow.server.services.calendar import Calendar


def test_every_halls_rating_round_runs_from_the_start(client):
    rt = client.app.state.runtime
    assert set(rt.ratings) == set(rt.halls)
    running = {t.get_name() for t in rt._tasks if not t.done()}
    # Before, a hall's round started only when someone first opened a ratings or dashboard page.
    assert {f"onewindow-ratings-{h}" for h in rt.halls} <= running
    assert "onewindow-supervision" in running


def test_one_calendar_is_handed_to_every_service_that_counts_days(client):
    rt = client.app.state.runtime
    assert isinstance(rt.calendar, Calendar)
    assert all(svc.calendar is rt.calendar for svc in rt.halls.values())
    assert all(rs.calendar is rt.calendar for rs in rt.ratings.values())
    assert rt.cases.calendar is rt.calendar
    assert 2026 in rt.calendar.current.loaded_years  # the seeded years are in from the start


def test_an_unknown_hall_is_404_for_ratings_too(client, staff):
    boss = staff.user("boss", role="manager")
    r = client.get("/api/v1/halls/nowhere/rating-tasks", headers=boss)
    assert r.status_code == 404 and r.json()["code"] == "unknown_hall"
