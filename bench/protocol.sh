#!/usr/bin/env bash
# make bench, part 2: the protocol hot paths of a release `qoc` on a temporary data dir,
# driven by wrk over loopback (issue 3 "Speed"):
#   1. client_credentials, opaque token stored durably (sqlite_synchronous=full, group commit)
#   2. client_credentials, RFC 9068 JWT access token signed ES256 (nothing stored)
#   3. the same with RS256 (the server restarted with access_token_alg=RS256)
#   4. introspection of an opaque token (client-authenticated, one read, no write)
#      and the two public GET documents, discovery and JWKS
#   5. full authorization code + PKCE flows with a password sign-in each time (argon2id)
#   6. the same flows with an existing SSO session (no password)
# Workloads 5 and 6 are driven by bench/flows.mjs (Node worker threads, the real HTML
# sign-in form, per-flow PKCE; see that file for why Node) for BENCH_FLOW_SECONDS each.
# Per workload: requests/s, p99 latency, non-2xx answers, the server's CPU seconds per
# request (utime+stime from /proc/<pid>/stat before/after) and its peak RSS (VmHWM).
#
# Applications are made with the TEST-ONLY qoc-fixture (never part of qoc): $BENCH_FIXTURE if
# set, else built Release in $FIXTURE_BUILD (default build/bench-fixture, target
# qoc-fixture only). It writes to the same data directory the server serves.
# Usage: bench/protocol.sh BUILD_DIR  (env: BENCH_SECONDS, BENCH_CONNECTIONS, BENCH_THREADS)
set -euo pipefail
build=${1:-build}
secs=${BENCH_SECONDS:-10}
conns=${BENCH_CONNECTIONS:-64}
wrk_threads=${BENCH_WRK_THREADS:-2}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

. "$here/lib.sh"
bench_fixture
export QOC_DATA_DIR="$work/data"
export QOC_ACCESS_LOG=false
sync_mode=${QOC_SQLITE_SYNCHRONOUS:-full}
export QOC_SQLITE_SYNCHRONOUS=$sync_mode
# The server runs with its defaults (threads: two per core; wait_threads 32; db pool
# threads + 2): one configuration for every workload. Writes that wait for their commit run
# on the wait pool, where up to wait_threads of them share one fsync, so the connection
# threads stay few and CPU-bound (64 connection threads, one per client connection, cost
# the CPU-bound workloads ~40% in context switches). QOC_THREADS etc. still override.
# start_server [ENV=VALUE...]: a fresh qoc serve on a free port; sets port and server_pid.
# The issuer is the loopback URL the drivers reach (the flows follow its form actions).
start_server() {
  [ -n "$server_pid" ] && { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; }
  port=$(free_port)
  env QOC_ISSUER="http://127.0.0.1:$port" "$@" QOC_LISTEN="127.0.0.1:$port" "$build/qoc" serve >> "$work/qoc.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && return 0; sleep 0.1; done
  echo "qoc did not start:" >&2; cat "$work/qoc.log" >&2; exit 1
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }
hwm_kib() { awk '/^VmHWM/ {print $2}' "/proc/$server_pid/status"; }
clk_tck=$(getconf CLK_TCK)

cat > "$work/post.lua" <<'EOF'
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = os.getenv("BENCH_AUTH")
EOF

# measure NAME PATH [WRK ARGS...]: one wrk run on PATH, one result line.
measure() {
  local name=$1 path=$2
  shift 2
  local t0 t1
  t0=$(cpu_ticks)
  wrk -t"$wrk_threads" -c"$conns" -d"${secs}s" --latency "$@" "http://127.0.0.1:$port$path" > "$work/wrk.out"
  t1=$(cpu_ticks)
  local rps p99 reqs errs
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.out")
  p99=$(awk '$1=="99%" {print $2}' "$work/wrk.out")
  reqs=$(awk '/requests in/ {print $1}' "$work/wrk.out")
  errs=$(awk '/Non-2xx/ {print $5}' "$work/wrk.out")
  awk -v n="$name" -v r="$rps" -v p="$p99" -v q="$reqs" -v e="${errs:-0}" -v d="$((t1 - t0))" \
      -v hz="$clk_tck" -v hwm="$(hwm_kib)" -v base="$baseline_rps" 'BEGIN {
    printf "  %-44s %8.0f req/s  p99 %-9s  %8.1f us CPU/req  peak RSS %5.1f MiB  non-2xx %s  %.2f x baseline\n",
           n, r, p, (q > 0 ? d / hz / q * 1e6 : 0), hwm / 1024, e, r / base }'
}

# run NAME PATH BODY AUTH: a form POST workload.
run() {
  local name=$1 path=$2
  export BENCH_BODY=$3 BENCH_AUTH=$4
  # one request first: a workload that only answers errors is not a measurement
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: $BENCH_AUTH" \
    -H 'Content-Type: application/x-www-form-urlencoded' --data "$BENCH_BODY" "http://127.0.0.1:$port$path")
  [ "$code" = 200 ] || { echo "$name: first request answered $code" >&2; exit 1; }
  measure "$name" "$path" -s "$work/post.lua"
}

# run_get NAME PATH: a GET workload (the public documents).
run_get() {
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$2")
  [ "$code" = 200 ] || { echo "$1: first request answered $code" >&2; exit 1; }
  measure "$1" "$2"
}

