"""Issue 14, point 5: the reports count messages sent and failed per channel and kind (the outbox),
cases rated against cases completed, and the share of accepted cases looked up online; the CSV
and XLSX exports carry them."""
from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from support.halls import HALL
from support.wait import wait_until

DAY = {"from": "2026-11-23", "to": "2026-11-23"}


def test_the_report_counts_messages_ratings_of_cases_and_look_ups(hall):
    a = hall.accept(notify=True, phone="13800000001")  # the demo hall's channel: a file
    b = hall.accept(notify=True, phone="13800000002")
    c = hall.accept(notify=False)
    for _ in range(2):
        hall.progress(a["id"], a["track_token"])  # two look-ups, one case
    hall.progress(b["id"], b["track_token"])
    hall.case_action(a["id"], "complete")
    hall.case_action(c["id"], "complete")
    hall.rate(a["id"], a["track_token"], 2, reasons=["slow"])
    rt = hall.runtime
    outbox = lambda: hall.read(lambda tx: tx.all("SELECT id, kind, state FROM notify_outbox ORDER BY id"))  # noqa: E731
    wait_until(lambda: all(m["state"] in ("sent", "delivered") for m in outbox()) and len(outbox()) == 4,
               timeout=20, what="the file channel to send")
    # one of them failed at the gateway
    hall.client.portal.call(rt.db.write, lambda tx: tx.execute(
        "UPDATE notify_outbox SET state = 'failed', last_error = 'rejected' WHERE kind = 'case_rate_invite'"))

    r = hall.client.get(f"/api/v1/halls/{HALL}/reports", headers=hall.manager, params=DAY)
    assert r.status_code == 200, r.text
    rep = r.json()
    m = rep["messages"]
    assert (m["sent"], m["failed"], m["pending"]) == (3, 1, 0)
    by = {(g["channel"], g["kind"]): (g["sent"], g["failed"]) for g in m["by_channel_kind"]}
    assert by == {("file", "case_accepted"): (2, 0), ("file", "case_completed"): (1, 0),
                  ("file", "case_rate_invite"): (0, 1)}
    assert rep["cases"]["rated"] == {"completed": 2, "rated": 1, "bad": 1, "rated_share": 0.5}
    tracked = rep["cases"]["tracked"]
    assert (tracked["accepted"], tracked["looked_up"], tracked["lookups"]) == (3, 2, 3)
    assert abs(tracked["looked_up_share"] - 2 / 3) < 1e-9

    text = hall.client.get(f"/api/v1/halls/{HALL}/reports.csv", headers=hall.manager, params=DAY).content
    rows = {(x["section"], x["key"]): x for x in csv.DictReader(io.StringIO(text.decode("utf-8-sig")))}
    total = rows[("total", HALL)]
    assert (total["cases_completed"], total["cases_rated"], total["cases_rated_share"]) == ("2", "1", "0.5")
    assert (total["cases_accepted"], total["cases_looked_up"], total["cases_looked_up_share"]) == ("3", "2", "0.6667")
    assert (total["messages_sent"], total["messages_failed"]) == ("3", "1")
    row = rows[("message", "file:case_rate_invite")]
    assert (row["messages_sent"], row["messages_failed"]) == ("0", "1")

    today = hall.client.get(f"/api/v1/halls/{HALL}/dashboard", headers=hall.manager).json()["today"]
    assert today["cases"]["rated"]["rated"] == 1 and today["messages"]["failed"] == 1

    x = hall.client.get(f"/api/v1/halls/{HALL}/reports.xlsx", headers=hall.manager, params=DAY)
    assert x.status_code == 200
    book = load_workbook(io.BytesIO(x.content))
    summary = {r[0]: r[1] for r in book["汇总 Summary"].iter_rows(values_only=True)}
    assert summary["办件评价数 Cases rated"] == 1 and summary["网上查询办件数 Cases looked up online"] == 2
    assert summary["消息失败 Messages failed"] == 1
    heads = [c.value for c in book["明细 Figures"][1]]
    assert "消息已发 messages_sent" in heads
