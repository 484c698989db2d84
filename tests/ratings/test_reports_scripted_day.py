"""A scripted morning whose true figures are worked out by hand below, checked
through the dashboard, the report, its CSV and XLSX exports and /metrics, on
SQLite and PostgreSQL.

Monday 2026-11-23, the hall opens at 09:00; t is seconds after 10:00.
zhangwei holds window w1 (A post), lina window w2 (A post).

  t     ticket            event                          figure
  0     T1 A001 eia       issued
  60    T2 B001 permit    issued
  120   T3 A002 eia       issued
  180   T4 F001 consult   issued
  240   T5 F002 consult   issued
  600   T1 @w1            called                         wait 600
  660   T1                started                        walk 60
  700   T2 @w2            called                         wait 640
  730   T2                started                        walk 30
  1330  T2                completed                      service 600
  1340  T2                rated 4 from the QR page
  1400  T3 @w2            called                         wait 1280
  1460  T3                started                        walk 60
  1560  T1                completed                      service 900
  1570  T1                rated 5 on w1's pad
  1600  T4 @w1            called                         wait 1420 (> consult's 15 min target)
  1630  T4                started                        walk 30
  1930  T4                completed                      service 300
  1940  T4                rated 1 on w1's pad            bad: a task due 48 h later
  2000  T5 @w1            called                         wait 1760 (> 15 min)
  2100  T5                no-show
  3000  T6 F003 consult   issued, still waiting at 3600 (600 s < 15 min: not yet a miss)
  3460  T3                completed                      service 2000
  3470  T3                rated 3 on w2's pad
  3600  (11:00) the figures are read

Open hours so far: 09:00-11:00 = 7200 s. Serving: w1 900 + 300 = 1200 s
(16.7%, flagged below 30%); w2 600 + 2000 = 2600 s (36.1%).
"""
from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from support.wait import wait_until

HALL = "eco"
WAITS = [600, 640, 1280, 1420, 1760]
WALKS = [60, 30, 60, 30]
SERVICES = [900, 600, 2000, 300]
OPEN_S = 7200.0


def approx(x):
    return pytest.approx(x, abs=1e-6)


@pytest.fixture
def scripted(day):
    d = day
    zhang, li = d.user("zhangwei"), d.user("lina")
    boss = d.user("boss", "manager")
    d.sign_in(zhang, "w1")
    d.sign_in(li, "w2")
    T = {}
    for t, name, cat in [(0, "T1", "eia"), (60, "T2", "permit"), (120, "T3", "eia"), (180, "T4", "consult"),
                         (240, "T5", "consult")]:
        d.at(t)
        T[name] = d.issue(cat)
    assert [T[k]["number"] for k in ("T1", "T2", "T3", "T4", "T5")] == ["A001", "B001", "A002", "F001", "F002"]

    d.at(600); assert d.next(zhang, "w1")["id"] == T["T1"]["id"]
    d.at(660); d.act(zhang, T["T1"], "start")
    d.at(700); assert d.next(li, "w2")["id"] == T["T2"]["id"]
    d.at(730); d.act(li, T["T2"], "start")
    d.at(1330); d.act(li, T["T2"], "complete")
    d.at(1340); d.rate(T["T2"], 4, channel="qr")
    d.at(1400); assert d.next(li, "w2")["id"] == T["T3"]["id"]
    d.at(1460); d.act(li, T["T3"], "start")
    d.at(1560); d.act(zhang, T["T1"], "complete")
    d.at(1570); d.rate(T["T1"], 5)
    d.at(1600); assert d.next(zhang, "w1")["id"] == T["T4"]["id"]
    d.at(1630); d.act(zhang, T["T4"], "start")
    d.at(1930); d.act(zhang, T["T4"], "complete")
    d.at(1940); T["bad"] = d.rate(T["T4"], 1, reasons=["long_wait", "attitude"], comment="等了很久")
    d.at(2000); assert d.next(zhang, "w1")["id"] == T["T5"]["id"]
    d.at(2100); d.act(zhang, T["T5"], "no-show")
    d.at(3000); T["T6"] = d.issue("consult")
    d.at(3460); d.act(li, T["T3"], "complete")
    d.at(3470); d.rate(T["T3"], 3)
    d.at(3600)
    return d, T, boss


def check_timings(fig, waits, walks, services):
    """Mean and nearest-rank p90, computed here from the raw values."""
    import math

    def p90(v):
        v = sorted(v)
        return v[math.ceil(0.9 * len(v)) - 1]

    for name, vals in (("wait", waits), ("walk", walks), ("service", services)):
        assert fig[name]["n"] == len(vals)
        assert fig[name]["mean"] == approx(sum(vals) / len(vals))
        assert fig[name]["p90"] == approx(p90(vals))


