"""Several "machines" on this one: network namespaces joined to the root namespace by veth
pairs, each host with its own address (issue 17, point 4). Needs root and `ip netns`.

    with Hosts(2) as hosts:            # namespaces made, and always removed again
        a = hosts[0]                   # a.ns (name), a.addr (its address), a.peer (the root side's)
        fwd = forward(a.peer, port, 6379)  # reach a service on 127.0.0.1 from inside, via the veth
        proc = subprocess.Popen(a.exec(["onewindow", "serve", "--host", a.addr, ...]), ...)

Services in the root namespace listen on 127.0.0.1 only; a host reaches them through a TCP
forwarder (socat) bound to its veth's root-side address, so neither PostgreSQL's pg_hba nor a
Redis bind needs to change, and the test can cut one host's link (`Forwarder.pause`)."""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
from dataclasses import dataclass

from support.wait import wait_until


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=check, timeout=30)


def unavailable() -> str | None:
    """Why namespaces cannot be made here (None: they can)."""
    if shutil.which("ip") is None:
        return "`ip` (iproute2) is not installed"
    if shutil.which("socat") is None:
        return "socat is not installed"
    if os.geteuid() != 0:
        return "network namespaces need root"
    probe = f"owprobe{secrets.token_hex(3)}"
    made = _ip("netns", "add", probe, check=False)
    if made.returncode != 0:
        return f"`ip netns add` failed: {made.stderr.strip()}"
    _ip("netns", "delete", probe, check=False)
    return None


@dataclass
class Host:
    ns: str
    addr: str  # the host's own address, inside its namespace
    peer: str  # the root namespace's end of its veth

    def exec(self, argv: list[str]) -> list[str]:
        """`argv` run inside the host's namespace."""
        return ["ip", "netns", "exec", self.ns, *argv]


class Hosts:
    """`n` namespaces, host k at 10.X.k.2/24 with the root side at 10.X.k.1 (X picked free)."""

    def __init__(self, n: int):
        self.n = n
        self.tag = secrets.token_hex(2)
        self.hosts: list[Host] = []
        self._made: list[tuple[str, str]] = []  # (namespace, root-side veth)

    def __getitem__(self, k: int) -> Host:
        return self.hosts[k]

    def __iter__(self):
        return iter(self.hosts)

    def _free_octet(self) -> int:
        used = _ip("-4", "addr").stdout
        for _ in range(100):
            x = 200 + secrets.randbelow(50)
            if f"inet 10.{x}." not in used:
                return x
        raise RuntimeError("no free 10.x.0.0/16 for the test's hosts")

    def __enter__(self) -> Hosts:
        try:
            x = self._free_octet()
            for k in range(self.n):
                ns, root_if, ns_if = f"ow{self.tag}h{k}", f"ow{self.tag}r{k}", f"ow{self.tag}n{k}"
                _ip("netns", "add", ns)
                self._made.append((ns, root_if))
                _ip("link", "add", root_if, "type", "veth", "peer", "name", ns_if)
                _ip("link", "set", ns_if, "netns", ns)
                peer, addr = f"10.{x}.{k}.1", f"10.{x}.{k}.2"
                _ip("addr", "add", f"{peer}/24", "dev", root_if)
                _ip("link", "set", root_if, "up")
                _ip("netns", "exec", ns, "ip", "addr", "add", f"{addr}/24", "dev", ns_if)
                _ip("netns", "exec", ns, "ip", "link", "set", ns_if, "up")
                _ip("netns", "exec", ns, "ip", "link", "set", "lo", "up")
                _ip("netns", "exec", ns, "ip", "route", "add", "default", "via", peer)
                self.hosts.append(Host(ns, addr, peer))
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Kill what still runs inside (the test's own processes), remove namespaces and veths."""
        for ns, root_if in reversed(self._made):
            pids = _ip("netns", "pids", ns, check=False).stdout.split()
            for pid in pids:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
            _ip("netns", "delete", ns, check=False)
            _ip("link", "delete", root_if, check=False)  # gone with the namespace, normally
        self._made.clear()


class Forwarder:
    """socat in the root namespace: `listen_addr:port` -> 127.0.0.1:`target`. Its own process
    group, so `pause` stops every connection it carries (a cut link: packets go unanswered)."""

    def __init__(self, listen_addr: str, port: int, target: int):
        self.addr, self.port, self.target = listen_addr, port, target
        self.proc = subprocess.Popen(
            ["socat", f"TCP-LISTEN:{port},bind={listen_addr},fork,reuseaddr", f"TCP:127.0.0.1:{target}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        wait_until(self._listening, timeout=10, what=f"socat on {listen_addr}:{port}")

    def _listening(self) -> bool:
        if self.proc.poll() is not None:
            raise RuntimeError(f"socat on {self.addr}:{self.port} exited with {self.proc.returncode}")
        return f"{self.addr}:{self.port}" in subprocess.run(["ss", "-ltnH"], capture_output=True, text=True).stdout

    def pause(self) -> None:
        os.killpg(self.proc.pid, signal.SIGSTOP)

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=10)


def forward(listen_addr: str, port: int, target: int) -> Forwarder:
    return Forwarder(listen_addr, port, target)
