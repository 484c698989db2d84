#!/usr/bin/env bash
# Make the local PostgreSQL and Redis answer the way the tests expect
# (their PG_ADMIN URL and Redis URL): PostgreSQL on 127.0.0.1:5432 where
# the `postgres` user connects without a password and a database `test` exists;
# Redis on 127.0.0.1:6379. For a test or CI machine only: it trusts the
# PostgreSQL superuser on 127.0.0.1.
#
# Safe to run again and on a machine where both already run: whatever already
# answers is left alone. It never drops, re-initialises or reconfigures an
# existing cluster beyond one trust line in pg_hba.conf, added only when the
# `postgres` user cannot connect over 127.0.0.1 without a password.
# Never fails: what cannot be fixed is reported, and the tests then say which
# service is missing.
set -uo pipefail

sudo_=""; [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && sudo_="sudo"
warn() { echo "services.sh: $*" >&2; }
PG="postgresql://postgres@127.0.0.1:5432"
pg_sql() { psql "$PG/$1" -w -X -Atq -c "$2" 2>/dev/null; }  # -w: never prompt for a password

# ----- PostgreSQL -------------------------------------------------------------
postgres_up() {
  if ! command -v pg_lsclusters >/dev/null; then
    warn "PostgreSQL is not installed (scripts/setup.sh installs it)"; return
  fi
  # The cluster on port 5432, if there is one: "version name port status owner datadir log".
  read -r ver name _ status _ < <(pg_lsclusters -h | awk '$3 == 5432' | head -1)
  if [ -z "${ver:-}" ]; then
    if [ -n "$(pg_lsclusters -h)" ]; then
      warn "PostgreSQL clusters exist but none on port 5432; not touching them"; return
    fi
    # Installed without a cluster (create_main_cluster = false): create the one the tests use.
    ver=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)
    [ -n "$ver" ] || { warn "no PostgreSQL server binaries under /usr/lib/postgresql"; return; }
    name=main status=down
    $sudo_ pg_createcluster "$ver" main --port 5432 >/dev/null || { warn "pg_createcluster $ver main failed"; return; }
  fi
  if [[ "$status" != online* ]]; then
    $sudo_ pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start || warn "could not start PostgreSQL $ver/$name"
  fi
  for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  pg_isready -q -h 127.0.0.1 -p 5432 || { warn "PostgreSQL is not answering on 127.0.0.1:5432"; return; }

  if ! pg_sql postgres "SELECT 1" >/dev/null; then
    # A fresh cluster asks for a password on 127.0.0.1: trust the postgres user there
    # (first matching line wins, so it goes on top), then reload.
    hba="/etc/postgresql/$ver/$name/pg_hba.conf"
    if ! $sudo_ grep -q "onewindow tests" "$hba" 2>/dev/null; then
      $sudo_ sed -i '1i # onewindow tests (scripts/services.sh): the postgres user without a password on 127.0.0.1\nhost    all    postgres    127.0.0.1/32    trust' "$hba" \
        || { warn "could not edit $hba"; return; }
    fi
    $sudo_ pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" reload || true
    for _ in $(seq 10); do pg_sql postgres "SELECT 1" >/dev/null && break; sleep 1; done
    pg_sql postgres "SELECT 1" >/dev/null || { warn "the postgres user cannot connect on 127.0.0.1"; return; }
  fi
  if [ "$(pg_sql postgres "SELECT 1 FROM pg_database WHERE datname = 'test'")" != 1 ]; then
    pg_sql postgres "CREATE DATABASE test" >/dev/null || warn "could not create the database test"
  fi
}

# ----- Redis ------------------------------------------------------------------
redis_up() {
  redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && return
  if ! command -v redis-server >/dev/null; then
    warn "Redis is not installed (scripts/setup.sh installs it)"; return
  fi
  $sudo_ mkdir -p /var/lib/redis /var/log/redis
  $sudo_ redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
  for _ in $(seq 10); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && return; sleep 0.5; done
  warn "Redis is not answering on 127.0.0.1:6379"
}

postgres_up
redis_up
exit 0
