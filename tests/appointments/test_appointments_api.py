"""The appointments API over the demo hall (eia: 30-minute slots, the ID number asked,
one per person; permit: no ID), time injected: booking, a full slot, one per person,
cancelling and rescheduling with the token, checking in at the window's edges at a
paired kiosk, lateness, no-shows and their block, reminders, and no plain ID number
or phone in the database file."""
from __future__ import annotations

import sqlite3
from datetime import datetime

import pytest
from support.accounts import Staff
from support.clock import SHANGHAI, at
from support.halls import demo_config, demo_with

from onewindow.appointments.idcard import check_char

HALL = "eco"
BASE = f"/api/v1/halls/{HALL}"
TOMORROW = "2026-11-24"  # the clock starts Monday 2026-11-23 10:00


def id_number(seq: int) -> str:
    first = f"11010119800101{seq:03d}"
    return first + check_char(first)


def phone(seq: int) -> str:
    return f"1391234{seq:04d}"


def book(client, start="2026-11-24T09:00:00+08:00", category="eia", seq=1, **extra):
    body = {"category": category, "start": start, "phone": phone(seq), **extra}
    if category == "eia" and "id_number" not in extra:
        body["id_number"] = id_number(seq)
    return client.post(f"{BASE}/appointments", json=body)


def kiosk(client) -> dict:
    return {"X-Device-Token": client.devices.token(HALL, "kiosk")}


LIMITS = "[halls.limits]\nremote_client_burst = 100\nremote_per_client_per_hour = 1000\n"


@pytest.fixture
def c(make_client):
    # SQLite (the database file is grepped below); the testing client may book more than a person
    return make_client(demo_with(LIMITS))


@pytest.fixture
def cdb(make_client, database_url):
    """The same, on SQLite and then PostgreSQL."""
    return make_client(demo_with(LIMITS), database_url=database_url)


def test_booking_is_rate_limited_like_remote_tickets(make_client):
    c = make_client()
    codes = [book(c, f"2026-11-{d}T09:00:00+08:00", "permit", seq=d).status_code for d in (24, 25, 26, 27)]
    assert codes == [201, 201, 201, 429]


def test_slots_then_booking_takes_a_seat(c):
    slots = c.get(f"{BASE}/slots", params={"category": "eia", "date": TOMORROW}).json()
    assert slots[0] == {"start": "2026-11-24T09:00:00+08:00", "end": "2026-11-24T09:30:00+08:00",
                        "capacity": slots[0]["capacity"], "left": slots[0]["capacity"]}
    r = book(c)
    assert r.status_code == 201, r.text
    got = r.json()
    assert set(got) >= {"id", "code", "start", "token"} and got["start"] == "2026-11-24T09:00:00+08:00"
    assert len(got["code"]) == 8 and got["code"].isdigit()
    after = c.get(f"{BASE}/slots", params={"category": "eia", "date": TOMORROW}).json()
    assert after[0]["left"] == slots[0]["left"] - 1


def test_closed_days_and_bad_input(c):
    assert c.get(f"{BASE}/slots", params={"category": "eia", "date": "2026-11-28"}).json() == []  # Saturday
    assert c.get(f"{BASE}/slots", params={"category": "eia", "date": "2027-02-01"}).json() == []  # too far ahead
    r = c.get(f"{BASE}/slots", params={"category": "eia", "date": "tomorrow"})
    assert (r.status_code, r.json()["code"]) == (422, "bad_date")
    r = c.get(f"{BASE}/slots", params={"category": "complaint", "date": TOMORROW})
    assert (r.status_code, r.json()["code"]) == (422, "no_appointments")
    assert book(c, start="2026-11-24T09:10:00+08:00").json()["code"] == "no_such_slot"
    r = book(c, id_number="")
    assert (r.status_code, r.json()["code"]) == (422, "id_required")
    r = book(c, id_number="110101198001010011")
    assert (r.status_code, r.json()["code"]) == (422, "bad_id_number")
    r = book(c, start="2026-11-23T09:00:00+08:00")  # this morning: gone
    assert r.status_code == 409 and r.json()["code"] == "slot_past"


