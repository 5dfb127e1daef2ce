#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server on loopback for the tests and prints the
# DSN to use as OOPS_TEST_POSTGRES_DSN. Installs the server from Debian's
# packages when it is missing. Usage: eval "$(bash .ci/postgres.sh)"
set -euo pipefail
port=${OOPS_PG_PORT:-}
if [ -z "$port" ]; then
  for p in $(seq 54329 54359); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
  done
fi
[ -n "$port" ] || { echo "no free port for PostgreSQL in 54329-54359" >&2; exit 1; }
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
data=$(mktemp -d /tmp/oops-pg.XXXXXX)
chown postgres: "$data"
run() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
run "'$bin/initdb' -D '$data/db' -A trust -U postgres -E UTF8 >/dev/null"
run "'$bin/pg_ctl' -D '$data/db' -l '$data/log' -w -o \"-c listen_addresses=127.0.0.1 -p $port -k '$data'\" start >/dev/null"
echo "export OOPS_TEST_POSTGRES_DSN='postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable'"
echo "export OOPS_PG_DATA='$data/db'"
