"""The bureau's view across outlets (issue 17, points 1-2): GET /api/v1/bureau/overview with its live,
today's and yearly figures per outlet; the bureau manager reads every hall and changes none; reports,
CSV and background exports across outlets; /metrics labelled by hall. A scripted city, clock injected."""
from __future__ import annotations

import csv
import io

import pytest
from support.clock import at
from support.wait import wait_until

H = "/api/v1/halls"


def rate(city, hall: str, window: str, levels: dict[int, int], when, first_id: int) -> None:
    """Ratings straight into the table (a scripted year's history)."""
    def fn(tx):
        i = 0
        for level, n in levels.items():
            for _ in range(n):
                tx.execute("INSERT INTO rating (ticket_id, hall, category, window_id, clerk, channel, level, "
                           "reasons, comment, at) VALUES (:tid, :hall, 'x', :w, 'x', 'pad', :level, '[]', '', :at)",
                           {"tid": first_id + i, "hall": hall, "w": window, "level": level, "at": when.timestamp()})
                i += 1
    city.portal.call(city.app.state.runtime.db.write, fn)


def serve(city, who: dict, hall: str, window: str, category: str, clock, service_s: float, case: str | None = None):
    t = city.post(f"{H}/{hall}/tickets", json={"category": category})
    assert t.status_code == 201, t.text
    called = city.post(f"{H}/{hall}/windows/{window}/next", headers=who)
    assert called.status_code == 200 and called.json()["id"] == t.json()["id"], called.text
    assert city.post(f"/api/v1/tickets/{t.json()['id']}/start", headers=who).status_code == 200
    clock.advance(service_s)
    body = {"outcome": "accepted", "case": {"item": case, "applicant_name": "张三", "applicant_phone": "13812345678",
                                            "project": "某项目"}} if case else None
    done = city.post(f"/api/v1/tickets/{t.json()['id']}/complete", headers=who, json=body)
    assert done.status_code == 200, done.text
    return done.json()


@pytest.fixture
def scripted(city, people, clock):
    """The van's day on 2026-11-10 (3 h of service, a case accepted and completed the next day), then
    Monday 2026-11-23 10:00: three tickets at the hall (one served for 10 min), one at the park since
    09:40; ratings: the hall 1 bad in 20 (5%), the park 1 in 10."""
    zw = people.tokens["zhangwei"]
    clock.set(at(2026, 11, 10, 10))
    assert city.post(f"{H}/van/windows/w1/sign-in", headers=zw).status_code == 200
    case = serve(city, zw, "van", "w1", "eia", clock, 3 * 3600, case="eia_registration")["case"]
    clock.set(at(2026, 11, 11, 10))
    r = city.post(f"/api/v1/cases/{case['id']}/complete", headers=zw, json={})
    assert r.status_code == 200, r.text
    assert city.post(f"{H}/van/windows/w1/sign-out", headers=zw).status_code == 200

    clock.set(at(2026, 11, 23, 9, 40))
    assert city.post(f"{H}/park/tickets", json={"category": "assist"}).status_code == 201
    clock.set(at(2026, 11, 23, 10))
    assert city.post(f"{H}/eco/windows/w1/sign-in", headers=zw).status_code == 200
    serve(city, zw, "eco", "w1", "eia", clock, 600, case="eia_report_form")
    for _ in range(2):
        assert city.post(f"{H}/eco/tickets", json={"category": "consult"}).status_code == 201
    # Both opened today (their first tickets): their year to date is today.
    rate(city, "eco", "w1", {5: 19, 1: 1}, at(2026, 11, 23, 9), 100_000)
    rate(city, "park", "p1", {5: 9, 2: 1}, at(2026, 11, 23, 9), 200_000)
    rate(city, "park", "p1", {1: 5}, at(2025, 6, 2), 300_000)  # last year's: another year's business
    return people


