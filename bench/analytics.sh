#!/usr/bin/env bash
# Analytics speed (issue 6 "Speed"), two figures measured in this run on this machine:
#   1. the 30-day analytics query at hourly granularity over 10 million events of one
#      application (bench/analytics_query.c; target < 50 ms);
#   2. the cost of event capture on the token endpoint: client_credentials with wrk against
#      a release `qoc serve` with analytics=off and analytics=on, alternated (off, on, off,
#      on, ...) on the same data directory so drift on a shared host hits both alike;
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
export QOC_THREADS=${QOC_THREADS:-$conns} QOC_DB_POOL_SIZE=${QOC_DB_POOL_SIZE:-32}

start_server() { # start_server on|off
  [ -n "$server_pid" ] && { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; }
  port=$(free_port)
  QOC_ANALYTICS=$1 QOC_LISTEN="127.0.0.1:$port" "$build/qoc" serve >> "$work/qoc.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && return 0; sleep 0.1; done
  echo "qoc did not start:" >&2; cat "$work/qoc.log" >&2; exit 1
}

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

run() { # run on|off -> prints req/s
  start_server "$1"
  code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: $auth" \
    --data grant_type=client_credentials "http://127.0.0.1:$port/oauth2/token")
  [ "$code" = 200 ] || { echo "first request answered $code" >&2; exit 1; }
  wrk -t2 -c"$conns" -d"${secs}s" -s "$work/post.lua" "http://127.0.0.1:$port/oauth2/token" > "$work/wrk.out"
  if [ "$1" = on ]; then
    sleep 1.5 # one flush interval: the writer empties the queue
    curl -s "http://127.0.0.1:$port/readyz" > "$work/readyz.json"
  fi
  awk '/Requests\/sec/ {print $2}' "$work/wrk.out"
}

printf '\n== capture overhead: POST /oauth2/token client_credentials (%s token), wrk -t2 -c%s -d%ss, %s rounds of off/on, %s cores\n' \
  "$format" "$conns" "$secs" "$rounds" "$(nproc)"
off_sum=0; on_sum=0
for r in $(seq "$rounds"); do
  off=$(run off); on=$(run on)
  printf '  round %s: analytics off %10.0f req/s   on %10.0f req/s   on/off %.3f\n' "$r" "$off" "$on" \
    "$(awk -v a="$on" -v b="$off" 'BEGIN {print a/b}')"
  off_sum=$(awk -v s="$off_sum" -v x="$off" 'BEGIN {print s+x}')
  on_sum=$(awk -v s="$on_sum" -v x="$on" 'BEGIN {print s+x}')
  printf '           last run with capture on, /readyz analytics: %s\n' "$(json_get '["analytics"]' < "$work/readyz.json")"
done
awk -v a="$on_sum" -v b="$off_sum" 'BEGIN {
  printf "  mean: on/off = %.3f, capture overhead %.1f%% of throughput (target < 5%%)\n", a/b, (1-a/b)*100 }'
