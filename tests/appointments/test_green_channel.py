"""Green channel by appointment for key projects (issue 16 point 6, seed 004 重点项目绿色通道): a
booking in a category that takes key projects may be marked so, naming the case number or the
project; it reaches the liaison (the case's key-project card's, else the hall's
green_channel_liaison) through the outbox (kind key_project_booking) and in their list
(GET .../appointments/green-channel); at the kiosk it checks in as green channel. Time
injected; on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from support.accounts import Staff
from support.clock import at
from support.halls import demo_with

from onewindow.appointments.idcard import check_char
from onewindow.server.store import tickets as tstore

HALL = "eco"
BASE = f"/api/v1/halls/{HALL}"
LIMITS = "[halls.limits]\nremote_client_burst = 100\nremote_per_client_per_hour = 1000\n"
PROJECT = "某某新材料产业园一期"
HALL_PHONE = "13800138000"  # the demo hall's green_channel_phone
CARD_PHONE = "13912340000"


def id_number(seq: int) -> str:
    first = f"11010119800101{seq:03d}"
    return first + check_char(first)


def book(c, seq: int, start: str = "2026-11-24T09:00:00+08:00", category: str = "eia", **extra):
    body = {"category": category, "start": start, "phone": f"1391234{seq:04d}", **extra}
    if category == "eia":
        body["id_number"] = id_number(seq)
    return c.post(f"{BASE}/appointments", json=body)


class Hall:
    def __init__(self, c):
        self.c = c
        self.staff = Staff(c)
        self.liuyang = self.staff.make("liuyang", display_name="刘洋")  # the demo hall's green-channel liaison
        self.chenjing = self.staff.make("chenjing", display_name="陈静")
        self.clerk = self.staff.make("zhangwei", display_name="张伟")
        self.manager = self.staff.make("boss", role="manager")
        rt = c.app.state.runtime
        self.rt = rt
        assert c.post(f"{BASE}/windows/w1/sign-in", headers=self.clerk).status_code == 200

    def case(self, project: str) -> dict:
        """A key_project_eia case accepted at w1 (ticket, call, start, complete)."""
        t = self.c.post(f"{BASE}/tickets", json={"category": "eia"}).json()
        assert self.c.post(f"{BASE}/windows/w1/next", headers=self.clerk).json()["id"] == t["id"]
        assert self.c.post(f"/api/v1/tickets/{t['id']}/start", headers=self.clerk).status_code == 200
        r = self.c.post(f"/api/v1/tickets/{t['id']}/complete", headers=self.clerk, json={
            "outcome": "accepted", "case": {"item": "key_project_eia", "applicant_name": "张三",
                                            "applicant_phone": "13812345678", "project": project}})
        assert r.status_code == 200, r.text
        return r.json()["case"]

    def messages(self) -> list[tuple[str, str, str]]:
        """(kind, recipient hash, body) of the outbox's key-project messages."""
        rows = self.c.portal.call(self.rt.db.read, lambda tx: tx.all(
            "SELECT kind, recipient_hash, body FROM notify_outbox WHERE kind = 'key_project_booking' ORDER BY id"))
        return [(r["kind"], r["recipient_hash"], r["body"]) for r in rows]

    def to(self, phone: str) -> str:
        return self.rt.notifier.recipient_hash(phone)

    def listed(self, who: dict, day: str = "2026-11-24") -> list[dict]:
        r = self.c.get(f"{BASE}/appointments/green-channel", headers=who, params={"from": day})
        assert r.status_code == 200, r.text
        return r.json()


@pytest.fixture
def settings(settings):
    settings.session_ttl_s = 30 * 86400  # staff sessions outlive the day the clock moves by
    return settings


@pytest.fixture
def h(make_client, database_url):
    return Hall(make_client(demo_with(LIMITS), database_url=database_url))


def test_a_key_project_booking_reaches_the_halls_liaison(h):
    r = book(h.c, 1, key_project={"project": PROJECT})
    assert r.status_code == 201, r.text
    a = r.json()
    assert a["key_project"] == {"case_number": "", "project": PROJECT, "liaison_name": "刘洋"}
    # the liaison's message through the outbox, in the booking's transaction
    [(_kind, to, body)] = h.messages()
    assert to == h.to(HALL_PHONE)
    assert PROJECT in body and a["code"] in body and "11-24 09:00" in body and "绿色通道" in body
    # the liaison's list; another clerk's is empty; the manager sees every one
    [row] = h.listed(h.liuyang)
    assert (row["id"], row["code"], row["project"], row["state"], row["via"]) == (a["id"], a["code"], PROJECT,
                                                                                "booked", "hall")
    assert row["liaison"] == {"username": "liuyang", "name": "刘洋"} and row["phone"] == "139****0001"
    assert h.listed(h.clerk) == []
    assert [x["id"] for x in h.listed(h.manager)] == [a["id"]]
    assert h.listed(h.liuyang, "2026-11-25") == []
    # an ordinary booking reaches no one
    assert book(h.c, 2, start="2026-11-24T09:30:00+08:00").status_code == 201
    assert len(h.messages()) == 1 and len(h.listed(h.manager)) == 1


