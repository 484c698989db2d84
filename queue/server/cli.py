"""`onewindow serve` and friends."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .config import ConfigError, load_config


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="onewindow", description="Queue and ticketing for one-window service halls")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve", help="serve the halls of a config file (default: the bundled demo hall)")
    s.add_argument("--config", type=Path, help="hall configuration (TOML)")
    s.add_argument("--data-dir", type=Path, default=Path("data"), help="where data lives (default ./data)")
    s.add_argument("--database-url", help="PostgreSQL URL instead of SQLite in the data dir "
                                           "(also ONEWINDOW_DATABASE_URL)")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--workers", type=int, default=1,
                   help="server processes; ticketing is safe across them, but live screens and "
                        "consoles only see events of the process they are connected to: keep 1 for a hall")
    c = sub.add_parser("check-config", help="validate a hall configuration and exit")
    c.add_argument("config", type=Path)
    args = p.parse_args(argv)

    if args.cmd == "check-config":
        try:
            cfg = load_config(args.config)
        except ConfigError as exc:
            print(f"onewindow: {exc}", file=sys.stderr)
            return 2
        print(f"{args.config}: {len(cfg.halls)} hall(s) OK")
        return 0

    try:
        load_config(args.config)  # refuse to start on a bad file, with file:line: field
    except ConfigError as exc:
        print(f"onewindow: {exc}", file=sys.stderr)
        return 2
    # Settings travel by environment so that every worker process builds the same app.
    if args.config:
        os.environ["ONEWINDOW_CONFIG"] = str(args.config.resolve())
    os.environ["ONEWINDOW_DATA_DIR"] = str(args.data_dir.resolve())
    if args.database_url:
        os.environ["ONEWINDOW_DATABASE_URL"] = args.database_url
    import gc

    import uvicorn

    # Call screens (bench/display_bench.py): a call fanned out to 2,000 sockets makes ~50,000
    # short-lived objects; a larger first GC threshold lets them die young instead of setting
    # off 100-400 ms full collections in the middle of a call.
    gc.set_threshold(20_000, 10, 10)
    # websockets-sansio: uvicorn's current protocol (the legacy one is deprecated and slower);
    # no permessage-deflate: compressing 200-byte events per socket costs more CPU than it saves.
    uvicorn.run("onewindow.server.app:create_app", factory=True, host=args.host, port=args.port,
                workers=args.workers, loop="uvloop", http="httptools", ws="websockets-sansio",
                ws_per_message_deflate=False, log_level="info", proxy_headers=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