# The machine's baseline, measured in this run: bare libmicrohttpd answering GET with a
# fixed body (bench/hello_mhd.c, as many threads as qoc's default). These 2 cores are shared
# and their speed moves from run to run by 10-20%; each workload is also printed as a ratio
# to this figure, which compares across runs.
cc -O2 -o "$work/hello_mhd" "$here/hello_mhd.c" $(pkg-config --cflags --libs libmicrohttpd)
port=$(free_port)
"$work/hello_mhd" "$port" "$(( $(nproc) * 2 ))" &
server_pid=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
baseline_rps=$(wrk -t"$wrk_threads" -c"$conns" -d"${secs}s" "http://127.0.0.1:$port/healthz" | awk '/Requests\/sec/ {print $2}')
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
server_pid=

"$build/qoc" migrate >/dev/null # qoc user add only uses a store that exists
echo "pw-for-the-benchmark-only" | "$build/qoc" user add --email bench@example.com --name Bench --password-stdin >/dev/null
mk_service() {
  "$fixture" app create --owner-email bench@example.com --name "$1" --type service --grant client_credentials "${@:2}"
}
opaque=$(mk_service "bench opaque")
jwt=$(mk_service "bench jwt" --token-format jwt)
basic() { printf 'Basic %s' "$(printf '%s:%s' "$(echo "$1" | json_get client_id)" "$(echo "$1" | json_get client_secret)" | base64 -w0)"; }
auth_opaque=$(basic "$opaque")
auth_jwt=$(basic "$jwt")

start_server
# an opaque token to introspect (the service app introspects its own token)
token=$(curl -s -X POST -H "Authorization: $auth_opaque" --data grant_type=client_credentials \
  "http://127.0.0.1:$port/oauth2/token" | json_get access_token)

printf '\nProtocol: wrk -t%s -c%s -d%ss, loopback, sqlite_synchronous=%s, group commit on, server threads %s, wait threads %s, db pool %s, %s cores\n' \
  "$wrk_threads" "$conns" "$secs" "$sync_mode" "${QOC_THREADS:-default}" "${QOC_WAIT_THREADS:-default}" "${QOC_DB_POOL_SIZE:-default}" "$(nproc)"
printf '  baseline: bare libmicrohttpd GET /healthz %.0f req/s (this run)\n' "$baseline_rps"
run "client_credentials opaque (durable)" /oauth2/token "grant_type=client_credentials" "$auth_opaque"
run "client_credentials JWT ES256 (not stored)" /oauth2/token "grant_type=client_credentials" "$auth_jwt"
run "introspection (opaque, active)" /oauth2/introspect "token=$token" "$auth_opaque"
run_get "discovery (openid-configuration)" /.well-known/openid-configuration
run_get "JWKS" /.well-known/jwks.json
start_server QOC_ACCESS_TOKEN_ALG=RS256
run "client_credentials JWT RS256" /oauth2/token "grant_type=client_credentials" "$auth_jwt"

# Full flows (issue 3: >= 150 flows/s with a password sign-in, >= 3000 flows/s with SSO).
# A web app on a loopback-free https redirect URI: the driver never follows it, it only
# reads the code from the 303's Location.
# The ID token is signed with the application's algorithm: RS256 is the default of a new
# application (BENCH_FLOW_ID_TOKEN_ALG=ES256 or EdDSA to compare).
flow_secs=${BENCH_FLOW_SECONDS:-4}
flow_alg=${BENCH_FLOW_ID_TOKEN_ALG:-RS256}
flow_app=$("$fixture" app create --owner-email bench@example.com --name "bench flows" --type web \
  --redirect-uri https://bench.example.com/cb --id-token-alg "$flow_alg")
start_server
# run_flows MODE: one bench/flows.mjs run, one result line (server CPU per flow, not per request).
run_flows() {
  local t0 t1 out
  t0=$(cpu_ticks)
  out=$(BENCH_SECONDS=$flow_secs node "$here/flows.mjs" "$1" "http://127.0.0.1:$port" \
    "$(echo "$flow_app" | json_get client_id)" "$(echo "$flow_app" | json_get client_secret)" \
    https://bench.example.com/cb bench@example.com pw-for-the-benchmark-only)
  t1=$(cpu_ticks)
  echo "$out" | python3 -c "
import json, sys
r = json.load(sys.stdin)
d, hz, hwm = $((t1 - t0)), $clk_tck, $(hwm_kib)
print('  %-44s %8.0f flows/s p99 %6.0fms %8.1f ms CPU/flow  peak RSS %5.1f MiB  errors %d  (client %d x %d, client CPU %.1fs)' % (
  'auth code + PKCE, ' + ('password sign-in' if r['mode'] == 'password' else 'SSO session'),
  r['flows_per_s'], r['p99_ms'], (d / hz / r['flows'] * 1e3) if r['flows'] else 0, hwm / 1024, r['errors'],
  r['workers'], r['concurrency'], r['client_cpu_s']))
if r.get('first_error'): print('    first error:', r['first_error'][:200])
"
}
printf '\nFull flows: bench/flows.mjs, %ss each, loopback, sqlite_synchronous=%s, group commit on, ID token %s, opaque access token, argon2id m=19 MiB t=2 p=1, server threads %s\n' \
  "$flow_secs" "$sync_mode" "$flow_alg" "${QOC_THREADS:-default}"
run_flows password
run_flows sso
printf '  targets (issue 3): password sign-in >= 150 flows/s, SSO >= 3000 flows/s\n'

printf '  targets (issue 3): opaque >= 15000/s, ES256 >= 25000/s, RS256 >= 5000/s,\n'
printf '  introspection >= 60000/s with p99 < 2 ms, discovery and JWKS >= 100000/s, RSS < 64 MiB (peak RSS is per server process;\n'
printf '  the RS256 run is a fresh process)\n'
