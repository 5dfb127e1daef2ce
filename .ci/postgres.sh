#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server on loopback for the tests and prints the
# variables to export: OOPS_TEST_POSTGRES_DSN (the server) and OOPS_PG_STOP (a
# script that stops the server and removes its data directory). Usage:
#
#	eval "$(bash .ci/postgres.sh)"
#	go test ./...
#	"$OOPS_PG_STOP"
#
# The server is the machine's Debian PostgreSQL (installed when missing, which
# needs root), run with a data directory of its own under /tmp, trust
# authentication on loopback only, and its socket in that directory, so that it
# collides neither with a system server nor with another test run. Run as
# root, the server runs as the postgres user (PostgreSQL refuses to run as
# root); run as anyone else, as that user. OOPS_PG_PORT picks the port;
# otherwise the first free one in 54329-54359.
set -euo pipefail

port=${OOPS_PG_PORT:-}
if [ -z "$port" ]; then
  for p in $(seq 54329 54359); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
  done
fi
[ -n "$port" ] || { echo "no free port for PostgreSQL in 54329-54359" >&2; exit 1; }

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "PostgreSQL is not installed: install Debian's postgresql package (as root), or run this as root" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

data=$(mktemp -d /tmp/oops-pg.XXXXXX)
chmod 700 "$data"
if [ "$(id -u)" = 0 ]; then
  chown postgres: "$data"
  as_server="su postgres -s /bin/sh -c"
else
  as_server="sh -c"
fi

cat >"$data/stop" <<EOS
#!/bin/sh
# Stops the test server in $data and removes the directory.
$as_server "'$bin/pg_ctl' -D '$data/db' -m fast -w stop" >/dev/null 2>&1 || true
rm -rf '$data'
EOS
chmod 755 "$data/stop"

if ! $as_server "'$bin/initdb' -D '$data/db' -A trust -U postgres -E UTF8" >"$data/initdb.log" 2>&1; then
  echo "initdb failed:" >&2; cat "$data/initdb.log" >&2
  "$data/stop"; exit 1
fi
if ! $as_server "'$bin/pg_ctl' -D '$data/db' -l '$data/log' -w -o \"-c listen_addresses=127.0.0.1 -p $port -k '$data'\" start" >/dev/null 2>&1; then
  echo "PostgreSQL did not start; its log:" >&2; tail -n 40 "$data/log" >&2 || true
  "$data/stop"; exit 1
fi
echo "export OOPS_TEST_POSTGRES_DSN='postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable'"
echo "export OOPS_PG_STOP='$data/stop'"
