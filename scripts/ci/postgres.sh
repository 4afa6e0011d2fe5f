#!/usr/bin/env bash
# Starts a throw-away PostgreSQL cluster on loopback for the database tests, installing
# PostgreSQL from Debian's packages when it is missing. Prints the admin DATABASE_URL on
# stdout (the tests create a database of their own per file from it).
#   usage: scripts/ci/postgres.sh start <dir> [port] | stop <dir>
# The binaries: SWITCHBOARD_PG_BIN when set, else the newest /usr/lib/postgresql/*/bin, else
# the folder of `pg_ctl` on PATH (when `initdb` is beside it).
# SWITCHBOARD_PG_NO_INSTALL=1 never installs: without binaries, start fails instead (the
# tests' global setup uses it, so `npm test` only ever uses what is already there).
set -euo pipefail
cmd=${1:?start or stop}
dir=${2:?a directory for the cluster}
port=${3:-55432}

bin_dir() {
  if [ -n "${SWITCHBOARD_PG_BIN:-}" ]; then
    [ -x "$SWITCHBOARD_PG_BIN/pg_ctl" ] && [ -x "$SWITCHBOARD_PG_BIN/initdb" ] && echo "$SWITCHBOARD_PG_BIN"
    return 0
  fi
  local debian
  debian=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$debian" ]; then echo "$debian"; return 0; fi
  local pg_ctl
  pg_ctl=$(command -v pg_ctl 2>/dev/null || true)
  if [ -n "$pg_ctl" ] && [ -x "$(dirname "$pg_ctl")/initdb" ]; then dirname "$pg_ctl"; fi
  return 0
}
as_owner() {
  # PostgreSQL refuses to run as root; as root, run it as the postgres user.
  # From /, which the postgres user can always enter (CI's checkout may be private).
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

case "$cmd" in
  start)
    if [ -z "$(bin_dir)" ]; then
      if [ "${SWITCHBOARD_PG_NO_INSTALL:-}" = 1 ]; then
        echo "PostgreSQL is not installed and SWITCHBOARD_PG_NO_INSTALL=1 forbids installing it (apt-get install postgresql)" >&2
        exit 1
      fi
      echo "installing PostgreSQL from Debian's packages" >&2
      if [ "$(id -u)" = 0 ]; then
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
      else
        echo "PostgreSQL is not installed and this user cannot install it (apt-get install postgresql)" >&2
        exit 1
      fi
    fi
    bin=$(bin_dir)
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; fi
    as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 >/dev/null
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >&2
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    bin=$(bin_dir)
    if [ -n "$bin" ] && [ -d "$dir/data" ]; then as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true; fi
    ;;
  *)
    echo "usage: $0 start <dir> [port] | stop <dir>" >&2
    exit 2
    ;;
esac