def by_key(items):
    return {x["key"]: x for x in items}


def test_report_figures(scripted):
    d, _T, boss = scripted
    r = d.get(f"/api/v1/halls/{HALL}/reports", boss, **{"from": "2026-11-23", "to": "2026-11-23"}).json()
    t = r["totals"]
    assert (t["issued"], t["served"], t["no_show"], t["waiting"]) == (6, 4, 1, 1)
    check_timings(t, WAITS, WALKS, SERVICES)
    assert (t["wait"]["mean"], t["wait"]["p90"]) == (approx(1140), approx(1760))
    assert (t["service"]["mean"], t["service"]["p90"]) == (approx(950), approx(2000))
    assert t["service_level"] == {"met": 3, "total": 5, "share": approx(0.6)}

    cats = by_key(r["by_category"])
    check_timings(cats["eia"], [600, 1280], [60, 60], [900, 2000])
    check_timings(cats["permit"], [640], [30], [600])
    check_timings(cats["consult"], [1420, 1760], [30], [300])
    assert cats["eia"]["service_level"]["share"] == 1.0
    assert cats["consult"]["service_level"] == {"met": 0, "total": 2, "share": 0.0}
    assert cats["assist"]["issued"] == 0 and cats["assist"]["wait"]["mean"] is None

    wins = by_key(r["by_window"])
    check_timings(wins["w1"], [600, 1420, 1760], [60, 30], [900, 300])
    check_timings(wins["w2"], [640, 1280], [30, 60], [600, 2000])
    assert (wins["w1"]["served"], wins["w1"]["no_show"]) == (2, 1)
    clerks = by_key(r["by_clerk"])
    assert set(clerks) == {"zhangwei", "lina"}
    assert clerks["zhangwei"]["wait"] == wins["w1"]["wait"] and clerks["lina"]["service"] == wins["w2"]["service"]
    assert [x["key"] for x in r["by_day"]] == ["2026-11-23"] and r["by_day"][0]["issued"] == 6

    util = by_key(r["utilisation"])
    assert util["w1"]["open_s"] == OPEN_S
    assert (util["w1"]["busy_s"], util["w1"]["share"]) == (1200, approx(1200 / OPEN_S))
    assert (util["w2"]["busy_s"], util["w2"]["share"]) == (2600, approx(2600 / OPEN_S))
    assert util["w3"]["share"] == 0
    # Utilisation is judged per outlet over the year to date (issue 15, point 10), not per window.
    assert all(u["flagged"] is None for u in r["utilisation"])
    assert r["thresholds"]["merge"] and r["thresholds"]["utilisation"]["busy_s"] == approx(1200 + 2600)

    rt = r["ratings"]
    assert (rt["total"], rt["bad"], rt["rate"], rt["flagged"], rt["interview"]) == (4, 1, 0.25, True, True)
    assert rt["levels"] == {"5": 1, "4": 1, "3": 1, "2": 0, "1": 1}
    rw = by_key(rt["by_window"])
    assert (rw["w1"]["rate"], rw["w1"]["flagged"], rw["w2"]["rate"], rw["w2"]["flagged"]) == (0.5, True, 0.0, False)
    assert by_key(rt["by_clerk"])["zhangwei"]["bad"] == 1
    assert rt["tasks"] == {"opened": 1, "closed": 0, "closed_on_time": 0, "overdue": 0}
    [task] = r["tasks"]
    assert (task["ticket"], task["state"], task["due_at"]) == ("F001", "verify", "2026-11-25T10:32:20+08:00")


def test_dashboard_now_and_today(scripted):
    d, _T, boss = scripted
    dash = d.get(f"/api/v1/halls/{HALL}/dashboard", boss).json()
    now = dash["now"]
    assert now["waiting"] == 1
    assert now["longest"] == {"number": "F003", "category": "consult", "wait_s": 600}
    consult = by_key([{**c, "key": c["code"]} for c in now["categories"]])["consult"]
    assert (consult["waiting"], consult["longest_wait_s"], consult["over_target"]) == (1, 600, False)
    wins = {w["id"]: w for w in now["windows"]}
    assert (wins["w1"]["status"], wins["w1"]["on_duty"], wins["w1"]["signed_in"]) == ("idle", "A", "zhangwei")
    assert wins["w3"]["status"] == "closed" and wins["w3"]["on_duty"] is None
    [task] = now["tasks"]
    assert (task["ticket"], task["level"], task["reasons"], task["overdue"]) == ("F001", 1, ["long_wait", "attitude"],
                                                                                 False)

    today = dash["today"]
    assert today["totals"]["service_level"]["share"] == approx(0.6)
    assert today["totals"]["wait"]["p90"] == approx(1760)
    s = today["series"]
    assert s["step_s"] == 900 and s["labels"][0] == "09:00" and s["labels"][-1] == "16:45" and len(s["t"]) == 32
    at = {label: i for i, label in enumerate(s["labels"])}
    assert s["arrivals"][at["10:00"]] == 5 and s["arrivals"][at["10:45"]] == 1 and sum(s["arrivals"]) == 6
    # waits by the quarter hour of the call: 10:10 & 10:11 | 10:23 & 10:26 | 10:33
    assert s["wait_mean_s"][at["10:00"]] == approx(620)
    assert s["wait_mean_s"][at["10:15"]] == approx(1350)
    assert s["wait_mean_s"][at["10:30"]] == approx(1760) and s["wait_max_s"][at["10:15"]] == approx(1420)
    assert s["wait_mean_s"][at["09:00"]] is None


