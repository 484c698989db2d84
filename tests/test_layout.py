"""The folder queue/ is imported as `onewindow` and never shadows the standard
library's `queue` (../shared/LAYOUT.md): from the repository root, from
elsewhere, editable and as a normal (wheel) install that serves every page."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ONEWINDOW_", "PYTHON"))}
    return env


def run(args: list[str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=timeout)


def test_queue_folder_is_not_a_package():
    assert (ROOT / "queue" / "server" / "__init__.py").exists()  # the subpackages are regular packages
    assert not (ROOT / "queue" / "__init__.py").exists(), "queue/__init__.py shadows the standard library's queue"


def test_stdlib_queue_from_the_repository_root():
    r = run([PY, "-c", "import queue, concurrent.futures.thread; queue.SimpleQueue; print(queue.__file__)"], ROOT)
    assert r.returncode == 0, r.stderr
    stdlib = Path(sysconfig.get_paths()["stdlib"]).resolve()
    assert Path(r.stdout.strip()).resolve().parent == stdlib, r.stdout


def test_stdlib_queue_in_this_very_process():
    import queue

    assert hasattr(queue, "SimpleQueue") and hasattr(queue, "Queue")
    assert Path(queue.__file__).resolve().parent == Path(sysconfig.get_paths()["stdlib"]).resolve()


def test_pytest_collects_from_the_repository_root():
    r = run([PY, "-m", "pytest", "--co", "-q", "-p", "no:cacheprovider", "tests/test_layout.py"], ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "test_queue_folder_is_not_a_package" in r.stdout


def test_import_from_another_directory_editable(tmp_path):
    code = textwrap.dedent("""
        import queue, concurrent.futures.thread, onewindow.server, onewindow.server.app
        from onewindow.server.api.pages import static_dir
        queue.SimpleQueue
        print(onewindow.server.__file__)
        print(static_dir())
    """)
    r = run([PY, "-c", code], tmp_path)
    assert r.returncode == 0, r.stderr
    module, static = r.stdout.split()
    assert Path(module).resolve() == ROOT / "queue" / "server" / "__init__.py"
    assert Path(static).resolve() == ROOT / "static"


def test_every_page_exists():
    from onewindow.server.api.pages import PAGES

    missing = [f for f in ["index.html", *PAGES.values()] if not (ROOT / "static" / f).is_file()]
    assert not missing, f"pages.PAGES names files static/ lacks: {missing}"


INSTALLED_CHECK = r"""
import re, sys
target, site = sys.argv[1], sys.argv[2]
sys.path.insert(0, target)
sys.path.append(site)  # dependencies only; .pth files (the editable finder) are not processed under -S

import queue, concurrent.futures.thread
assert queue.SimpleQueue and queue.Queue, "stdlib queue broken"
assert not queue.__file__.startswith(target), queue.__file__

import onewindow.server
from onewindow.server.api import pages
assert onewindow.server.__file__.startswith(target), onewindow.server.__file__
assert not any("editable" in type(f).__module__ or "editable" in repr(f) for f in sys.meta_path), sys.meta_path
assert not [m for m in sys.modules if "__editable__" in m]
root = pages.static_dir()
assert str(root).startswith(target), root
want = sys.argv[3].split(",")
missing = [f for f in want if not (root / f).is_file()]
assert not missing, ("not installed", missing)

from starlette.testclient import TestClient
from onewindow.server.app import create_app
from onewindow.server.settings import Settings

app = create_app(Settings(data_dir=sys.argv[4], admin_password="installed-Hall-4417", speech="off", printer="none"))
served = []
with TestClient(app) as c:
    for page in ["/", *("/" + p for p in pages.PAGES if (root / pages.PAGES[p]).is_file())]:
        r = c.get(page)
        assert r.status_code == 200 and "<html" in r.text.lower(), (page, r.status_code)
        for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', r.text):
            a = c.get(asset)
            assert a.status_code == 200, (page, asset, a.status_code)
        served.append(page)
    assert c.get("/api/v1/halls").json()[0]["id"] == "eco"  # the bundled demo hall ships too
    assert c.get("/healthz").status_code == 200
print(" ".join(served))
"""


@pytest.mark.slow
def test_normal_install_serves_every_page(tmp_path):
    # Build from a copy, so the checkout gets no build/ or egg-info litter.
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "queue", "static"):
        p = ROOT / name
        if p.is_dir():
            shutil.copytree(p, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif p.exists():
            shutil.copy(p, src / name)
    wheels = tmp_path / "wheels"
    r = run([PY, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels), str(src)],
            tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    (wheel,) = wheels.glob("onewindow-*.whl")
    target = tmp_path / "target"
    r = run([PY, "-m", "pip", "install", "--no-deps", "--no-compile", "-q", "--target", str(target), str(wheel)],
            tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert not (target / "queue").exists()
    assert (target / "onewindow" / "server" / "config" / "demo_hall.toml").is_file()
    assert (target / "onewindow" / "server" / "store" / "migrations" / "script.py.mako").is_file()

    shipped = sorted(str(p.relative_to(ROOT / "static")) for p in (ROOT / "static").rglob("*")
                     if p.is_file() and "__pycache__" not in p.parts)
    site = sysconfig.get_paths()["purelib"]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    r = run([PY, "-I", "-S", "-c", INSTALLED_CHECK, str(target), site, ",".join(shipped), str(tmp_path / "data")],
            elsewhere)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.split()[0] == "/"
