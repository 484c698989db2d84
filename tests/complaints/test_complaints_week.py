"""A scripted week of complaints (issue 15, point 1), time driven by the injected clock: every
milestone kept or missed as scripted, and each yellow and red card raised at its minute, once
(the supervision round runs every hour of the week, and at each scripted minute and the one before).

Handling is limited to 2 working days here so that a week shows it kept and missed."""
from __future__ import annotations

from datetime import timedelta

import pytest
from support.accounts import Staff
from support.clock import at
from support.complaints import intake, step
from support.halls import HALL, demo_config

MON = at(2026, 11, 23, 0, 0)  # Monday 23 November 2026: a full working week, then a weekend
MIN = timedelta(minutes=1)


def d(day: int, hh: int, mm: int = 0):
    """Day `day` of the week (0: Monday) at hh:mm."""
    return MON + timedelta(days=day, hours=hh, minutes=mm)


@pytest.fixture
def world(make_client, clock):
    clock.set(d(0, 8))
    client = make_client(demo_config(replace={
        'handling = { amount = 15, unit = "working_days" }': 'handling = { amount = 2, unit = "working_days" }'}))
    staff = Staff(client)
    people = {"clerk": staff.make("zhangwei"), "manager": staff.make("boss", role="manager")}
    client.cookies.clear()
    return client, people


def _alerts(client) -> dict[str, float]:
    """Every complaint alert: its key -> when it was raised."""
    rt = client.app.state.runtime
    rows = client.portal.call(rt.db.read, lambda tx: tx.all(
        "SELECT key, at FROM supervision_alert WHERE kind LIKE 'complaint%'"))
    return {r[0]: r[1] for r in rows}


