#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests.
#
#   tests/pg/cluster.sh start STATE   initdb into a fresh /tmp directory, start postgres on a
#                                     unix socket there (no TCP), write STATE
#   tests/pg/cluster.sh stop STATE    stop that postgres (by its pid file) and delete it all
#   tests/pg/cluster.sh restart STATE stop (fast) and start it again (the multi-node test)
#   tests/pg/cluster.sh down|up STATE stop (fast) / start it, for outage tests
#
# STATE is a small shell file: PGDIR (the cluster's directory), PGBIN (the server binaries),
# CONNINFO (a libpq string for the superuser, without dbname). Tests create their own
# databases on it. As root, the cluster belongs to the `postgres` user (initdb refuses
# root); otherwise to the caller. fsync is off: the cluster lives for one test run and a
# power cut would end that run anyway; restarts (what the tests do) lose nothing.
set -euo pipefail
cmd=${1:-}
state=${2:-}
[ -n "$cmd" ] && [ -n "$state" ] || { echo "usage: $0 start|stop|restart|down|up STATE" >&2; exit 2; }

find_bin() {
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
  return 1
}

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start_server() {
  # -w waits until it accepts connections; the log stays in the cluster directory.
  # QOC_PG_DURABLE=1 (the benchmark) keeps PostgreSQL's durable defaults.
  local fast="-c fsync=off -c full_page_writes=off"
  [ "${QOC_PG_DURABLE:-0}" = 1 ] && fast=""
  as_owner "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w -t 60 \
    -o "-k $PGDIR -c listen_addresses='' -c port=5432 $fast -c max_connections=300 -c shared_buffers=128MB" \
    start >/dev/null
}

case "$cmd" in
start)
  # A cluster left behind by an interrupted run under the same state file goes first.
  [ -f "$state" ] && "$0" stop "$state"
  PGBIN=$(find_bin) || { echo "cluster.sh: no PostgreSQL server binaries (apt-get install postgresql)" >&2; exit 3; }
  PGDIR=$(mktemp -d /tmp/qoc-pg.XXXXXX)
  chmod 755 "$PGDIR"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PGDIR"
  as_owner "$PGBIN/initdb" -D "$PGDIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  start_server
  user=postgres
  # Single-quoted values without quotes inside: sourced by this script, parsed by the
  # C and JavaScript tests.
  printf "PGDIR='%s'\nPGBIN='%s'\nCONNINFO='%s'\n" "$PGDIR" "$PGBIN" "host=$PGDIR port=5432 user=$user" > "$state"
  ;;
stop)
  [ -f "$state" ] || exit 0
  # shellcheck disable=SC1090
  . "$state"
  if [ -f "$PGDIR/data/postmaster.pid" ]; then
    as_owner "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  case "$PGDIR" in /tmp/qoc-pg.*) rm -rf "$PGDIR" ;; esac
  rm -f "$state"
  ;;
restart)
  # shellcheck disable=SC1090
  . "$state"
  as_owner "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast -w stop >/dev/null
  start_server
  ;;
down)
  # shellcheck disable=SC1090
  . "$state"
  as_owner "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast -w stop >/dev/null
  ;;
up)
  # shellcheck disable=SC1090
  . "$state"
  start_server
  ;;
*) echo "usage: $0 start|stop|restart|down|up STATE" >&2; exit 2 ;;
esac