def overview(city, who, **params) -> dict:
    r = city.get("/api/v1/bureau/overview", headers=who, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_the_overview_across_outlets(city, scripted, clock):
    out = overview(city, scripted.tokens["city"])
    by = {o["id"]: o for o in out["outlets"]}
    assert list(by) == ["eco", "park", "van"]
    assert [(o["kind"], o["windows"]) for o in out["outlets"]] == [("comprehensive", 6), ("special", 2), ("mobile", 1)]
    assert by["park"]["address"].startswith("高新区") and by["park"]["opening_days"][-1] == "sat"
    assert by["van"]["visits"][:2] == ["2026-11-10", "2026-11-23"] and by["van"]["opening_days"] == []
    assert by["van"]["open_today"] is True and by["park"]["open_today"] is True

    # Now: waiting, the longest wait (the park's ticket of 09:40), open windows.
    assert {k: (o["now"]["waiting"], o["now"]["open_windows"]) for k, o in by.items()} == {
        "eco": (2, 1), "park": (1, 0), "van": (0, 0)}
    assert by["park"]["now"]["longest_wait_s"] == 30 * 60 and by["park"]["now"]["longest"]["number"] == "P001"
    assert by["eco"]["now"]["longest_wait_s"] == 0 and by["van"]["now"]["longest"] is None
    assert {k: o["today"]["served"] for k, o in by.items()} == {"eco": 1, "park": 0, "van": 0}
    assert out["totals"] | {} == {**out["totals"], "outlets": 3, "waiting": 3, "open_windows": 1, "served_today": 1}

    # The year (to date): bad-rating rate and its interview flag; utilisation and its merge flag.
    y = {k: o["year"] for k, o in by.items()}
    assert (y["eco"]["bad_rate"]["total"], y["eco"]["bad_rate"]["bad"], y["eco"]["interview"]) == (20, 1, False)
    assert (y["park"]["bad_rate"]["rate"], y["park"]["interview"]) == (pytest.approx(0.1), True)
    assert y["eco"]["from"] == "2026-11-23"  # the hall's first ticket: it opened today
    # The van opens on its visits only: 11-10 09:00-17:00 and 11-23 09:00-10:10 → 3 h of 9 h 10 min.
    van_open = 8 * 3600 + 70 * 60
    assert y["van"]["from"] == "2026-11-10"
    assert y["van"]["utilisation"]["open_s"] == pytest.approx(van_open)
    assert y["van"]["utilisation"]["share"] == pytest.approx(3 * 3600 / van_open)
    assert y["van"]["merge"] is False  # 33%: had it counted every working day, 3 h in two weeks is 4%
    # The hall: 10 minutes of 6 windows x 70 minutes; the park: nothing served.
    assert y["eco"]["utilisation"]["share"] == pytest.approx(600 / (6 * 70 * 60)) and y["eco"]["merge"] is True
    assert y["park"]["merge"] is True
    assert y["eco"]["thresholds"] == {"bad_rate": 0.05, "utilisation": 0.3}
    assert out["totals"]["merge"] == ["eco", "park"] and out["totals"]["interview"] == ["park"]

    # Promises: the van's case was completed the next day (kept); the hall's is open.
    assert y["van"]["promises"] | {} == {**y["van"]["promises"], "accepted": 1, "kept": 1, "missed": 0,
                                         "kept_share": 1.0}
    assert (y["eco"]["promises"]["open"], y["eco"]["promises"]["kept_share"]) == (1, None)

    # A past year: all of it, last year's park ratings.
    last = overview(city, scripted.tokens["city"], year=2025)
    park = next(o for o in last["outlets"] if o["id"] == "park")
    assert (park["year"]["from"], park["year"]["to"]) == ("2025-01-01", "2025-12-31")
    assert (park["year"]["bad_rate"]["total"], park["year"]["interview"]) == (5, True)


def test_bad_years_are_refused(city, scripted):
    for bad in ("2027", "1999", "20x6", "12345", "-1"):
        r = city.get("/api/v1/bureau/overview", headers=scripted.tokens["city"], params={"year": bad})
        assert r.status_code == 422 and r.json()["code"] == "invalid", (bad, r.text)


def test_who_sees_the_bureau(city, scripted):
    """The bureau manager and admins see the overview; a hall's manager and clerks do not."""
    city.cookies.clear()  # callers by their header alone
    assert city.get("/api/v1/bureau/overview").status_code == 401
    for who, status in (("boss", 403), ("zhangwei", 403), ("city", 200)):
        assert city.get("/api/v1/bureau/overview", headers=scripted.tokens[who]).status_code == status, who
    assert city.get("/api/v1/bureau/overview", headers=scripted.admin).status_code == 200


def test_the_bureau_reads_every_hall_and_changes_none(city, scripted):
    bureau = scripted.tokens["city"]
    for hall in ("eco", "park", "van"):
        assert city.get(f"{H}/{hall}/dashboard", headers=bureau).status_code == 200
        assert city.get(f"{H}/{hall}/reports", headers=bureau).status_code == 200
    refused = [
        ("POST", f"{H}/park/windows/p1/sign-in", None),  # a window with no posts: any clerk may; not the bureau
        ("POST", f"{H}/eco/windows/w1/next", None),
        ("PUT", f"{H}/eco/windows/w2/posts", {"a_clerk": "city"}),
        ("POST", f"{H}/eco/dashboard/alerts/ack", {"key": "wait:eia"}),
        ("POST", f"{H}/eco/exports", {"from": "2026-11-23", "to": "2026-11-23"}),
        ("POST", f"{H}/eco/devices/pairing-codes", {"kind": "kiosk"}),
        ("POST", "/api/v1/users", {"username": "x", "password": "Hall-0123456789", "role": "clerk"}),
    ]
    for method, path, body in refused:
        r = city.request(method, path, headers=bureau, json=body)
        assert r.status_code == 403, (path, r.text)
    assert r.json()["code"] in ("bureau_read_only", "forbidden")
    assert city.post(f"{H}/park/windows/p1/sign-in", headers=bureau).json()["code"] == "bureau_read_only"
    # Nothing changed: the park's window is closed, the hall's queue as it was.
    park = city.get(f"{H}/park").json()
    assert {w["id"]: w["status"] for w in park["windows"]} == {"p1": "closed", "p2": "closed"}
    # Public routes stay public with the bureau's token: it counts for nothing there.
    assert city.post(f"{H}/park/tickets", headers=bureau, json={"category": "assist"}).status_code == 201


def test_reports_and_exports_across_outlets(city, scripted):
    bureau = scripted.tokens["city"]
    r = city.get("/api/v1/bureau/reports", headers=bureau, params={"from": "2026-11-01", "to": "2026-11-23"})
    assert r.status_code == 200, r.text
    reps = {x["hall"]: x for x in r.json()["outlets"]}
    assert reps["van"]["totals"]["served"] == 1 and reps["eco"]["totals"]["issued"] == 3
    assert reps["van"]["outlet"]["kind"] == "mobile" and reps["van"]["thresholds"]["merge"] is False

    r = city.get("/api/v1/bureau/reports.csv", headers=bureau, params={"from": "2026-11-01", "to": "2026-11-23"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert [(x["key"], x["section"], x["kind"]) for x in rows] == [
        ("eco", "outlet", "comprehensive"), ("park", "outlet", "special"), ("van", "outlet", "mobile")]
    assert [(x["issued"], x["served"], x["merge"], x["interview"]) for x in rows] == [
        ("3", "1", "yes", "no"), ("1", "0", "yes", "yes"), ("1", "1", "no", "no")]
    assert rows[2]["promises_kept"] == "1" and rows[1]["bad_rate_year"] == "0.1"

    job = city.post("/api/v1/bureau/exports", headers=bureau,
                    json={"from": "2026-11-01", "to": "2026-11-23", "format": "xlsx"})
    assert job.status_code == 202, job.text

    def done():
        state = city.get(job.json()["status_url"], headers=bureau).json()
        return state if state["status"] != "running" else None

    state = wait_until(done, timeout=30, what="the outlets' export")
    assert state["status"] == "done", state
    f = city.get(state["download"], headers=bureau)
    assert f.status_code == 200
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(f.content))
    sheet = list(wb["网点 Outlets"].iter_rows(values_only=True))
    assert [row[1] for row in sheet[1:]] == ["eco", "park", "van"]
    assert city.post("/api/v1/bureau/exports", headers=bureau,
                     json={"from": "2026-11-23", "to": "2026-11-01"}).status_code == 422
    assert city.post("/api/v1/bureau/exports", headers=scripted.tokens["boss"],
                     json={"from": "2026-11-01", "to": "2026-11-23"}).status_code == 403


def test_metrics_are_labelled_by_hall(city, scripted):
    from prometheus_client.parser import text_string_to_metric_families

    samples = {}
    for fam in text_string_to_metric_families(city.get("/metrics").text):
        for s in fam.samples:
            if s.name.startswith("onewindow_"):
                samples.setdefault(s.name, []).append(s.labels)
    unlabelled = sorted(n for n, labels in samples.items() if any("hall" not in lb for lb in labels))
    assert unlabelled == [], "every figure of a hall carries its hall"
    info = {lb["hall"]: lb["kind"] for lb in samples["onewindow_outlet_info"]}
    assert info == {"eco": "comprehensive", "park": "special", "van": "mobile"}
    assert {lb["hall"] for lb in samples["onewindow_hub_events_delivered_total"]} == {"eco", "park", "van"}