def test_dashboard_needs_a_manager(scripted):
    d, _T, _boss = scripted
    d.get(f"/api/v1/halls/{HALL}/dashboard", status=401)
    d.get(f"/api/v1/halls/{HALL}/dashboard", d.user("clerk9"), status=403)
    d.get(f"/api/v1/halls/{HALL}/reports.csv", status=401)


def test_csv_export(scripted):
    d, _T, boss = scripted
    r = d.get(f"/api/v1/halls/{HALL}/reports.csv", boss, **{"from": "2026-11-23", "to": "2026-11-23"})
    assert r.headers["content-type"].startswith("text/csv")
    assert 'filename="onewindow-eco-2026-11-23-2026-11-23.csv"' in r.headers["content-disposition"]
    text = r.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    got = {(x["section"], x["key"]): x for x in rows}
    total = got[("total", "eco")]
    assert total["name"] == "市生态环境局政务服务大厅"
    assert (total["issued"], total["served"], total["no_show"]) == ("6", "4", "1")
    assert (float(total["wait_mean_s"]), float(total["wait_p90_s"]), float(total["service_level"])) == (1140, 1760, 0.6)
    assert (total["ratings"], total["bad_ratings"], float(total["bad_rate"]), total["bad_rate_flagged"]) == \
        ("4", "1", 0.25, "yes")
    w1, w2 = got[("window", "w1")], got[("window", "w2")]
    assert (float(w1["utilisation"]), w1["utilisation_flagged"]) == (round(1200 / OPEN_S, 4), "")
    assert (float(w2["utilisation"]), w2["utilisation_flagged"]) == (round(2600 / OPEN_S, 4), "")
    assert float(got[("category", "consult")]["wait_mean_s"]) == 1590
    assert got[("category", "consult")]["name"] == "咨询与信息查询"
    assert float(got[("clerk", "lina")]["service_p90_s"]) == 2000
    assert got[("category", "assist")]["wait_mean_s"] == ""
    assert got[("day", "2026-11-23")]["issued"] == "6"


def test_xlsx_export(scripted):
    d, _T, boss = scripted
    r = d.get(f"/api/v1/halls/{HALL}/reports.xlsx", boss, **{"from": "2026-11-23", "to": "2026-11-23"})
    assert r.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    wb = load_workbook(io.BytesIO(r.content), read_only=True)
    # the complaints' sheet (issue 15) comes last; the scripted day has none
    assert wb.sheetnames == ["汇总 Summary", "明细 Figures", "评价 Ratings", "整改 Tasks", "投诉 Complaints"]
    assert next(wb["投诉 Complaints"].iter_rows(values_only=True))[:2] == ("投诉总数 Complaints received", 0)
    summary = {row[0]: row[1] for row in wb["汇总 Summary"].iter_rows(values_only=True)}
    assert summary["取号 Issued"] == 6 and summary["办结 Served"] == 4
    assert summary["90%等候(秒) P90 wait (s)"] == 1760 and summary["等候达标率 Service level"] == approx(0.6)
    assert summary["差评率 Bad-rating rate"] == 0.25
    assert summary["约谈 Interview (bad rate above threshold)"] == "是 yes"

    rows = list(wb["明细 Figures"].iter_rows(values_only=True))
    head = [h.split(" ")[-1] for h in rows[0]]
    figures = {(x[0], x[1]): dict(zip(head, x, strict=False)) for x in rows[1:]}
    w2 = figures[("window", "w2")]
    assert (w2["issued"], w2["served"], w2["wait_mean_s"], w2["service_p90_s"]) == (2, 2, 960, 2000)
    assert w2["utilisation"] == approx(round(2600 / OPEN_S, 4)) and w2["bad_rate"] == 0
    assert figures[("total", "eco")]["wait_mean_s"] == 1140

    levels = {row[0]: row[2] for row in wb["评价 Ratings"].iter_rows(values_only=True) if isinstance(row[0], int)}
    assert levels == {5: 1, 4: 1, 3: 1, 2: 0, 1: 1}
    tasks = list(wb["整改 Tasks"].iter_rows(values_only=True))
    assert len(tasks) == 2 and tasks[1][1] == "F001" and tasks[1][5] == "long_wait, attitude"
    wb.close()


