"""Printers and kiosk settings in the hall file: driver specs, clear
`file:line: field: message` errors, and the server-wide printer switch."""
from __future__ import annotations

import pytest
from support.halls import HALL, demo_config, demo_text, printers_toml

from onewindow.server.cli import main
from onewindow.server.config import ConfigError, parse_config
from onewindow.server.config.printers import DriverSpec, parse_driver

DEMO = demo_text()


@pytest.mark.parametrize("text, spec", [
    ("preview", DriverSpec("preview")),
    ("none", DriverSpec("none")),
    ("tcp://10.0.0.7", DriverSpec("tcp", host="10.0.0.7", port=9100)),
    ("tcp://printer-1.hall.local:9101", DriverSpec("tcp", host="printer-1.hall.local", port=9101)),
    ("tcp://[fe80::1]:9100", DriverSpec("tcp", host="fe80::1", port=9100)),
    ("file:/dev/usb/lp0", DriverSpec("file", path="/dev/usb/lp0")),
    ("usb:0416:5011", DriverSpec("usb", vendor_id=0x0416, product_id=0x5011)),
    ("serial:/dev/ttyS0", DriverSpec("serial", path="/dev/ttyS0", baudrate=9600)),
    ("serial:/dev/ttyUSB1@115200", DriverSpec("serial", path="/dev/ttyUSB1", baudrate=115200)),
])
def test_driver_specs(text, spec):
    assert parse_driver(text) == spec


@pytest.mark.parametrize("text", ["", "tcp:/x", "tcp://h:0", "tcp://h:70000", "usb:416:5011", "file:lp0",
                                  "serial:ttyS0", "lpt1", "http://printer"])
def test_bad_driver_specs(text):
    with pytest.raises(ValueError, match=r"printer driver|port"):
        parse_driver(text)


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def with_printers(toml: str) -> str:
    return DEMO[: DEMO.index("[[halls.printers]]")] + toml


@pytest.mark.parametrize("edit, field, message", [
    (('driver = "fake"', 'driver = "tcp:/10.0.0.7"'), "halls.0.printers.0.driver", "unknown printer driver"),
    (("width = 576", "width = 500"), "halls.0.printers.0.width", "384 or 576"),
    (('mode = "raster"', 'mode = "fancy"'), "halls.0.printers.0.mode", "raster"),
    (('when_unavailable = "issue"', 'when_unavailable = "stop"'), "halls.0.printers.0.when_unavailable", "issue"),
])
def test_a_bad_printer_is_named_with_its_line(edit, field, message):
    text = with_printers(printers_toml())
    old, new = edit
    text = text.replace(old, new, 1)
    with pytest.raises(ConfigError) as err:
        parse_config(text, "hall.toml")
    e = err.value
    assert e.field == field and message in e.message
    assert e.line == line_of(text, new)
    assert str(e).startswith(f"hall.toml:{e.line}: {field}: ")


@pytest.mark.parametrize("printers, message", [
    (printers_toml().replace('"w6"]', '"w9"]'), "printer 'desk' names unknown window 'w9'"),
    (printers_toml().replace('kiosks = []', 'kiosks = ["door"]'), "duplicate kiosks"),
    (printers_toml().replace('id = "desk"', 'id = "door"'), "duplicate printers"),
])
def test_printers_must_fit_the_hall(printers, message):
    with pytest.raises(ConfigError, match=message):
        parse_config(with_printers(printers), "hall.toml")


def test_category_hours_in_order():
    text = DEMO.replace("default_service_min = 15\n",
                        'default_service_min = 15\nticketing_from = "10:00"\nticketing_until = "09:00"\n', 1)
    with pytest.raises(ConfigError, match="ticketing_until must be after ticketing_from"):
        parse_config(text, "hall.toml")


def test_the_shipped_demo_hall_previews():
    hall = demo_config().halls[0]
    assert [(p.id, p.driver, p.kiosks) for p in hall.printers] == [("door", "preview", ("door",)),
                                                                   ("desk", "preview", ())]
    assert set(hall.printers[1].windows) == {w.id for w in hall.windows}


def test_the_server_wide_switch_replaces_every_driver(kiosk_client, settings):
    client = kiosk_client(printer="preview")  # the hall file says "fake"
    t = client.post(f"/api/v1/halls/{HALL}/tickets", json={"category": "eia", "kiosk": "door"}).json()
    assert t["print"]["status"] == "printed"
    assert (settings.data_dir / "print-preview" / "eco-door" / "job-00001.png").is_file()


def test_check_config_and_serve_refuse_bad_printers(tmp_path, capsys):
    bad = tmp_path / "hall.toml"
    bad.write_text(with_printers(printers_toml().replace('driver = "fake"', 'driver = "lpt1"', 1)), encoding="utf-8")
    assert main(["check-config", str(bad)]) == 2
    assert "halls.0.printers.0.driver" in capsys.readouterr().err
    assert main(["serve", "--printer", "tcp:/nowhere"]) == 2
    assert "--printer" in capsys.readouterr().err
