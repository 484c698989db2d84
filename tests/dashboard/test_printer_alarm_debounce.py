"""Issue 12, point 17: a single failed printer status query is no alarm. "Offline" is told (the
supervision log, the dashboard, the kiosk) only once the printer has failed for
printer_offline_after_s; the clock is the test's own."""
from __future__ import annotations

from support.halls import HALL, demo_with_printers
from support.kiosk import driver, printer_state, runtime
from support.wait import wait_until

from onewindow.printer import PrinterStatus
from onewindow.server.services.printing import state_of

AFTER_S = 10.0


def printer_alerts(client, manager) -> list[dict]:
    return client.get(f"/api/v1/halls/{HALL}/alerts?kind=printer&all=1", headers=manager).json()


def observed(client, state: str) -> bool:
    """The print service has reported `state` and what followed from it is done (logging included)."""
    printing = runtime(client).printing

    def check() -> bool:
        return state_of(printing.slots[f"{HALL}/door"].status) == state and not printing._waiters

    return client.portal.call(check)


def test_one_failed_status_query_raises_no_alarm(make_client, accounts, clock):
    client = make_client(demo_with_printers(), printer="config", printer_poll_s=0.05,
                         printer_offline_after_s=AFTER_S)
    manager = accounts(client).user("boss", role="manager")
    wait_until(lambda: printer_state(client) == "ok", what="the printer's first status")
    fake = driver(client)

    # One status query fails; the retry answers and the next ticket prints.
    fake.set_status(PrinterStatus(offline=True, detail="no reply"))
    wait_until(lambda: observed(client, "offline"), what="the failed query seen")
    assert printer_state(client) == "ok"
    clock.advance(AFTER_S / 2)
    client.portal.call(runtime(client).printing.recheck)
    fake.set_status(PrinterStatus())
    wait_until(lambda: observed(client, "ok"), what="the printer answering again")
    r = client.post(f"/api/v1/halls/{HALL}/tickets", json={"category": "eia", "kiosk": "door"})
    assert r.status_code == 201 and r.json()["print"]["status"] in ("printed", "queued")
    clock.advance(AFTER_S)
    client.portal.call(runtime(client).printing.recheck)
    assert printer_alerts(client, manager) == []  # neither "offline" nor an all-clear
    dash = client.get(f"/api/v1/halls/{HALL}/dashboard", headers=manager).json()
    assert not [a for a in dash["now"]["alerts"] if a["kind"] == "printer"]
    assert {p["printer"]: p["state"] for p in dash["printers"]}["door"] == "ok"


def test_a_printer_that_stays_offline_is_told_after_the_span(make_client, accounts, clock):
    client = make_client(demo_with_printers(), printer="config", printer_poll_s=0.05,
                         printer_offline_after_s=AFTER_S)
    manager = accounts(client).user("boss", role="manager")
    wait_until(lambda: printer_state(client) == "ok", what="the printer's first status")
    printing = runtime(client).printing
    driver(client).set_status(PrinterStatus(offline=True, detail="no reply"))
    wait_until(lambda: observed(client, "offline"), what="the failed query seen")

    clock.advance(AFTER_S - 1)
    client.portal.call(printing.recheck)
    assert printer_state(client) == "ok" and printer_alerts(client, manager) == []

    clock.advance(1)
    client.portal.call(printing.recheck)  # the server's own loop does this every poll as well
    assert printer_state(client) == "offline"
    wait_until(lambda: [a["level"] for a in printer_alerts(client, manager)] == ["red"], what="offline logged")
    [alarm] = printer_alerts(client, manager)
    assert "离线" in alarm["message"] and "offline" in alarm["message"] and alarm["resolved_at"] is None

    # Paper out is the printer's own answer, not a failed query: told at once.
    driver(client).set_status(PrinterStatus(paper_out=True))
    wait_until(lambda: printer_state(client) == "paper_out", what="paper out told at once")
    driver(client).set_status(PrinterStatus())
    wait_until(lambda: printer_state(client) == "ok", what="the all-clear")
    wait_until(lambda: all(a["resolved_at"] for a in printer_alerts(client, manager)), what="alarms settled")


def test_the_span_is_configurable_and_defaults_to_ten_seconds(monkeypatch):
    from onewindow.server.settings import Settings

    assert Settings().printer_offline_after_s == 10.0
    monkeypatch.setenv("ONEWINDOW_PRINTER_OFFLINE_AFTER_S", "30")
    assert Settings.from_env().printer_offline_after_s == 30.0
