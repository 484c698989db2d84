"""A fake port-9100 network printer on a free port of 127.0.0.1 (the printer
and kiosk tests)."""
from __future__ import annotations

import socket
import threading

# Replies to DLE EOT 1, 2 and 4 (printer, offline cause, roll paper sensor).
REPLIES = {
    "normal": {1: 0x12, 2: 0x12, 4: 0x12},
    "near_end": {1: 0x12, 2: 0x12, 4: 0x1E},
    "paper_out": {1: 0x1A, 2: 0x32, 4: 0x7E},
    "cover_open": {1: 0x1A, 2: 0x16, 4: 0x12},
}


class FakeNetworkPrinter:
    """Answers DLE EOT queries at the start of a connection, keeps everything else as a job.

    Modes: a key of REPLIES, "silent" (reads, never answers) and "close" (hangs up at once).
    """

    def __init__(self) -> None:
        self.mode = "normal"
        self.jobs: list[bytes] = []
        self.queries = 0
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.1)
        self.port = self._server.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._server.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        mode = self.mode
        with conn:
            if mode == "close":
                return
            conn.settimeout(5)
            data = b""
            try:
                while chunk := conn.recv(65536):
                    data += chunk
                    while mode in REPLIES and len(data) >= 3 and data.startswith(b"\x10\x04"):
                        self.queries += 1
                        conn.sendall(bytes([REPLIES[mode][data[2]]]))
                        data = data[3:]
            except OSError:
                return  # the client gave up; that is its business
            if data:
                self.jobs.append(data)

