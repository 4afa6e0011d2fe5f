#!/usr/bin/env bash
# Starts a throw-away PostgreSQL cluster on loopback for the database tests, installing
# PostgreSQL from Debian's packages when it is missing. Prints the admin DATABASE_URL on
# stdout (the tests create a database of their own per file from it).
#   usage: scripts/ci/postgres.sh start <dir> [port] | stop <dir>
set -euo pipefail
cmd=${1:?start or stop}
dir=${2:?a directory for the cluster}
port=${3:-55432}

bin_dir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
as_owner() {
  # PostgreSQL refuses to run as root; as root, run it as the postgres user.
  # From /, which the postgres user can always enter (CI's checkout may be private).
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

case "$cmd" in
  start)
    if [ -z "$(bin_dir)" ]; then
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
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 >/dev/null
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >&2
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    bin=$(bin_dir)
    [ -n "$bin" ] && [ -d "$dir/data" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
    ;;
  *)
    echo "usage: $0 start <dir> [port] | stop <dir>" >&2
    exit 2
    ;;
esac
