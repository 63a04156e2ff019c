#!/usr/bin/env bash
# make bench, part 4: this tree against an earlier commit, measured in the same run.
#
# The two hot paths that every hardening change touches (issue 13: "durable client_credentials
# and introspection within 5% of their figures before this issue, same run, the throttle
# bookkeeping on") are measured on two release builds that alternate on the same machine:
#   base  the commit BENCH_BASELINE_REF (default: the last commit before issue 13), built from
#         `git archive` into build/bench-baseline (qoc and qoc-fixture, no console bundle);
#   new   BUILD_DIR/qoc of this tree, with this tree's fixture.
# Each side has its own data directory (a newer store's migrations mean nothing to an older
# binary). Rounds alternate base, new, base, new, ... so a slow minute of the shared cores
# hits both; the line per side gives every round and the median, then new / base.
# Usage: bench/compare.sh BUILD_DIR  (env: BENCH_BASELINE_REF, BENCH_ROUNDS, BENCH_SECONDS,
#        BENCH_CONNECTIONS)
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
ref=${BENCH_BASELINE_REF:-e57721da42111e38c18d6357e9e93675b2ef10ca}
rounds=${BENCH_ROUNDS:-3}
secs=${BENCH_SECONDS:-8}
conns=${BENCH_CONNECTIONS:-64}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

if ! git -C "$root" cat-file -e "$ref^{commit}" 2>/dev/null; then
  echo "compare: baseline commit $ref is not in this clone (set BENCH_BASELINE_REF); skipped"
  exit 0
fi

# The baseline's sources and build, kept between runs (keyed by the commit).
bdir="$root/build/bench-baseline"
if [ "$(cat "$bdir/REF" 2>/dev/null)" != "$ref" ]; then
  rm -rf "$bdir"
  mkdir -p "$bdir/src"
  git -C "$root" archive "$ref" | tar -x -C "$bdir/src"
  cmake -S "$bdir/src" -B "$bdir/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQOC_TESTS=ON \
    -DQOC_WEB=OFF >/dev/null
  cmake --build "$bdir/build" -j "$(nproc)" --target qoc qoc-fixture >/dev/null
  echo "$ref" > "$bdir/REF"
fi
fb=${FIXTURE_BUILD:-$root/build/bench-fixture}
cmake -S "$root" -B "$fb" -DCMAKE_BUILD_TYPE=Release -DQOC_TESTS=ON >/dev/null
cmake --build "$fb" --target qoc-fixture -j "$(nproc)" >/dev/null

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
json_get() { python3 -c "import json,sys; print(json.load(sys.stdin)[\"$1\"])"; }
export QOC_ACCESS_LOG=false QOC_SQLITE_SYNCHRONOUS=full

# side_bin SIDE / side_fixture SIDE / side_dir SIDE
side_bin() { if [ "$1" = base ]; then echo "$bdir/build/qoc"; else echo "$build/qoc"; fi; }
side_fixture() { if [ "$1" = base ]; then echo "$bdir/build/qoc-fixture"; else echo "$fb/qoc-fixture"; fi; }

start_server() { # SIDE
  port=$(free_port)
  QOC_DATA_DIR="$work/$1" QOC_ISSUER="http://127.0.0.1:$port" QOC_LISTEN="127.0.0.1:$port" \
    "$(side_bin "$1")" serve >> "$work/$1.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && return 0; sleep 0.1; done
  echo "compare: $1 server did not start" >&2; cat "$work/$1.log" >&2; exit 1
}
stop_server() { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=; }

cat > "$work/post.lua" <<'EOF'
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = os.getenv("BENCH_AUTH")
EOF

# One service application and one opaque token per side: auth_<side>, token_<side>.
declare -A auth token
for side in base new; do
  mkdir -p "$work/$side"
  # qoc user add only uses a store that exists (qoc migrate makes it).
  QOC_DATA_DIR="$work/$side" "$(side_bin "$side")" migrate >/dev/null 2>&1
  echo "pw-for-the-benchmark-only" | QOC_DATA_DIR="$work/$side" "$(side_bin "$side")" user add \
    --email bench@example.com --name Bench --password-stdin >/dev/null 2>&1
  app=$(QOC_DATA_DIR="$work/$side" "$(side_fixture "$side")" app create --owner-email bench@example.com \
    --name "bench opaque" --type service --grant client_credentials 2>/dev/null)
  auth[$side]="Basic $(printf '%s:%s' "$(echo "$app" | json_get client_id)" "$(echo "$app" | json_get client_secret)" | base64 -w0)"
  start_server "$side"
  token[$side]=$(curl -s -X POST -H "Authorization: ${auth[$side]}" --data grant_type=client_credentials \
    "http://127.0.0.1:$port/oauth2/token" | json_get access_token)
  stop_server
done

rps() { # PATH BODY AUTH -> requests/s (exits when the first request is not a 200)
  export BENCH_BODY=$2 BENCH_AUTH=$3
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: $3" --data "$2" "http://127.0.0.1:$port$1")
  [ "$code" = 200 ] || { echo "compare: $1 answered $code" >&2; exit 1; }
  wrk -t2 -c"$conns" -d"${secs}s" -s "$work/post.lua" "http://127.0.0.1:$port$1" | awk '/Requests\/sec/ {print $2}'
}

declare -A cc intro
for ((r = 1; r <= rounds; r++)); do
  for side in base new; do
    start_server "$side"
    cc[$side]+="$(rps /oauth2/token grant_type=client_credentials "${auth[$side]}") "
    intro[$side]+="$(rps /oauth2/introspect "token=${token[$side]}" "${auth[$side]}") "
    stop_server
  done
done

median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
printf '\nThis tree against %s, same run: %s alternating rounds, wrk -t2 -c%s -d%ss, sqlite_synchronous=full\n' \
  "${ref:0:12}" "$rounds" "$conns" "$secs"
for w in cc intro; do
  declare -n m=$w
  name=$([ $w = cc ] && echo "client_credentials opaque (durable)" || echo "introspection (opaque, active)")
  b=$(echo "${m[base]}" | median)
  n=$(echo "${m[new]}" | median)
  printf '  %-38s base %8.0f  new %8.0f req/s (median; rounds base: %s new: %s)  new/base %.3f\n' \
    "$name" "$b" "$n" "${m[base]% }" "${m[new]% }" "$(awk -v n="$n" -v b="$b" 'BEGIN {print n / b}')"
  unset -n m
done
printf '  target (issue 13): new/base >= 0.95 on both\n'