def test_metrics_parse(scripted):
    from prometheus_client.parser import text_string_to_metric_families

    d, _T, _boss = scripted
    r = d.get("/metrics")
    assert r.headers["content-type"].startswith("text/plain")
    samples = {}
    for fam in text_string_to_metric_families(r.text):
        for s in fam.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    hall = ("hall", "eco")
    assert samples[("onewindow_queue_waiting", (("category", "consult"), hall))] == 1
    assert samples[("onewindow_queue_longest_wait_seconds", (("category", "consult"), hall))] == 600
    assert samples[("onewindow_calls_total", (hall,))] == 5
    assert samples[("onewindow_tickets_issued_total", (hall,))] == 6
    assert samples[("onewindow_no_shows_total", (hall,))] == 1
    assert samples[("onewindow_wait_mean_seconds", (("category", "eia"), hall))] == 940
    assert samples[("onewindow_wait_p90_seconds", (("category", "consult"), hall))] == 1760
    assert samples[("onewindow_service_level_ratio", (hall,))] == approx(0.6)
    assert samples[("onewindow_tickets_today", (hall, ("status", "served")))] == 4
    assert samples[("onewindow_windows", (hall, ("status", "idle")))] == 2
    assert samples[("onewindow_ratings_total", (hall, ("level", "1")))] == 1
    assert samples[("onewindow_rectification_tasks_open", (hall,))] == 1
    assert samples[("onewindow_rectification_tasks_overdue", (hall,))] == 0
    assert ("onewindow_websocket_subscribers", (hall,)) in samples
    assert samples[("onewindow_hub_resyncs_total", (hall,))] == 0
    assert not any(name.startswith("onewindow_broker_") for name, _ in samples), "one process: no broker"


def _poll_export(d, boss, job: dict) -> tuple[dict, list[float]]:
    """Poll the export until it ends; the progress figures seen on the way."""
    seen = []

    def ended():
        state = d.get(job["status_url"], boss).json()
        seen.append(state["progress"])
        return state if state["status"] != "running" else None

    return wait_until(ended, timeout=30, what="the export's end"), seen


def test_background_export_with_progress(scripted):
    d, _T, boss = scripted
    r = d.c.post(f"/api/v1/halls/{HALL}/exports", headers=boss,
                      json={"from": "2025-11-24", "to": "2026-11-23", "format": "xlsx"})
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["status"] == "running" and 0 <= job["progress"] < 1
    state, seen = _poll_export(d, boss, job)
    assert state["status"] == "done", state
    assert seen == sorted(seen) and state["progress"] == 1.0
    f = d.get(state["download"], boss)
    assert 'filename="onewindow-eco-2025-11-24-2026-11-23.xlsx"' in f.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(f.content), read_only=True)
    summary = {row[0]: row[1] for row in wb["汇总 Summary"].iter_rows(values_only=True)}
    assert summary["取号 Issued"] == 6 and summary["办结 Served"] == 4  # the year holds just the scripted day
    wb.close()

    r = d.c.post(f"/api/v1/halls/{HALL}/exports", headers=boss,
                      json={"from": "2026-11-23", "to": "2026-11-23", "format": "csv"})
    state, _ = _poll_export(d, boss, r.json())
    rows = list(csv.DictReader(io.StringIO(d.get(state["download"], boss).content.decode("utf-8").lstrip("\ufeff"))))
    assert {(x["section"], x["key"]): x["issued"] for x in rows}[("total", "eco")] == "6"


def test_background_export_refusals(scripted):
    d, _T, boss = scripted
    post = lambda body, who=boss: d.c.post(f"/api/v1/halls/{HALL}/exports", headers=who, json=body)  # noqa: E731
    assert post({"from": "2026-11-23", "to": "2026-11-22"}).status_code == 422  # backwards
    assert post({"from": "2024-01-01", "to": "2026-11-23"}).status_code == 422  # longer than a report may be
    assert post({"from": "2026-11-23", "to": "2026-11-23", "format": "pdf"}).status_code == 422
    assert post({"from": "2026-11-23", "to": "2026-11-23"}, who=d.user("clerk8")).status_code == 403
    assert post({"from": "2026-11-23", "to": "2026-11-23"}, who={}).status_code == 401
    d.get("/api/v1/exports/AAAAAAAAAAAAAAAA", boss, status=404)
    d.get("/api/v1/exports/..%2F..%2Fsecret", boss, status=404)
    job = post({"from": "2026-11-23", "to": "2026-11-23"}).json()
    d.get(job["status_url"], d.user("clerk9"), status=403)