def test_a_full_slot_answers_409_with_the_nearest_free_slots(c):
    cap = c.get(f"{BASE}/slots", params={"category": "permit", "date": TOMORROW}).json()[2]["capacity"]
    for i in range(cap):
        assert book(c, "2026-11-24T10:00:00+08:00", "permit", seq=10 + i).status_code == 201
    r = book(c, "2026-11-24T10:00:00+08:00", "permit", seq=99)
    assert r.status_code == 409 and r.json()["code"] == "slot_full"
    near = [s["start"] for s in r.json()["nearest"]]
    assert near == ["2026-11-24T09:00:00+08:00", "2026-11-24T09:30:00+08:00", "2026-11-24T10:30:00+08:00"]


def test_one_booking_per_person_a_day_by_id_number(cdb):
    c = cdb
    assert book(c, seq=1).status_code == 201
    r = book(c, "2026-11-24T14:00:00+08:00", seq=2, id_number=id_number(1))  # another phone, the same ID
    assert r.status_code == 409 and r.json()["code"] == "one_per_person"
    assert "one booking or ticket per person per day" in r.json()["error"]
    r = book(c, "2026-11-24T14:00:00+08:00", seq=1, id_number=id_number(3))  # the same phone
    assert r.status_code == 409 and r.json()["code"] == "one_per_person"
    assert book(c, "2026-11-25T14:00:00+08:00", seq=1).status_code == 201  # another day


def test_cancel_and_reschedule_with_the_token(cdb):
    c = cdb
    a = book(c).json()
    assert c.delete(f"/api/v1/appointments/{a['id']}", params={"token": "wrong"}).status_code == 404
    r = c.post(f"/api/v1/appointments/{a['id']}/reschedule", params={"token": a["token"]},
               json={"start": "2026-11-25T15:00:00+08:00"})
    assert r.status_code == 200 and r.json()["start"] == "2026-11-25T15:00:00+08:00"
    left = {s["start"]: s["left"] for s in c.get(f"{BASE}/slots", params={"category": "eia", "date": TOMORROW}).json()}
    assert left["2026-11-24T09:00:00+08:00"] == c.get(f"{BASE}/slots", params={
        "category": "eia", "date": TOMORROW}).json()[0]["capacity"]  # the old seat is free again
    r = c.delete(f"/api/v1/appointments/{a['id']}", params={"token": a["token"]})
    assert r.status_code == 200 and r.json()["state"] == "cancelled"
    assert c.delete(f"/api/v1/appointments/{a['id']}", params={"token": a["token"]}).status_code == 409
    assert book(c, "2026-11-25T15:00:00+08:00").status_code == 201  # the claim went with the cancellation
    qr = c.get(f"/api/v1/appointments/{a['id']}/qr.svg", params={"token": a["token"]})
    assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg")


def test_check_in_at_the_exact_edges_of_the_window(c, clock):
    early, first, last, late = (book(c, f"2026-11-24T{h}:00+08:00", seq=i).json()
                                for i, h in enumerate(("09:00", "09:30", "10:00", "10:30"), start=1))
    start = datetime.fromisoformat(early["start"]).timestamp()
    clock.set(at(2026, 11, 24, 8, 44, 59))  # 15 min 1 s before 09:00
    r = c.post(f"{BASE}/check-in", json={"code": early["code"]}, headers=kiosk(c))
    assert r.status_code == 409 and r.json()["code"] == "too_early"
    assert r.json()["come_at"] == "2026-11-24T08:45:00+08:00" and "08:45" in r.json()["error"]
    clock.now = start - 15 * 60  # the first second of the window
    r = c.post(f"{BASE}/check-in", json={"code": early["code"]}, headers=kiosk(c))
    assert r.status_code == 201, r.text
    t = r.json()
    assert t["priority"] == "appointment" and t["appointment"]["state"] == "checked_in" and t["number"]
    assert {"id", "number", "category", "ahead", "estimated_wait_s", "track_token", "windows"} <= set(t)
    clock.now = datetime.fromisoformat(first["start"]).timestamp() + 10 * 60  # the last second
    r = c.post(f"{BASE}/check-in", json={"code": first["code"]}, headers=kiosk(c))
    assert r.status_code == 201 and r.json()["appointment"]["state"] == "checked_in"
    clock.now = datetime.fromisoformat(last["start"]).timestamp() + 10 * 60 + 1  # a second late
    r = c.post(f"{BASE}/check-in", json={"code": last["code"]}, headers=kiosk(c))
    assert r.status_code == 201 and r.json()["priority"] == "normal" and r.json()["appointment"]["state"] == "late"
    assert c.post(f"{BASE}/check-in", json={"code": last["code"]}, headers=kiosk(c)).json()["code"] == \
        "appointment_closed"
    # the ID card at the kiosk finds the day's booking
    clock.now = datetime.fromisoformat(late["start"]).timestamp()
    r = c.post(f"{BASE}/check-in", json={"id_number": id_number(4)}, headers=kiosk(c))
    assert r.status_code == 201 and r.json()["appointment"]["code"] == late["code"]


