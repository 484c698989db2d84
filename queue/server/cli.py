"""`onewindow serve` and friends."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from onewindow.server.config import ConfigError, load_config
from onewindow.server.logs import LEVELS, log_config


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="onewindow", description="Queue and ticketing for one-window service halls")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve", help="serve the halls of a config file (default: the bundled demo hall)")
    s.add_argument("--config", type=Path, help="hall configuration (TOML)")
    s.add_argument("--data-dir", type=Path, default=Path("data"), help="where data lives (default ./data)")
    s.add_argument("--database-url", help="PostgreSQL URL instead of SQLite in the data dir "
                                           "(also ONEWINDOW_DATABASE_URL)")
    s.add_argument("--public-url", help="base URL phones reach this server at, for the tickets' QR codes "
                                        "(also ONEWINDOW_PUBLIC_URL; default: the address the kiosk uses)")
    s.add_argument("--printer", help="config (default): the printers of the hall file; none: no printing; "
                                     "or a driver for every printer: preview, tcp://HOST:9100, file:/dev/usb/lp0, "
                                     "usb:VID:PID, serial:/dev/ttyS0 (also ONEWINDOW_PRINTER)")
    s.add_argument("--speaker", help="also play announcements on this PC's speaker: auto (aplay, paplay or "
                                      "sox), or a player command with {wav}; default off (also ONEWINDOW_SPEAKER)")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--redis-url", help="Redis that carries live events between server processes, e.g. "
                                        "redis://127.0.0.1:6379/0 (also ONEWINDOW_REDIS_URL); needed for --workers > 1")
    s.add_argument("--log-level", choices=LEVELS, default=os.environ.get("ONEWINDOW_LOG_LEVEL", "info"),
                   help="the server's log level (also ONEWINDOW_LOG_LEVEL; default info)")
    s.add_argument("--secure-cookies", action="store_true", default=None,
                   help="behind HTTPS: mark the session cookie Secure (also ONEWINDOW_SECURE_COOKIES=1)")
    s.add_argument("--forwarded-allow-ips", default=os.environ.get("ONEWINDOW_FORWARDED_ALLOW_IPS"),
                   help="addresses of the HTTPS proxy whose X-Forwarded-Proto/-For headers are trusted, comma "
                        "separated, or * (also ONEWINDOW_FORWARDED_ALLOW_IPS; default 127.0.0.1,::1)")
    s.add_argument("--workers", type=int, default=1,
                   help="server processes (default 1); more than one needs --redis-url, so that every "
                        "screen and console sees every event")
    c = sub.add_parser("check-config", help="validate a hall configuration and exit")
    c.add_argument("config", type=Path)
    a = sub.add_parser("audit", help="the audit log").add_subparsers(dest="audit_cmd", required=True)
    v = a.add_parser("verify", help="check the audit log's hash chain: exit 0 when intact, 1 naming the first "
                                    "edited, inserted or deleted row")
    v.add_argument("--data-dir", type=Path, help="the server's data dir: its database and secret.key "
                                                 "(default: ONEWINDOW_DATA_DIR or ./data)")
    v.add_argument("--database-url", help="PostgreSQL URL (also ONEWINDOW_DATABASE_URL); the key comes from "
                                           "ONEWINDOW_SECRET_KEY or the data dir")
    from onewindow.server.services import backup

    backup.add_commands(sub)  # `backup` and `restore` (issue 17)
    from onewindow.server.services import sync as van_sync

    van_sync.add_commands(sub)  # `sync`: a mobile outlet's van (issue 18)
    args = p.parse_args(argv)
    if args.cmd == "sync":
        return van_sync.sync_main(args)
    if args.cmd == "serve":
        van_sync.serve_defaults(args)  # a van outfitted by `sync --pull`: its outlet.toml and the centre's URL

    if args.cmd == "audit":
        return audit_verify(args)
    if args.cmd == "backup":
        return backup.backup_main(args)
    if args.cmd == "restore":
        return backup.restore_main(args)

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
    if args.printer and args.printer not in ("config", "none"):
        from onewindow.server.config.printers import parse_driver

        try:
            parse_driver(args.printer)
        except ValueError as exc:
            print(f"onewindow: --printer: {exc}", file=sys.stderr)
            return 2
    admin_password = os.environ.get("ONEWINDOW_ADMIN_PASSWORD")
    if admin_password:
        from onewindow.server.services import passwords

        weak = passwords.weakness(admin_password, "admin")
        if weak is not None:  # the account it would create must meet the policy like any other
            print(f"onewindow: ONEWINDOW_ADMIN_PASSWORD does not meet the password policy: {passwords.message(weak)}",
                  file=sys.stderr)
            return 2
    from onewindow.server.settings import SettingError, redis_outbox_max

    try:  # read again in every worker (Settings.from_env): refused here, once, without a traceback
        redis_outbox_max(os.environ)
    except SettingError as exc:
        print(f"onewindow: {exc}", file=sys.stderr)
        return 2
    redis_url = args.redis_url or os.environ.get("ONEWINDOW_REDIS_URL")
    if args.workers > 1 and not redis_url:
        # Refused rather than warned: without Redis a call made in one process never reaches the
        # screens connected to another, and visitors miss their number.
        print(f"onewindow: --workers {args.workers} needs --redis-url (or ONEWINDOW_REDIS_URL): without it "
              "each process's screens and consoles see only that process's calls; use --workers 1 "
              "or give a Redis", file=sys.stderr)
        return 2
    # Settings travel by environment so that every worker process builds the same app.
    if redis_url:
        os.environ["ONEWINDOW_REDIS_URL"] = redis_url
    if args.config:
        os.environ["ONEWINDOW_CONFIG"] = str(args.config.resolve())
    os.environ["ONEWINDOW_DATA_DIR"] = str(args.data_dir.resolve())
    if args.database_url:
        os.environ["ONEWINDOW_DATABASE_URL"] = args.database_url
    if args.public_url:
        os.environ["ONEWINDOW_PUBLIC_URL"] = args.public_url
    if args.speaker:
        from onewindow.display.speaker import open_speaker

        try:
            open_speaker(args.speaker)
        except ValueError as exc:
            print(f"onewindow: --speaker: {exc}", file=sys.stderr)
            return 2
        os.environ["ONEWINDOW_SPEAKER"] = args.speaker
    if args.printer:
        os.environ["ONEWINDOW_PRINTER"] = args.printer
    if args.secure_cookies:
        os.environ["ONEWINDOW_SECURE_COOKIES"] = "1"
    import gc

    import uvicorn

    # Call screens (bench/display_bench.py): a call fanned out to 2,000 sockets makes ~50,000
    # short-lived objects; a larger first GC threshold lets them die young instead of setting
    # off 100-400 ms full collections in the middle of a call.
    gc.set_threshold(20_000, 10, 10)
    # websockets-sansio: uvicorn's current protocol (the legacy one is deprecated and slower), with
    # each event's frame written to every screen as is (live/frames.py);
    # no permessage-deflate: compressing 200-byte events per socket costs more CPU than it saves.
    uvicorn.run("onewindow.server.app:create_app", factory=True, host=args.host, port=args.port,
                workers=args.workers, loop="uvloop", http="httptools",
                ws="onewindow.server.live.frames:RawFrameProtocol",
                ws_per_message_deflate=False, log_config=log_config(args.log_level), proxy_headers=True,
                forwarded_allow_ips=args.forwarded_allow_ips)  # None: uvicorn's default, 127.0.0.1,::1
    return 0


def audit_verify(args) -> int:
    from onewindow.server.services.audit import NoKey, load_audit_keys, verify_database
    from onewindow.server.settings import Settings
    from onewindow.server.store.crypto import SecretKeyError

    settings = Settings.from_env(data_dir=args.data_dir, database_url=args.database_url)
    try:
        keys = load_audit_keys(settings.secret_key, settings.data_dir)
    except (NoKey, SecretKeyError) as exc:
        print(f"onewindow: {exc}", file=sys.stderr)
        return 2
    try:
        result = verify_database(settings.db_url, keys)
    except Exception as exc:  # no database, no audit_log, not migrated: say so, no traceback
        print(f"onewindow: cannot read the audit log of {settings.db_url}: {exc}", file=sys.stderr)
        return 2
    head = result["head"]
    if result["ok"]:
        print(f"audit log intact: {result['rows']} rows"
              + (f", head #{head['id']} {head['hash']}" if head else ""))
        return 0
    problem = result["problem"]
    print(f"audit log BROKEN at #{problem['id']} ({problem['kind']}): {problem['message']}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
