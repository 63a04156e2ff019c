#!/usr/bin/env bash
# Analytics speed (issue 6 "Speed"), two figures measured in this run on this machine:
#   1. the 30-day analytics query at hourly granularity over 10 million events of one
#      application (bench/analytics_query.c; target < 50 ms);
#   2. the cost of event capture on the token endpoint: client_credentials with wrk against
#      a release `qoc serve` with analytics=off and analytics=on, alternated ABBA (off, on,
#      on, off per round) on one data directory so drift on a shared host hits both alike;
#      target: on >= 95% of off. Also checks on /readyz that no event was dropped.
# Usage: bench/analytics.sh [BUILD_DIR]   (env: BENCH_SECONDS (10), BENCH_CONNECTIONS (64),
#        BENCH_ROUNDS (2), BENCH_EVENTS (10000000), BENCH_TOKEN_FORMAT (opaque|jwt),
#        BENCH_SKIP_QUERY (set: only the capture overhead))
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/bench}
secs=${BENCH_SECONDS:-10}
conns=${BENCH_CONNECTIONS:-64}
rounds=${BENCH_ROUNDS:-2}
events=${BENCH_EVENTS:-10000000}
format=${BENCH_TOKEN_FORMAT:-opaque}
work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DQOC_BENCH=ON -DQOC_TESTS=OFF >/dev/null
cmake --build "$build" -j 2 --target qoc bench_analytics_query >/dev/null
fb=${FIXTURE_BUILD:-$root/build/bench-fixture}
cmake -S "$root" -B "$fb" -DCMAKE_BUILD_TYPE=Release -DQOC_TESTS=ON >/dev/null
cmake --build "$fb" --target qoc-fixture -j 2 >/dev/null

if [ -z "${BENCH_SKIP_QUERY:-}" ]; then # make bench runs it in micro.sh
  echo "== analytics query: $events events over 30 days, one application"
  "$build/bench_analytics_query" "$events" 30 30
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
json_get() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
export QOC_DATA_DIR="$work/data" QOC_ACCESS_LOG=false
# The server's defaults (threads, wait pool, db pool), as bench/protocol.sh.

start_server() { # start_server on|off
  [ -n "$server_pid" ] && { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; }
  port=$(free_port)
  QOC_ANALYTICS=$1 QOC_LISTEN="127.0.0.1:$port" "$build/qoc" serve >> "$work/qoc.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && return 0; sleep 0.1; done
  echo "qoc did not start:" >&2; cat "$work/qoc.log" >&2; exit 1
}

"$build/qoc" migrate >/dev/null # qoc user add only uses a store that exists
echo "pw-for-the-benchmark-only" | "$build/qoc" user add --email bench@example.com --name Bench --password-stdin >/dev/null
extra=()
[ "$format" = jwt ] && extra=(--token-format jwt)
app=$("$fb/qoc-fixture" app create --owner-email bench@example.com --name "bench analytics" \
  --type service --grant client_credentials "${extra[@]}")
auth="Basic $(printf '%s:%s' "$(echo "$app" | json_get '["client_id"]')" "$(echo "$app" | json_get '["client_secret"]')" | base64 -w0)"
cat > "$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = "grant_type=client_credentials"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = os.getenv("BENCH_AUTH")
LUA
export BENCH_AUTH=$auth

cpu_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }
clk_tck=$(getconf CLK_TCK)

# run on|off: sets RPS and CPU (server utime+stime per request in us, writer included).
# Not in a subshell: start_server must see and replace the previous server.
run() {
  start_server "$1"
  code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: $auth" \
    --data grant_type=client_credentials "http://127.0.0.1:$port/oauth2/token")
  [ "$code" = 200 ] || { echo "first request answered $code" >&2; exit 1; }
  local t0 t1
  t0=$(cpu_ticks)
  wrk -t2 -c"$conns" -d"${secs}s" -s "$work/post.lua" "http://127.0.0.1:$port/oauth2/token" > "$work/wrk.out"
  sleep 1.5 # one flush interval: the writer empties the queue (its CPU counts too)
  t1=$(cpu_ticks)
  [ "$1" = on ] && curl -s "http://127.0.0.1:$port/readyz" > "$work/readyz.json"
  read -r RPS CPU < <(awk -v d="$((t1 - t0))" -v hz="$clk_tck" '/requests in/ {n=$1}
    /Requests\/sec/ {r=$2} END {printf "%s %.1f\n", r, d / hz / n * 1e6}' "$work/wrk.out")
}

printf '\n== capture overhead: POST /oauth2/token client_credentials (%s token), wrk -t2 -c%s -d%ss, %s ABBA rounds, %s cores\n' \
  "$format" "$conns" "$secs" "$rounds" "$(nproc)"
# ABBA: each round runs both orders (off, on, on, off), so whatever drifts through a round
# (the token table and the WAL grow with every run, neighbours come and go) weighs on both.
run off # warm-up, discarded (page cache, first checkpoint)
off_sum=0; on_sum=0; offc_sum=0; onc_sum=0
for r in $(seq "$rounds"); do
  run off; off1=$RPS; offc1=$CPU
  run on; on1=$RPS; onc1=$CPU
  run on; on2=$RPS; onc2=$CPU
  run off; off2=$RPS; offc2=$CPU
  off=$(awk -v a="$off1" -v b="$off2" 'BEGIN {print (a+b)/2}')
  on=$(awk -v a="$on1" -v b="$on2" 'BEGIN {print (a+b)/2}')
  offc=$(awk -v a="$offc1" -v b="$offc2" 'BEGIN {print (a+b)/2}')
  onc=$(awk -v a="$onc1" -v b="$onc2" 'BEGIN {print (a+b)/2}')
  printf '  round %s (off %.0f, on %.0f, on %.0f, off %.0f req/s): on/off throughput %.3f; CPU per request off %.1f us, on %.1f us\n' \
    "$r" "$off1" "$on1" "$on2" "$off2" "$(awk -v a="$on" -v b="$off" 'BEGIN {print a/b}')" "$offc" "$onc"
  off_sum=$(awk -v s="$off_sum" -v x="$off" 'BEGIN {print s+x}')
  on_sum=$(awk -v s="$on_sum" -v x="$on" 'BEGIN {print s+x}')
  offc_sum=$(awk -v s="$offc_sum" -v x="$offc" 'BEGIN {print s+x}')
  onc_sum=$(awk -v s="$onc_sum" -v x="$onc" 'BEGIN {print s+x}')
done
printf '  capture on, last run, /readyz analytics: %s\n' "$(json_get '["analytics"]' < "$work/readyz.json")"
awk -v a="$on_sum" -v b="$off_sum" -v ca="$onc_sum" -v cb="$offc_sum" 'BEGIN {
  printf "  mean: on/off throughput = %.3f, capture overhead %.1f%% of throughput (target < 5%%)\n", a/b, (1-a/b)*100
  printf "        server CPU per request: capture adds %.1f%% (the steadier figure on a shared host)\n", (ca/cb-1)*100 }'