def test_check_in_needs_a_paired_kiosk(c):
    a = book(c).json()
    r = c.post(f"{BASE}/check-in", json={"code": a["code"]}, headers={"X-Device-Token": ""})
    assert r.status_code == 401 and r.json()["code"] == "device_required"


def test_a_checked_in_appointment_is_called_before_walk_ins_from_its_start(cdb, clock):
    c = cdb
    clock.set(at(2026, 11, 24, 9, 0))
    staff = Staff(c)
    a = book(c, "2026-11-24T09:30:00+08:00", "permit").json()
    clock.set(at(2026, 11, 24, 9, 10))
    walk_in = c.post(f"{BASE}/tickets", json={"category": "permit"}).json()
    clock.set(at(2026, 11, 24, 9, 20))
    appt = c.post(f"{BASE}/check-in", json={"code": a["code"]}, headers=kiosk(c)).json()
    clerk = staff.make("lina")
    assert c.post(f"{BASE}/windows/w2/sign-in", headers=clerk).status_code == 200
    clock.set(at(2026, 11, 24, 9, 31))
    first = c.post(f"{BASE}/windows/w2/next", headers=clerk).json()
    assert first["id"] == appt["id"], "due at 09:30, ahead of the 09:10 walk-in (21 min < its 30)"
    got = c.get(f"/api/v1/tickets/{appt['id']}/appointment", headers=clerk).json()
    assert got["on_time"] is True and got["code"] == a["code"]
    desk = c.get(f"{BASE}/windows/w2/console", headers=clerk).json()["current"]
    assert desk["priority"] == "appointment"
    assert desk["appointment"] == {"code": a["code"], "start": "2026-11-24T09:30:00+08:00",
                                   "checked_in_at": "2026-11-24T09:20:00+08:00", "on_time": True}
    assert c.post(f"{BASE}/windows/w2/next", headers=clerk).json()["id"] == walk_in["id"]


def test_no_shows_are_recorded_and_repeated_ones_block_booking(c, clock):
    for day in (24, 25, 26):
        assert book(c, f"2026-11-{day}T09:00:00+08:00", "permit").status_code == 201
    clock.set(at(2026, 11, 26, 9, 11))
    r = book(c, "2026-11-30T09:00:00+08:00", "permit")  # missed, whether the round has recorded them yet or not
    assert r.status_code == 409 and r.json()["code"] == "booking_blocked"
    assert r.json()["until"].startswith("2026-12-26")
    rt = c.app.state.runtime
    c.portal.call(rt.appointments.run_round, rt.halls[HALL])  # the round records them
    r = book(c, "2026-11-30T09:00:00+08:00", "permit")
    assert r.status_code == 409 and r.json()["code"] == "booking_blocked"
    admin = Staff(c).admin
    s = c.get(f"{BASE}/appointments/summary", params={"from": "2026-11-24", "to": "2026-11-26"}, headers=admin)
    assert s.json()["categories"]["permit"]["no_show"] == 3


def test_reminders_go_through_the_outbox_the_day_before_and_an_hour_before(c, clock, settings):
    book(c, "2026-11-25T09:30:00+08:00", "permit")
    rt = c.app.state.runtime

    def round_then_kinds():
        c.portal.call(rt.appointments.run_round, rt.halls[HALL])
        db = sqlite3.connect(settings.data_dir / "onewindow.db")
        try:
            return [r[0] for r in db.execute("SELECT kind FROM notify_outbox ORDER BY id")]
        finally:
            db.close()

    assert round_then_kinds() == []  # two days ahead
    clock.set(at(2026, 11, 24, 9, 29, 59))
    assert round_then_kinds() == []
    clock.set(at(2026, 11, 24, 9, 30, 1))  # inside 24 hours
    assert round_then_kinds() == ["appointment_reminder_day"]
    assert round_then_kinds() == ["appointment_reminder_day"]  # once
    clock.set(at(2026, 11, 25, 8, 30, 1))  # inside the hour
    assert round_then_kinds() == ["appointment_reminder_day", "appointment_reminder_hour"]


