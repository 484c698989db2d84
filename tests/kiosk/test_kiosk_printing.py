"""Printing a ticket when it is issued: the bytes the printer gets, decoded back
and compared with the expected layout, the QR read back to the tracking URL;
the preview driver; a stuck printer; closed halls and categories, caps."""
from __future__ import annotations

import threading
from datetime import datetime

import pytest
from support.clock import at
from support.halls import HALL, demo_config, printers_toml
from support.kiosk import driver, runtime
from support.wait import wait_until

from onewindow.printer import PrinterStatus, TicketSlip, decode, render

NOTICE = "过号请重新取号 / Missed numbers must take a new ticket"
ALL_WINDOWS = ["1", "2", "3", "4", "5", "6"]


def issue(client, category: str = "eia", **body):
    """Taken at the door's kiosk (a ticket taken without naming a kiosk prints nowhere)."""
    return client.post(f"/api/v1/halls/{HALL}/tickets", json={"category": category, "kiosk": "door", **body})


def expected_ticket(t: dict, number: str, notice: str = NOTICE, windows=ALL_WINDOWS) -> TicketSlip:
    """The slip as the kiosk's printer should get it, built from the answer and the demo hall."""
    return TicketSlip(
        hall_name="市生态环境局政务服务大厅", number=number, category_name_zh="环评审批",
        category_name_en="EIA approval", issued_at=datetime.fromisoformat(t["issued_at"]), ahead=t["ahead"],
        estimated_wait_s=t["estimated_wait_s"], notice=notice, track_url=t["track_url"], windows=windows,
        serving_now=t["serving_now"],
        resumes_at=datetime.fromisoformat(t["resumes_at"]) if t["resumes_at"] else None)


def waiting(client, category: str = "eia") -> int:
    cats = client.get(f"/api/v1/halls/{HALL}").json()["categories"]
    return next(c["waiting"] for c in cats if c["code"] == category)


def test_an_issued_ticket_prints_what_the_answer_says(kiosk_client, zbar):
    client = kiosk_client()
    issue(client)  # someone ahead
    r = issue(client, kiosk="door")
    assert r.status_code == 201, r.text
    t = r.json()
    assert t["print"] == {"status": "printed", "reason": None}
    assert t["number"] == "A002" and t["ahead"] == 1
    assert t["track_url"] == f"http://testserver/track?hall={HALL}&ticket={t['id']}&token={t['track_token']}"
    assert [w["id"] for w in t["windows"]] == ["w1", "w2", "w3", "w4", "w5", "w6"]  # nobody signed in yet
    jobs = driver(client).jobs
    assert len(jobs) == 2
    job = decode(jobs[1])
    assert job.initialised and job.cut == "full" and job.image.width == 576
    # the raster is exactly the expected layout: number, category, ahead, wait, windows, notice, QR
    assert job.image.tobytes() == render(expected_ticket(t, "A002")).tobytes()
    assert job.image.tobytes() != render(expected_ticket(t, "A003")).tobytes()
    assert zbar(job.image) == [t["track_url"]]
    assert driver(client, "desk").jobs == []  # the windows' printer prints no tickets


def test_the_ticket_names_only_the_staffed_windows_and_the_public_url(kiosk_client, clerks, zbar):
    client = kiosk_client(public_url="https://hall.example.cn/")
    c = clerks(client)
    c.at("w3")
    t = issue(client).json()
    assert [w["id"] for w in t["windows"]] == ["w3"]
    assert t["track_url"].startswith("https://hall.example.cn/track?hall=eco&ticket=")
    job = decode(driver(client).jobs[0])
    assert job.image.tobytes() == render(expected_ticket(t, "A001", windows=["3"])).tobytes()
    assert zbar(job.image) == [t["track_url"]]


def test_native_mode_on_58_mm_paper(kiosk_client):
    client = kiosk_client(printers_toml(width=384, mode="native"))
    t = issue(client).json()
    assert t["print"]["status"] == "printed"
    job = decode(driver(client).jobs[0])
    texts = [line.text for line in job.lines]
    assert "A001" in texts
    assert any("环评审批" in x for x in texts)
    assert any("前面还有 0 人" in x for x in texts), texts


def test_the_demo_hall_previews_tickets_as_png(make_client, settings, zbar):
    from PIL import Image

    client = make_client(demo_config(), printer="config")
    t = issue(client, kiosk="door").json()
    assert t["print"]["status"] == "printed"
    png = settings.data_dir / "print-preview" / "eco-door" / "job-00001.png"
    assert png.is_file()
    image = Image.open(png)
    assert image.width == 576
    assert zbar(image) == [t["track_url"]]


