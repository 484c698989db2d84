"""Report parameters, an empty hall's report, and the documented routes."""
from __future__ import annotations

HALL = "eco"


def test_report_range_is_checked(day):
    boss = day.user("boss", "manager")
    url = f"/api/v1/halls/{HALL}/reports"
    assert day.get(url, boss, **{"from": "23/11/2026"}, status=422).json()["field"] == "from"
    assert day.get(url, boss, **{"from": "2026-11-23", "to": "2026-11-01"}, status=422).json()["code"] == "invalid"
    day.get(url, boss, **{"from": "2025-01-01", "to": "2026-11-23"}, status=422)
    day.get("/api/v1/halls/nowhere/reports", boss, status=404)


def test_an_empty_week(day):
    boss = day.user("boss", "manager")
    r = day.get(f"/api/v1/halls/{HALL}/reports", boss, **{"from": "2026-11-16", "to": "2026-11-22"}).json()
    assert (r["from"], r["to"]) == ("2026-11-16", "2026-11-22")
    assert r["totals"]["issued"] == 0 and r["totals"]["wait"]["mean"] is None
    # Monday to Friday were open days: 5 x 8 hours of open time, none used
    assert [x["key"] for x in r["by_day"]] == ["2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19", "2026-11-20"]
    assert all(u["open_s"] == 5 * 8 * 3600 and u["share"] == 0 for u in r["utilisation"])
    assert r["thresholds"]["merge"] and r["thresholds"]["utilisation"]["share"] == 0  # per outlet, the year
    assert r["ratings"]["total"] == 0 and r["ratings"]["rate"] is None and not r["ratings"]["interview"]
    csv_text = day.get(f"/api/v1/halls/{HALL}/reports.csv", boss, **{"from": "2026-11-16", "to": "2026-11-22"}).text
    assert csv_text.lstrip("\ufeff").startswith("section,key,name,issued")


def test_routes_are_documented(client):
    paths = client.get("/openapi.json").json()["paths"]
    for p in ("/api/v1/tickets/{id}/rating", "/api/v1/halls/{hall}/windows/{window}/last-completed",
              "/api/v1/halls/{hall}/rating-tasks", "/api/v1/halls/{hall}/rating-tasks/{id}/advance",
              "/api/v1/halls/{hall}/dashboard", "/api/v1/halls/{hall}/reports", "/api/v1/halls/{hall}/reports.csv",
              "/api/v1/halls/{hall}/reports.xlsx", "/metrics"):
        assert p in paths, p
    responses = paths["/api/v1/tickets/{id}/rating"]["post"]["responses"]
    assert responses["409"] == {"description": "already rated, or not rateable through this channel"}


def test_series_covers_the_day_and_late_tickets(demo_config):
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from onewindow.server.services.reporting import series

    hall = demo_config().halls[0]
    tz = ZoneInfo("Asia/Shanghai")
    day = date(2026, 11, 23)
    at = lambda h, mi: datetime(2026, 11, 23, h, mi, tzinfo=tz).timestamp()  # noqa: E731
    rows = [{"issued_at": at(8, 50), "called_at": at(9, 5), "wait_s": 900.0},
            {"issued_at": at(17, 0), "called_at": None, "wait_s": None}]
    s = series(hall, rows, day, now=at(17, 5))
    assert s["labels"][0] == "08:45" and s["labels"][-1] == "17:00"
    assert sum(s["arrivals"]) == 2 and s["arrivals"][-1] == 1
    assert s["wait_mean_s"][s["labels"].index("09:00")] == 900
    assert series(hall, [], day, now=at(10, 0))["labels"][-1] == "16:45"