def test_the_database_holds_no_plain_id_number_or_phone(c, settings):
    number = id_number(7)
    assert book(c, seq=7, id_number=number).status_code == 201
    raw = b"".join(p.read_bytes() for p in settings.data_dir.glob("onewindow.db*"))  # the WAL too
    assert b"appointment" in raw and len(raw) > 10_000  # the right file
    assert phone(7).encode() not in raw
    assert number.encode() not in raw and number[:17].encode() not in raw
    assert number.encode("utf-16-le") not in raw


def test_start_without_offset_is_the_halls_time(c):
    r = book(c, start="2026-11-24T09:00:00")
    assert r.status_code == 201 and r.json()["start"] == "2026-11-24T09:00:00+08:00"
    assert SHANGHAI is not None


def test_a_second_ticket_for_the_same_id_number_is_refused(c):
    first = c.post(f"{BASE}/tickets", json={"category": "eia", "id_number": id_number(5)})
    assert first.status_code == 201, first.text
    again = c.post(f"{BASE}/tickets", json={"category": "eia", "id_number": id_number(5).lower()})
    assert again.status_code == 409 and again.json()["code"] == "one_per_person"
    assert "同一人同一事项每天只能预约或取号一次" in again.json()["error"]
    assert c.post(f"{BASE}/tickets", json={"category": "consult", "id_number": id_number(5)}).status_code == 201
    # a booking for today holds the day's one too
    assert book(c, "2026-11-23T14:00:00+08:00", seq=6).status_code == 201
    r = c.post(f"{BASE}/tickets", json={"category": "eia", "id_number": id_number(6)})
    assert r.status_code == 409 and r.json()["code"] == "one_per_person"
    bad = c.post(f"{BASE}/tickets", json={"category": "eia", "id_number": "110101198001010011"})
    assert (bad.status_code, bad.json()["code"]) == (422, "bad_id_number")


def test_the_dashboard_and_reports_count_bookings_check_ins_and_no_shows(c, clock):
    clock.set(at(2026, 11, 24, 8, 0))
    on_time, late, _missed = (book(c, f"2026-11-24T{h}:00+08:00", "permit", seq=i).json()
                              for i, h in enumerate(("09:00", "09:30", "10:00"), start=1))
    gone = book(c, "2026-11-24T10:30:00+08:00", "permit", seq=4).json()
    c.delete(f"/api/v1/appointments/{gone['id']}", params={"token": gone["token"]})
    clock.set(at(2026, 11, 24, 8, 50))
    assert c.post(f"{BASE}/check-in", json={"code": on_time["code"]}, headers=kiosk(c)).status_code == 201
    clock.set(at(2026, 11, 24, 9, 45))
    assert c.post(f"{BASE}/check-in", json={"code": late["code"]}, headers=kiosk(c)).status_code == 201
    assert c.post(f"{BASE}/tickets", json={"category": "permit"}).status_code == 201  # a walk-in
    clock.set(at(2026, 11, 24, 10, 11))
    admin = Staff(c).admin
    c.portal.call(c.app.state.runtime.appointments.run_round, c.app.state.runtime.halls[HALL])
    today = c.get(f"{BASE}/dashboard", headers=admin).json()["today"]["appointments"]
    permit = next(r for r in today["by_category"] if r["category"] == "permit")
    assert permit == {"category": "permit", "booked": 3, "checked_in": 1, "late": 1, "no_show": 1, "cancelled": 1,
                      "to_come": 0, "share_of_tickets": round(2 / 3, 4)}
    rep = c.get(f"{BASE}/reports", params={"from": "2026-11-24", "to": "2026-11-24"}, headers=admin).json()
    assert rep["appointments"]["totals"]["no_show"] == 1 and "appointments" in rep["definitions"]