def test_a_week_of_complaints(world, clock):
    client, people = world
    clerk = people["clerk"]
    ids: dict[str, int] = {}

    def new(name, **kw):
        def act():
            r = intake(client, clerk, **kw)
            assert r.status_code == 201, r.text
            ids[name] = r.json()["id"]
        return act

    def do(name, step_, **kw):
        def act():
            r = step(client, clerk, ids[name], step_, **kw)
            assert r.status_code == 200, r.text
        return act

    phone = {"phone": "13812345678"}
    anon = {"anonymous": True, "phone": ""}
    script = [
        # A: all in time. B: nobody calls, forwarded late. C: a letter entered late.
        (d(0, 10), new("A", **phone)),
        (d(0, 10, 50), new("B", source="hotline", received_at=d(0, 10).isoformat(), type="noise.commercial",
                           place="西单商场门口", **phone)),
        (d(0, 11, 30), new("C", source="letter", received_at=d(0, 9).isoformat(), type="water.sewage",
                           place="某小区", **phone)),
        (d(0, 14), new("G", source="grid", type="solid_waste", place="河边", **anon)),
        (d(0, 15), do("A", "contact")),
        (d(1, 8), do("C", "contact")),
        (d(1, 9, 30), do("A", "file")), (d(1, 9, 30), do("A", "dispatch", department="urban_management")),
        (d(1, 10), do("G", "file")), (d(1, 10), do("G", "dispatch", department="enforcement")),
        (d(1, 11), do("C", "file")), (d(1, 11), do("C", "dispatch", department="water_affairs")),
        (d(2, 10), do("B", "file")), (d(2, 10), do("B", "dispatch", department="urban_management")),
        (d(2, 16), new("D", source="grid", type="air.open_burning", place="城郊", **anon)),
        (d(3, 16), do("A", "feedback", result="已整改")),
        (d(4, 9), do("D", "file")), (d(4, 9), do("D", "dispatch", department="urban_management")),
        (d(4, 10), do("A", "verify", outcome="rectified")),
        (d(4, 16), new("E", type="noise.construction", place="工地", **phone)),
        (d(5, 15, 59), do("E", "contact")),  # Saturday, a minute before its 24 hours
    ]
    # Each card: (complaint, milestone, level) -> the minute it must be raised.
    expected = {
        ("A", "forward", "yellow"): d(1, 0),  # no working day left before Tuesday's due day
        ("A", "handling", "yellow"): d(2, 0),  # due Thursday: the working day before
        ("B", "contact", "yellow"): d(1, 4),  # the last 6 of 24 hours
        ("B", "contact", "red"): d(1, 10, 1),  # due Tue 10:00:00, red the first minute after
        ("B", "forward", "yellow"): d(1, 0),
        ("B", "forward", "red"): d(2, 0),  # due Tue 23:59:59
        ("C", "entry", "red"): d(0, 11, 30),  # received 09:00, entered 11:30
        ("C", "contact", "yellow"): d(1, 3),
        ("C", "forward", "yellow"): d(1, 0),
        ("G", "forward", "yellow"): d(1, 0),
        ("G", "handling", "yellow"): d(2, 0),
        ("G", "handling", "red"): d(4, 0),  # never fed back: due Thu 23:59:59
        ("D", "forward", "yellow"): d(3, 0),
        ("D", "forward", "red"): d(4, 0),
        ("B", "handling", "yellow"): d(3, 0),  # dispatched Wed: due Fri
        ("C", "handling", "yellow"): d(2, 0),
        ("C", "handling", "red"): d(4, 0),
        # D dispatched Friday 09:00 is due Tuesday: from Saturday only Monday is left before it.
        ("D", "handling", "yellow"): d(5, 0),
        ("E", "contact", "yellow"): d(5, 10),
        ("E", "forward", "yellow"): d(5, 0),
        ("E", "forward", "red"): d(8, 0),  # due Monday 23:59:59, never dispatched
        ("B", "handling", "red"): d(5, 0),
    }
    escalated = {"G": d(4, 0), "C": d(4, 0), "B": d(5, 0)}  # a handling gone red: one grade up, once

    ticks = {d(0, 8) + timedelta(hours=h) for h in range(8 * 24)}
    ticks |= {t for t, _ in script} | {t for t in expected.values()} | {t - MIN for t in expected.values()}
    actions: dict = {}
    for t, act in script:
        actions.setdefault(t, []).append(act)
    rt = client.app.state.runtime
    for t in sorted(ticks):
        clock.set(t)
        for act in actions.get(t, []):
            act()
        client.portal.call(rt.cases.check)  # the supervision round (complaints included)

    names = {v: k for k, v in ids.items()}
    got: dict = {}
    for key, when in _alerts(client).items():
        parts = key.split(":")  # hall:complaint:id:milestone:round:level / hall:complaint_escalated:id:grade
        if parts[1] == "complaint":
            got[(names[int(parts[2])], parts[3], parts[5])] = when
    want = {k: v.timestamp() for k, v in expected.items()}
    assert {k: clock_str(v) for k, v in got.items()} == {k: clock_str(v) for k, v in want.items()}
    esc = {names[int(k.split(":")[2])]: v for k, v in _alerts(client).items() if ":complaint_escalated:" in k}
    assert esc == {k: v.timestamp() for k, v in escalated.items()}

    # Every milestone kept or missed as scripted.
    def states(name):
        c = client.get(f"/api/v1/complaints/{ids[name]}", headers=clerk).json()
        return {k["milestone"]: k["state"] for k in c["clocks"]}, c

    assert states("A")[0] == {"entry": "kept", "contact": "kept", "forward": "kept", "handling": "kept",
                              "verify": "kept"}
    sb, b = states("B")
    assert sb == {"entry": "kept", "contact": "red", "forward": "missed", "handling": "red"}
    assert b["grade"] == "major"
    assert states("C")[0] == {"entry": "missed", "contact": "kept", "forward": "kept", "handling": "red"}
    assert states("D")[0] == {"entry": "kept", "forward": "missed", "handling": "yellow"}
    assert states("E")[0] == {"entry": "kept", "contact": "kept", "forward": "red"}
    assert states("G")[0] == {"entry": "kept", "forward": "kept", "handling": "red"}
    # A red card replaces its clock's yellow one: B's contact has one open card, the red.
    open_b = client.portal.call(rt.db.read, lambda tx: [r[0] for r in tx.all(
        "SELECT key FROM supervision_alert WHERE resolved_at IS NULL AND key LIKE :k",
        {"k": f"%:complaint:{ids['B']}:contact:%"})])
    assert [k.rsplit(":", 1)[1] for k in open_b] == ["red"]
    # A milestone done settles its cards: no open alert of A, of E's contact, or of C's contact.
    open_keys = client.portal.call(rt.db.read, lambda tx: [r[0] for r in tx.all(
        "SELECT key FROM supervision_alert WHERE kind = 'complaint' AND resolved_at IS NULL")])
    assert not any(f":complaint:{ids['A']}:" in k for k in open_keys)
    assert not any(f":complaint:{ids['E']}:contact:" in k for k in open_keys)
    assert not any(f":complaint:{ids['C']}:contact:" in k for k in open_keys)
    # The week's report: each milestone's kept share.
    r = client.get(f"/api/v1/halls/{HALL}/reports", headers=people["manager"],
                   params={"from": "2026-11-23", "to": "2026-11-29"})
    m = r.json()["complaints"]["milestones"]
    assert m["entry"] == {"kept": 5, "missed": 1, "running": 0, "kept_share": round(5 / 6, 4)}
    assert m["forward"]["kept"] == 3 and m["forward"]["missed"] == 3  # B, D late; E past due, not dispatched


def clock_str(ts: float) -> str:
    from datetime import datetime

    from support.clock import SHANGHAI

    return datetime.fromtimestamp(ts, SHANGHAI).strftime("%a %H:%M")
