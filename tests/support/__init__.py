"""Helpers shared by the test folders (tests/support is on sys.path: `import support.wait`).

One home for each helper used by more than one folder; a folder's conftest.py holds its
fixtures and what only its own tests use (cases: Hall, ratings: Day).

- wait:     wait_until / wait_until_async, the only way a test waits for something
- clock:    FakeClock, Asia/Shanghai datetimes (`at`)
- halls:    the demo hall (edited), a small test hall's TOML, the kiosk's printers
- accounts: logging in and making staff accounts over any HTTP client
- pg:       PostgreSQL: is it there, a fresh (migrated) database per test
- servers:  free ports, the app served in a thread, `onewindow serve` as a process
- sockets:  websockets read in a thread (TestClient's and real ones), with deadlines
- broker:   Redis: is it there, private redis-server processes, hub helpers
- browser:  Chromium's flags, screenshots into test-artifacts/
- media:    sox statistics, espeak-ng phonemes, zbar QR reading
- printer:  a fake port-9100 network printer
- console:  the console tests' desk (the clerk API through a TestClient)
- kiosk:    the kiosk tests' printers and clerks
"""