def test_a_booking_whose_slot_disappears_is_flagged_to_the_manager_and_the_applicant(make_client, settings):
    c = make_client(demo_with(LIMITS))
    kept = book(c, "2026-11-24T09:00:00+08:00", "permit", seq=1).json()
    lost = book(c, "2026-11-24T16:30:00+08:00", "permit", seq=2).json()
    # the hall's hours change: it closes at 16:00 from now on (the same database, a new server)
    later = make_client(demo_config(replace={'close = "17:00"': 'close = "16:00"',
                                             'ticketing_until = "16:45"': 'ticketing_until = "15:45"'}))
    rt = later.app.state.runtime
    later.portal.call(rt.appointments.run_round, rt.halls[HALL])
    later.portal.call(rt.appointments.run_round, rt.halls[HALL])  # once
    flagged = later.get(f"{BASE}/appointments/summary", headers=Staff(later).admin).json()["flagged"]
    assert [a["code"] for a in flagged] == [lost["code"]] and kept["code"] != lost["code"]
    db = sqlite3.connect(settings.data_dir / "onewindow.db")
    try:
        kinds = [r[0] for r in db.execute("SELECT kind FROM notify_outbox WHERE kind = 'appointment_slot_gone'")]
    finally:
        db.close()
    assert kinds == ["appointment_slot_gone"]
    # moved to a slot that exists: no longer flagged
    r = later.post(f"/api/v1/appointments/{lost['id']}/reschedule", params={"token": lost["token"]},
                   json={"start": "2026-11-24T15:00:00+08:00"})
    assert r.status_code == 200, r.text
    assert later.get(f"{BASE}/appointments/summary", headers=Staff(later).admin).json()["flagged"] == []


def test_moving_into_a_full_slot_keeps_the_booking_where_it_was(cdb):
    c = cdb
    a = book(c, "2026-11-24T09:00:00+08:00", "permit", seq=1).json()
    cap = c.get(f"{BASE}/slots", params={"category": "permit", "date": TOMORROW}).json()[2]["capacity"]
    for i in range(cap):
        assert book(c, "2026-11-24T10:00:00+08:00", "permit", seq=10 + i).status_code == 201
    r = c.post(f"/api/v1/appointments/{a['id']}/reschedule", params={"token": a["token"]},
               json={"start": "2026-11-24T10:00:00+08:00"})
    assert r.status_code == 409 and r.json()["code"] == "slot_full" and r.json()["nearest"]
    assert c.get(f"/api/v1/appointments/{a['id']}", params={"token": a["token"]}).json()["start"] == \
        "2026-11-24T09:00:00+08:00"
    left = {s["start"]: s["left"] for s in c.get(f"{BASE}/slots", params={"category": "permit",
                                                                          "date": TOMORROW}).json()}
    assert left["2026-11-24T09:00:00+08:00"] == cap - 1 and left["2026-11-24T10:00:00+08:00"] == 0
    # and back and forth between two slots with seats
    for start in ("2026-11-24T14:00:00+08:00", "2026-11-24T09:00:00+08:00"):
        assert c.post(f"/api/v1/appointments/{a['id']}/reschedule", params={"token": a["token"]},
                      json={"start": start}).status_code == 200


def test_the_report_exports_carry_the_appointments(c, clock):
    import csv
    import io

    clock.set(at(2026, 11, 24, 8, 0))
    a = book(c, "2026-11-24T09:00:00+08:00", "permit", seq=1).json()
    book(c, "2026-11-24T09:30:00+08:00", "permit", seq=2)
    clock.set(at(2026, 11, 24, 8, 50))
    assert c.post(f"{BASE}/check-in", json={"code": a["code"]}, headers=kiosk(c)).status_code == 201
    clock.set(at(2026, 11, 24, 9, 41))
    admin = Staff(c).admin
    day = {"from": "2026-11-24", "to": "2026-11-24"}
    text = c.get(f"{BASE}/reports.csv", headers=admin, params=day).content.decode("utf-8-sig")
    rows = {(x["section"], x["key"]): x for x in csv.DictReader(io.StringIO(text))}
    permit = rows[("appointment", "permit")]
    assert (permit["appt_booked"], permit["appt_checked_in"], permit["appt_no_show"]) == ("2", "1", "1")
    assert permit["appt_share_of_tickets"] == "1.0" and rows[("total", HALL)]["appt_booked"] == "2"
    assert c.get(f"{BASE}/reports.xlsx", headers=admin, params=day).status_code == 200