def test_printing_off_still_issues(kiosk_client):
    client = kiosk_client(printer="none")
    t = issue(client, kiosk="door").json()
    assert t["number"] == "A001" and t["print"] == {"status": "none", "reason": "no_printer"}


def test_a_stuck_printer_never_stalls_ticketing(kiosk_client):
    client = kiosk_client(print_wait_s=0.3)
    fake = driver(client)
    release, jammed_once = threading.Event(), threading.Event()
    real_send = fake.send

    def jammed(data: bytes) -> None:
        jammed_once.set()
        release.wait(30)  # a bound: a test gone wrong must not hang for ever
        real_send(data)

    fake.send = jammed
    try:
        answers = [issue(client).json() for _ in range(3)]
        # All three answered while the printer still held the first slip: "queued" is the answer
        # of a print that did not finish within print_wait_s, and nothing has come out.
        assert jammed_once.is_set() and not release.is_set()
        assert [a["number"] for a in answers] == ["A001", "A002", "A003"]
        assert {a["print"]["status"] for a in answers} == {"queued"}
        assert fake.jobs == []
    finally:
        release.set()
    wait_until(lambda: len(fake.jobs) == 3, what="the queued tickets printing once the printer is free")
    numbers = [decode(j).image for j in fake.jobs]
    assert len({im.tobytes() for im in numbers}) == 3


def test_keep_issuing_when_the_printer_is_out_of_paper(kiosk_client):
    client = kiosk_client()
    driver(client).set_status(PrinterStatus(paper_out=True))
    wait_until(lambda: client.get(f"/api/v1/halls/{HALL}/kiosk").json()["printer"]["state"] == "paper_out")
    r = issue(client)
    assert r.status_code == 201
    assert r.json()["print"] == {"status": "failed", "reason": "paper_out"}
    assert waiting(client) == 1 and driver(client).jobs == []


def test_a_refusing_kiosk_issues_nothing_while_the_printer_is_out(kiosk_client):
    client = kiosk_client(printers_toml(door_policy="refuse"))
    fake = driver(client)
    fake.set_status(PrinterStatus(paper_out=True))
    wait_until(lambda: client.get(f"/api/v1/halls/{HALL}/kiosk").json()["printer"]["can_print"] is False)
    r = issue(client)
    assert r.status_code == 503
    body = r.json()
    assert body["code"] == "printer_unavailable" and body["reason"] == "paper_out"
    assert "缺纸" in body["error"] and "out of paper" in body["error"]
    assert waiting(client) == 0
    fake.set_status(PrinterStatus())
    wait_until(lambda: client.get(f"/api/v1/halls/{HALL}/kiosk").json()["printer"]["can_print"])
    t = issue(client).json()
    assert t["number"] == "A001" and t["print"]["status"] == "printed"  # the refused one took no number


def test_closed_hall_category_and_cap_issue_and_print_nothing(kiosk_client, clock):

    client = kiosk_client(enforce_hours=True, replace={
        "default_service_min = 15\n": "default_service_min = 15\ndaily_cap = 1\n",
        "default_service_min = 12\n": 'default_service_min = 12\nticketing_until = "09:30"\n',
    })
    # 10:00 on a working Monday: the permit category stopped issuing at 09:30
    view = client.get(f"/api/v1/halls/{HALL}/kiosk").json()
    cats = {c["code"]: c for c in view["categories"]}
    assert view["open"] and cats["eia"]["open"]
    assert not cats["permit"]["open"] and "09:30" in cats["permit"]["closed_reason"]
    r = issue(client, "permit")
    assert r.status_code == 409 and r.json()["code"] == "category_closed" and "09:30" in r.json()["error"]
    assert issue(client, "eia").status_code == 201
    r = issue(client, "eia")
    assert r.status_code == 409 and r.json()["code"] == "daily_cap"
    assert len(driver(client).jobs) == 1
    clock.set(at(2026, 11, 23, 20, 0))
    r = issue(client, "consult")
    assert r.status_code == 409 and r.json()["code"] == "hall_closed"
    view = client.get(f"/api/v1/halls/{HALL}/kiosk").json()
    assert not view["open"] and not any(c["open"] for c in view["categories"])
    assert len(driver(client).jobs) == 1


