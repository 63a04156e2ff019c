#!/usr/bin/env bash
# Issue 7 "Speed": client_credentials issuance (opaque token, stored durably) and
# introspection, driven by wrk over loopback, on
#   1. one node on SQLite (sqlite_synchronous=full, group commit on: the embedded default),
#   2. one node on PostgreSQL (synchronous_commit=on, fsync on: a throwaway cluster from
#      tests/pg/cluster.sh with its durable defaults, unix socket),
#   3. two nodes on that PostgreSQL database (one wrk per node, half the connections each,
#      requests/s summed),
# printed side by side. Everything runs on this one machine: the nodes, PostgreSQL and
# wrk share its cores, so the two-node column shows what sharing one database costs, not
# what two machines would give.
# Usage: bench/postgres.sh BUILD_DIR   (a Release build of qoc; env: BENCH_SECONDS,
# BENCH_CONNECTIONS, BENCH_FIXTURE as in bench/protocol.sh)
set -euo pipefail
build=${1:-build}
secs=${BENCH_SECONDS:-5}
conns=${BENCH_CONNECTIONS:-64}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
work=$(mktemp -d)
pids=()
state="$work/pg.state"
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  "$root/tests/pg/cluster.sh" stop "$state" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

fixture=${BENCH_FIXTURE:-}
if [ -z "$fixture" ]; then
  fb=${FIXTURE_BUILD:-$root/build/bench-fixture}
  cmake -S "$root" -B "$fb" -DCMAKE_BUILD_TYPE=Release -DQOC_TESTS=ON >/dev/null
  cmake --build "$fb" --target qoc-fixture -j 2 >/dev/null
  fixture=$fb/qoc-fixture
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
json_get() { python3 -c "import json,sys; print(json.load(sys.stdin)[\"$1\"])"; }
export QOC_ACCESS_LOG=false QOC_SQLITE_SYNCHRONOUS=full
# Connection threads: the server's default (two per core); writes wait on the wait pool
# (wait_threads, 32). A pool of 16 lets those writes run side by side on PostgreSQL (the
# default, threads + 2, is sized for SQLite's single writer). 32 connection threads, as
# this ran before the wait pool, now cost 30% of the durable rate in context switches.
export QOC_DB_POOL_SIZE=${QOC_DB_POOL_SIZE:-16}

# start_node: a qoc serve on a free port with the current QOC_* environment; sets port.
# (Not in a $(...) subshell: pids must reach the cleanup.)
start_node() {
  port=$(free_port)
  QOC_ISSUER="http://127.0.0.1:$port" QOC_LISTEN="127.0.0.1:$port" "$build/qoc" serve >> "$work/qoc-$port.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && return 0; sleep 0.1; done
  echo "qoc did not start:" >&2; cat "$work/qoc-$port.log" >&2; exit 1
}
stop_nodes() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; pids=(); }

cat > "$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = os.getenv("BENCH_AUTH")
LUA

# wrk_on PATH PORT... : wrk on each port at once (conns split between them); prints the
# summed req/s and the worst p99 and non-2xx count.
wrk_on() {
  local path=$1; shift
  local n=$# c=$((conns / $#)) i=0
  for port in "$@"; do
    wrk -t1 -c"$c" -d"${secs}s" --latency -s "$work/post.lua" "http://127.0.0.1:$port$path" > "$work/wrk.$i" &
    i=$((i + 1))
  done
  wait
  awk '/Requests\/sec/ {r += $2} $1=="99%" {p = (p == "" || $2 > p) ? $2 : p} /Non-2xx/ {e += $5}
       END {printf "%.0f %s %d\n", r, p, e}' "$work"/wrk.[0-9]*
  rm -f "$work"/wrk.[0-9]*
}

# setup_store: an account and a client_credentials app in the current store; sets auth.
setup_store() {
  "$build/qoc" migrate >/dev/null # qoc user add only uses a store that exists
  echo "pw-for-the-benchmark-only" | "$build/qoc" user add --email bench@example.com --name Bench --password-stdin >/dev/null
  local app
  app=$("$fixture" app create --owner-email bench@example.com --name bench --type service --grant client_credentials)
  auth="Basic $(printf '%s:%s' "$(echo "$app" | json_get client_id)" "$(echo "$app" | json_get client_secret)" | base64 -w0)"
}

# measure_column PORT...: both workloads on these nodes; sets col_cc and col_in.
measure_column() {
  local first=$1
  export BENCH_AUTH=$auth BENCH_BODY=grant_type=client_credentials
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: $auth" --data "$BENCH_BODY" "http://127.0.0.1:$first/oauth2/token")
  [ "$code" = 200 ] || { echo "first request answered $code" >&2; exit 1; }
  col_cc=$(wrk_on /oauth2/token "$@")
  local token
  token=$(curl -s -X POST -H "Authorization: $auth" --data grant_type=client_credentials "http://127.0.0.1:$first/oauth2/token" | json_get access_token)
  export BENCH_BODY="token=$token"
  col_in=$(wrk_on /oauth2/introspect "$@")
}

# 1. SQLite, one node
export QOC_DATA_DIR="$work/sqlite"
unset QOC_DATABASE
setup_store
start_node
measure_column "$port"
sq_cc=$col_cc sq_in=$col_in
stop_nodes

# 2. and 3. PostgreSQL (durable), one node then two
QOC_PG_DURABLE=1 "$root/tests/pg/cluster.sh" start "$state"
conninfo=$(sed -n "s/^CONNINFO='\(.*\)'$/\1/p" "$state")
pgbin=$(sed -n "s/^PGBIN='\(.*\)'$/\1/p" "$state")
"$pgbin/psql" -X -q -d "$conninfo dbname=postgres" -c "CREATE DATABASE qoc_bench" >/dev/null
export QOC_DATA_DIR="$work/pg" QOC_DATABASE="$conninfo dbname=qoc_bench"
setup_store
start_node
p1=$port
measure_column "$p1"
pg1_cc=$col_cc pg1_in=$col_in
start_node
measure_column "$p1" "$port"
pg2_cc=$col_cc pg2_in=$col_in
stop_nodes

printf '\nbench/postgres.sh: wrk %ss, %s connections in all, loopback, %s threads and a pool of %s per node, %s cores shared by everything\n' \
  "$secs" "$conns" "${QOC_THREADS:-default}" "$QOC_DB_POOL_SIZE" "$(nproc)"
printf '  %-34s %22s %22s %22s\n' "workload (req/s, p99, non-2xx)" "SQLite, 1 node" "PostgreSQL, 1 node" "PostgreSQL, 2 nodes"
row() {
  local name=$1; shift
  printf '  %-34s' "$name"
  for v in "$@"; do
    set -- $v
    printf ' %9s %7s %4s' "$1" "$2" "$3"
  done
  printf '\n'
}
row "client_credentials (opaque, durable)" "$sq_cc" "$pg1_cc" "$pg2_cc"
row "introspection (opaque, active)" "$sq_in" "$pg1_in" "$pg2_in"
