"""Issue 14, point 1: the printed receipt 《接收单》 carries the case's QR code and short link; a
phone's camera (zbarimg) reads the link, and it opens the case's progress."""
from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from support.halls import HALL, demo_with_printers
from support.kiosk import Clerks, driver
from support.media import zbar_read

from onewindow.printer import decode


def test_the_printed_receipt_carries_the_tracking_link(make_client, settings, tmp_path):
    client = make_client(demo_with_printers(None, None, False), printer="config", printer_poll_s=0.2)
    c = Clerks(client, settings.admin_password)
    h = c.at("w1", display_name="张伟")
    t = client.post(f"/api/v1/halls/{HALL}/tickets", json={"category": "eia", "kiosk": "door"}).json()
    c.post(f"/api/v1/halls/{HALL}/windows/w1/next", h)
    c.post(f"/api/v1/tickets/{t['id']}/start", h)
    case = c.post(f"/api/v1/tickets/{t['id']}/complete", h, outcome="accepted",
                  case={"item": "eia_report_form", "applicant_name": "张三丰"})["case"]
    r = client.post(f"/api/v1/cases/{case['id']}/receipt/print", headers=h)
    assert r.status_code == 200 and r.json()["print"]["status"] == "printed", r.text
    (data,) = driver(client, "desk").jobs
    [url] = zbar_read(decode(data).image, tmp_path)
    assert url == case["track_url"]
    q = parse_qs(urlparse(url).query)
    p = client.get(f"/api/v1/cases/{q['id'][0]}/progress", params={"token": q["token"][0]})
    assert p.status_code == 200 and p.json()["number"] == case["number"]
    # printed again later (the token itself is never stored): the same link
    client.post(f"/api/v1/cases/{case['id']}/receipt/print", headers=h)
    assert zbar_read(decode(driver(client, "desk").jobs[-1]).image, tmp_path) == [url]
