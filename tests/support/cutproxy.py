"""A TCP proxy that cuts the link: after `budget` bytes (both ways, all connections together), or
at the start of the answer after `answers` answers went through (the server has done the work, the
client never hears of it), it closes every connection and refuses new ones until given a new limit."""
from __future__ import annotations

import contextlib
import socket
import threading


class CuttingProxy:
    def __init__(self, target_port: int):
        self.target = ("127.0.0.1", target_port)
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.lock = threading.Lock()
        self.budget: int | None = None
        self.answers: int | None = None
        self.used = 0
        self.cut = False
        self.open: list[socket.socket] = []
        self.stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def limit(self, budget: int | None, answers: int | None = None) -> None:
        with self.lock:
            self.budget, self.answers, self.used, self.cut = budget, answers, 0, False

    def _accept(self) -> None:
        while not self.stopped:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            with self.lock:
                refused = self.cut
            if refused:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.open += [client, upstream]
            for a, b, answer in ((client, upstream, False), (upstream, client, True)):
                threading.Thread(target=self._pipe, args=(a, b, answer), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, answer: bool) -> None:
        try:
            while True:
                data = src.recv(4096)
                if not data:
                    break
                with self.lock:
                    if answer and data.startswith(b"HTTP/") and self.answers is not None:
                        if self.answers == 0:
                            self.cut = True
                        self.answers -= 1
                    if self.cut:
                        self._cut_all_locked()
                        break
                    allowed = len(data) if self.budget is None else max(0, self.budget - self.used)
                    self.used += min(allowed, len(data))
                    if allowed < len(data):
                        self.cut = True
                    data = data[:allowed]
                if data:
                    dst.sendall(data)
                if self.cut:
                    self._cut_all()
                    break
        except OSError:
            pass
        finally:  # one direction ended: the connection is over both ways
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()

    def _cut_all(self) -> None:
        with self.lock:
            self._cut_all_locked()

    def _cut_all_locked(self) -> None:
        socks, self.open = self.open, []
        for s in socks:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
                s.close()

    def close(self) -> None:
        self.stopped = True
        self.sock.close()
        self._cut_all()
