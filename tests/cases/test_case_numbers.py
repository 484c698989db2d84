"""Issue 17: a case number is unique across the deployment, forever. Each outlet numbers with its
own prefix (`case_prefix`, or "HP" for the first fixed outlet and HP-<ID> for the others), the file
refuses two outlets numbering alike, and the sequence is counted per prefix and day: two halls on
one day never give the same number, and numbers given before the upgrade are continued, not reused."""
from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import create_engine, pool, text
from support.accounts import Staff
from support.halls import demo_text, small_hall_toml

from onewindow.casework import case_number, case_prefixes, number_parts
from onewindow.server.config import ConfigError, parse_config
from onewindow.server.store import cases as cstore
from onewindow.server.store import migrate
from onewindow.server.store.database import open_database

DAY = "2026-11-23"  # the FakeClock's day
A_CASE = ("INSERT INTO case_file (hall, number, item, category, applicant_name_enc, applicant_phone_enc, project, "
          "accepted_at, clock_from, deadline_at, deadline_provisional, promised_amount, promised_unit, instant, "
          "status, closed_reason, card) VALUES (:h, :n, 'eia_registration', 'eia', '', '', '', 0, 0, 0, false, 7, "
          "'working_days', false, 'accepted', '', 'green')")


def second_hall(hall: str = "north", kind: str = "special", extra: str = "") -> str:
    """The demo hall again as another fixed outlet of the same deployment, `extra` lines after its kind."""
    text = demo_text().replace('id = "eco"', f'id = "{hall}"', 1)
    return text.replace('kind = "comprehensive"', f'kind = "{kind}"\n{extra}', 1)


def small(hall: str, extra: str) -> str:
    """A small hall with `extra` lines after its name."""
    return small_hall_toml(2, hall=hall).replace('name = "测试大厅"', f'name = "测试大厅"\n{extra}', 1) + "\n"