@pytest.mark.parametrize("body, status, code", [
    ({"category": "eia", "kiosk": "back-door"}, 422, "unknown_kiosk"),
    ({"category": "nope", "kiosk": "door"}, 422, "unknown_category"),
    ({"category": "eia", "kiosk": ""}, 422, "invalid"),
])
def test_bad_kiosk_requests(kiosk_client, body, status, code):
    client = kiosk_client()
    r = client.post(f"/api/v1/halls/{HALL}/tickets", json=body)
    assert r.status_code == status and r.json()["code"] == code, r.text
    assert "error" in r.json()
    assert driver(client).jobs == [] and waiting(client) == 0
    assert client.get(f"/api/v1/halls/{HALL}/kiosk", params={"kiosk": "back-door"}).status_code == 422


def test_the_kiosk_view(kiosk_client):
    client = kiosk_client()
    view = client.get(f"/api/v1/halls/{HALL}/kiosk", params={"kiosk": "door"}).json()
    assert view["hall"]["id"] == HALL and view["return_after_s"] == 30
    assert [k["code"] for k in view["priority_kinds"]] == ["elderly", "disabled", "green_channel"]
    assert len(view["categories"]) == 7 and all(c["open"] for c in view["categories"])
    assert view["printer"]["printer"] == "door" and view["printer"]["when_unavailable"] == "issue"
    assert runtime(client).printing.for_window(runtime(client).config.halls[0], "w2").cfg.id == "desk"


def test_a_ticket_taken_on_a_phone_prints_nowhere(kiosk_client):
    client = kiosk_client()
    r = client.post(f"/api/v1/halls/{HALL}/tickets", json={"category": "eia"})
    assert r.status_code == 201 and r.json()["print"] == {"status": "none", "reason": "no_printer"}
    assert driver(client).jobs == []
    # ...while the kiosk page without ?kiosk= is told the hall's first kiosk, and prints there
    assert client.get(f"/api/v1/halls/{HALL}/kiosk").json()["kiosk"] == "door"
    assert issue(client).json()["print"]["status"] == "printed" and len(driver(client).jobs) == 1


def test_the_hall_logo_heads_each_ticket(kiosk_client, tmp_path):
    from PIL import Image, ImageDraw

    logo = tmp_path / "logo.png"
    im = Image.new("L", (300, 100), 255)
    ImageDraw.Draw(im).ellipse((100, 0, 200, 100), fill=0)  # a black disc in the middle
    im.save(logo)
    plain = kiosk_client()
    issue(plain)
    with_logo = kiosk_client(printers=printers_toml().replace('id = "door"\n', f'id = "door"\nlogo = "{logo}"\n', 1))
    issue(with_logo)
    bare, headed = decode(driver(plain).jobs[0]).image, decode(driver(with_logo).jobs[0]).image
    assert headed.height > bare.height + 40  # the logo's rows come on top of the same ticket
    top = headed.convert("L").crop((0, 0, headed.width, 60))
    centre = top.crop((headed.width // 2 - 20, 0, headed.width // 2 + 20, 60)).point(lambda v: 255 if v < 128 else 0)
    assert centre.histogram()[255] > 0.5 * 40 * 60  # the disc, printed at the centre


def test_a_logo_that_cannot_be_read_stops_the_start(make_client, hall_config, tmp_path):
    import pytest as _pytest

    cfg = hall_config(printers_toml().replace('id = "door"\n', f'id = "door"\nlogo = "{tmp_path}/none.png"\n', 1))
    with _pytest.raises(ValueError, match=r"logo .*none\.png.* cannot be read"):
        make_client(cfg, printer="config")


def test_why_a_visitor_goes_first_is_kept_with_the_ticket(kiosk_client):
    from onewindow.server.store import tickets as tstore

    client = kiosk_client()
    r = issue(client, priority="priority", priority_kind="elderly")
    assert r.status_code == 201 and r.json()["priority_kind"] == "elderly"
    log = client.portal.call(runtime(client).db.read, tstore.events, r.json()["id"])
    assert '"kind": "elderly"' in log[0]["data"] and log[0]["type"] == "issued"
    bad = issue(client, priority_kind="elderly")  # a kind without priority
    assert bad.status_code == 422 and "priority_kind" in bad.json()["error"]
    assert issue(client, priority="priority", priority_kind="royalty").status_code == 422


def test_a_priority_kind_the_hall_does_not_offer(kiosk_client):
    client = kiosk_client(replace={'priority_kinds = ["elderly", "disabled", "green_channel"]':
                                   'priority_kinds = ["elderly"]'})
    r = issue(client, priority="priority", priority_kind="green_channel")
    assert r.status_code == 422 and r.json()["code"] == "bad_priority"
    assert driver(client).jobs == []
