"""The data directory is private: folders 0700, files 0600 (the SQLite database and its
-wal/-shm, secret.key, exports, announcement WAVs, print previews).

`secure_data_dir` runs at the server's start: it sets the process umask to 077, so that
whatever the server creates later is private too (SQLite gives -wal and -shm the database
file's mode), and tightens what an earlier version left readable."""
from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger("onewindow.files")

UMASK = 0o077


def secure_data_dir(data_dir: Path) -> None:
    os.umask(UMASK)
    root = Path(data_dir)
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    loosened = 0
    for path, _dirs, files in os.walk(root):
        loosened += _tighten(Path(path), 0o700)
        for name in files:
            loosened += _tighten(Path(path, name), 0o600)
    if loosened:
        log.info("data directory %s: made %d file(s) and folder(s) private (0600/0700)", root, loosened)


def _tighten(path: Path, mode: int) -> int:
    try:
        st = path.lstat()
        if path.is_symlink() or (st.st_mode & 0o777) == mode:
            return 0
        os.chmod(path, mode)
        return 1
    except OSError as exc:  # not ours to change (e.g. a file put there by root): say so, go on
        log.warning("cannot make %s private: %s", path, exc)
        return 0
