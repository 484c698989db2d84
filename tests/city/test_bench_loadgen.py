"""The hall benchmark calls as a hall does (issue 17, point 3): each window by the clerk signed in
there. bench/loadgen.py gives a path the headers written after its `|`, and no other path gets them."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import hall_bench  # bench/ is put on the path just above
import loadgen


def _heads(op: loadgen.Op) -> list[list[bytes]]:
    return [r.split(b"\r\n\r\n")[0].split(b"\r\n") for r in op.request]


def test_each_path_carries_its_own_headers_after_the_ops_own():
    op = loadgen.Op("next", "POST", "h:1", ["/a|Authorization: Bearer one", "/b|Authorization: Bearer two|X-N: 2"],
                    "", ["X-Kiosk: k"])
    a, b = _heads(op)
    assert a[0] == b"POST /a HTTP/1.1" and b[0] == b"POST /b HTTP/1.1"
    assert b"X-Kiosk: k" in a and b"X-Kiosk: k" in b
    assert b"Authorization: Bearer one" in a and b"Authorization: Bearer two" not in a
    assert b"Authorization: Bearer two" in b and b"X-N: 2" in b and b"Authorization: Bearer one" not in b


def test_the_hall_bench_calls_at_each_window_as_its_clerk():
    issue, call = hall_bench.hall_ops([f"token-{w}" for w in hall_bench.WINDOWS], "kiosk-token")
    assert issue[0] == "issue" and "X-Device-Token: kiosk-token" in issue[4:]
    op = loadgen.Op.parse(call, "h:1")
    for window, head in zip(hall_bench.WINDOWS, _heads(op), strict=True):
        assert head[0] == f"POST /api/v1/halls/eco/windows/{window}/next HTTP/1.1".encode()
        assert [h for h in head if h.startswith(b"Authorization")] == [f"Authorization: Bearer token-{window}".encode()]
    bare = loadgen.Op.parse(hall_bench.hall_ops()[1], "h:1")
    assert not any(h.startswith(b"Authorization") for head in _heads(bare) for h in head)