def error(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as exc:
        parse_config(text, "city.toml")
    return exc.value


# ----- the rule (onewindow.casework.numbers) -------------------------------------------------------


def test_prefixes_by_default_keep_the_first_fixed_outlet_on_hp():
    assert case_prefixes([("eco", "comprehensive", None)]) == {"eco": "HP"}
    assert case_prefixes([("van1", "mobile", None), ("eco", "comprehensive", None), ("park", "special", None),
                          ("dongshan-east", "mobile", None)]) == {
        "van1": "HP-VAN1", "eco": "HP", "park": "HP-PARK", "dongshan-east": "HP-DONGSHAN"}
    # The first fixed outlet holds the default position even when it names its own prefix.
    assert case_prefixes([("eco", "comprehensive", "ECO"), ("park", "special", None)]) == {
        "eco": "ECO", "park": "HP-PARK"}


def test_numbers_split_back_from_the_right():
    assert case_number("HP", DAY, 1) == "HP-20261123-0001"
    assert number_parts("HP-VAN1-20261123-0012") == ("HP-VAN1", DAY, 12)
    assert number_parts("HP-20261123-10000") == ("HP", DAY, 10000)
    assert number_parts("A001") is None and number_parts("HP-2026-0042") is None


# ----- the configuration ---------------------------------------------------------------------------


def test_the_default_hall_keeps_its_numbers():
    assert parse_config(demo_text(), "demo.toml").case_prefixes() == {"eco": "HP"}
    city = parse_config(demo_text() + "\n" + second_hall(), "city.toml")
    assert city.case_prefixes() == {"eco": "HP", "north": "HP-NORTH"}


def test_two_outlets_numbering_alike_are_refused_with_a_clear_error():
    same = error(demo_text() + "\n" + second_hall(extra='case_prefix = "HP"'))
    assert "'eco' and 'north'" in same.message and "HP-YYYYMMDD-NNNN" in same.message
    assert "case_prefix" in same.message and str(same).startswith("city.toml")
    # Two vans whose ids share their first 8 characters would both derive HP-DONGSHAN.
    vans = error(small("dongshan-east", 'kind = "mobile"') + small("dongshan-west", 'kind = "mobile"'))
    assert "HP-DONGSHAN" in vans.message and "'dongshan-east' and 'dongshan-west'" in vans.message
    # Each its own prefix: served.
    ok = parse_config(small("dongshan-east", 'kind = "mobile"\ncase_prefix = "DSE"')
                      + small("dongshan-west", 'kind = "mobile"'), "city.toml")
    assert ok.case_prefixes() == {"dongshan-east": "DSE", "dongshan-west": "HP-DONGSHAN"}


def test_a_prefix_is_short_and_plain():
    assert parse_config(second_hall(extra='case_prefix = "HP-N1_2"'), "n.toml").case_prefixes() == {"north": "HP-N1_2"}
    for bad in ('"hp"', '"HP 1"', '"HP-ABCDEFGHIJKLMNOP"', '""'):
        text = second_hall(extra=f"case_prefix = {bad}")
        e = error(text)
        assert e.field == "halls.0.case_prefix" and text.split("\n")[e.line - 1].startswith("case_prefix"), (bad, e)


# ----- a deployment of two fixed outlets -----------------------------------------------------------


def accept(client, hall: str, clerk: dict) -> str:
    """A ticket at `hall`, called at w1, served, leaving with an accepted case: its number."""
    r = client.post(f"/api/v1/halls/{hall}/tickets", json={"category": "eia"})
    assert r.status_code == 201, r.text
    tid = r.json()["id"]
    r = client.post(f"/api/v1/halls/{hall}/windows/w1/next", headers=clerk)
    assert r.status_code == 200 and r.json()["id"] == tid, r.text
    assert client.post(f"/api/v1/tickets/{tid}/start", headers=clerk).status_code == 200
    r = client.post(f"/api/v1/tickets/{tid}/complete", headers=clerk, json={"outcome": "accepted", "case": {
        "item": "eia_registration", "applicant_name": "张三", "applicant_phone": "13812345678", "project": "扩建"}})
    assert r.status_code == 200, r.text
    return r.json()["case"]["number"]


def test_two_fixed_outlets_on_one_day_give_distinct_numbers(make_client, database_url):
    client = make_client(config=parse_config(demo_text() + "\n" + second_hall(), "city.toml"),
                         database_url=database_url)
    staff = Staff(client)
    clerks = {"eco": staff.make("zhangwei"), "north": staff.make("lina")}  # w1's A post, and B post
    for hall, clerk in clerks.items():
        r = client.post(f"/api/v1/halls/{hall}/windows/w1/sign-in", headers=clerk)
        assert r.status_code == 200, r.text
    numbers = [accept(client, hall, clerks[hall]) for hall in ("eco", "north", "eco", "north")]
    assert numbers == ["HP-20261123-0001", "HP-NORTH-20261123-0001", "HP-20261123-0002", "HP-NORTH-20261123-0002"]
    # Each number names one case, at the outlet that took it.
    rows = client.portal.call(client.app.state.runtime.db.read, lambda tx: [dict(r) for r in tx.all(
        "SELECT hall, number FROM case_file ORDER BY id")])
    assert [(r["hall"], r["number"]) for r in rows] == list(zip(["eco", "north", "eco", "north"], numbers,
                                                                 strict=True))


def test_a_prefix_moved_to_another_hall_carries_its_count(tmp_path):
    """The count is per prefix, not per hall: a hall renamed or a file reordered gives no number twice;
    and a number some case already has (a van's, synced) is passed over."""
    url = f"sqlite:///{tmp_path / 'x.db'}"
    migrate.upgrade(url)
    db = open_database(url)
    try:
        assert [db.write_sync(cstore.next_number, DAY, "HP") for _ in range(2)] == [
            "HP-20261123-0001", "HP-20261123-0002"]
        db.write_sync(lambda tx: tx.execute(A_CASE, {"h": "van1", "n": "HP-VAN1-20261123-0001"}))
        assert db.write_sync(cstore.next_number, DAY, "HP") == "HP-20261123-0003"
        assert db.write_sync(cstore.next_number, DAY, "HP-VAN1") == "HP-VAN1-20261123-0002"
    finally:
        db.close()


# ----- the upgrade (migration 0019) ----------------------------------------------------------------


def test_the_upgrade_continues_after_every_number_already_given(tmp_path):
    """Before 0019 two halls counted apart, both giving HP-20261123-0001..: the next is after both."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(migrate.alembic_config(url), "0018")
    engine = create_engine(migrate.sync_url(url), poolclass=pool.NullPool)
    try:
        with engine.begin() as conn:
            for hall, number in (("eco", "HP-20261123-0001"), ("north", "HP-20261123-0001"),
                                 ("north", "HP-20261123-0002"), ("van1", "HP-VAN1-20261123-0003")):
                conn.execute(text(A_CASE), {"h": hall, "n": number})
    finally:
        engine.dispose()
    migrate.upgrade(url)
    db = open_database(url)
    try:
        assert db.write_sync(cstore.next_number, DAY, "HP") == "HP-20261123-0003"
        assert db.write_sync(cstore.next_number, DAY, "HP-VAN1") == "HP-VAN1-20261123-0004"
        assert db.write_sync(cstore.next_number, DAY, "HP-NORTH") == "HP-NORTH-20261123-0001"
    finally:
        db.close()