def test_a_booking_naming_a_case_with_a_card_reaches_the_cards_liaison(h):
    carded = h.case("某某化工厂扩建项目")
    r = h.c.post(f"/api/v1/cases/{carded['id']}/key-project", headers=h.manager,
                 json={"liaison": "chenjing", "phone": CARD_PHONE})
    assert r.status_code == 201, r.text
    plain = h.case("某某园区配套项目")  # a case with no card: the hall's liaison

    a = book(h.c, 1, key_project={"case_number": carded["number"]})
    assert a.status_code == 201, a.text
    assert a.json()["key_project"] == {"case_number": carded["number"], "project": "某某化工厂扩建项目",
                                       "liaison_name": "陈静"}
    b = book(h.c, 2, key_project={"case_number": plain["number"], "project": "园区配套"}).json()
    assert b["key_project"]["liaison_name"] == "刘洋" and b["key_project"]["project"] == "园区配套"
    assert [to for _, to, _ in h.messages()] == [h.to(CARD_PHONE), h.to(HALL_PHONE)]
    [mine] = h.listed(h.chenjing)
    assert (mine["case_number"], mine["case_id"], mine["via"]) == (carded["number"], carded["id"], "card")
    assert [x["case_number"] for x in h.listed(h.liuyang)] == [plain["number"]]


def test_bad_key_project_bookings_are_refused_with_nothing_kept(h):
    r = book(h.c, 1, category="permit", key_project={"project": PROJECT})  # permit: no green channel
    assert (r.status_code, r.json()["code"]) == (422, "no_key_project")
    r = book(h.c, 2, key_project={"case_number": "HP-20261123-9999"})
    assert (r.status_code, r.json()["code"]) == (422, "unknown_case")
    r = book(h.c, 3, key_project={"case_number": " ", "project": ""})
    assert r.status_code == 422 and r.json()["code"]
    assert h.messages() == [] and h.listed(h.manager) == []
    left = h.c.get(f"{BASE}/slots", params={"category": "eia", "date": "2026-11-24"}).json()[0]
    assert left["left"] == left["capacity"]  # no seat taken


def test_checking_in_a_key_project_is_green_channel(h, clock):
    kiosk = {"X-Device-Token": h.c.devices.token(HALL, "kiosk")}
    on_time = book(h.c, 1, key_project={"project": PROJECT}).json()
    late = book(h.c, 2, start="2026-11-24T09:30:00+08:00", key_project={"project": "二期"}).json()
    plain = book(h.c, 3, start="2026-11-24T10:00:00+08:00").json()
    clock.set(at(2026, 11, 24, 8, 50))
    r = h.c.post(f"{BASE}/check-in", json={"code": on_time["code"]}, headers=kiosk)
    assert r.status_code == 201, r.text
    t = r.json()
    assert (t["priority"], t["priority_kind"], t["appointment"]["key_project"]) == ("appointment", "green_channel",
                                                                                   True)
    clock.set(at(2026, 11, 24, 9, 45))  # 15 minutes after 09:30: late, still a priority ticket
    r = h.c.post(f"{BASE}/check-in", json={"code": late["code"]}, headers=kiosk).json()
    assert (r["priority"], r["priority_kind"], r["appointment"]["state"]) == ("priority", "green_channel", "late")
    clock.set(at(2026, 11, 24, 9, 55))
    r = h.c.post(f"{BASE}/check-in", json={"code": plain["code"]}, headers=kiosk).json()
    assert (r["priority"], r["priority_kind"]) == ("appointment", None)
    rows = {x["code"]: x for x in h.listed(h.liuyang)}
    assert (rows[on_time["code"]]["state"], rows[on_time["code"]]["ticket_number"]) == ("checked_in", t["number"])
    assert rows[late["code"]]["state"] == "late" and rows[late["code"]]["checked_in_at"]
    # the ticket records why it has priority: the console says green channel (priority_reason)
    kinds = [h.c.portal.call(h.rt.db.read, tstore.priority_kind, x) for x in (t["id"], r["id"])]
    assert kinds == ["green_channel", None]
    called = h.c.post(f"{BASE}/windows/w1/next", headers=h.clerk).json()
    assert called["id"] == t["id"]  # due since 09:00: ahead of the others
    current = h.c.get(f"{BASE}/windows/w1/console", headers=h.clerk).json()["current"]
    assert current["priority"] == "appointment" and current["priority_kind"] == "green_channel"
    assert current["priority_reason"] == {"name": "绿色通道", "name_en": "Green channel"}


def test_a_green_channel_category_needs_the_halls_liaison():
    from support.halls import demo_config

    from onewindow.server.config import ConfigError

    with pytest.raises(ConfigError, match="green_channel_liaison"):
        demo_config(replace={'green_channel_liaison = "liuyang"': ""})
    assert demo_config(replace={'green_channel_liaison = "liuyang"': "", "key_project = true": ""}) is not None
