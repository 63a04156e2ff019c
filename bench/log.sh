#!/usr/bin/env bash
# make bench: the cost of the access log (issue 20 "The log": target within 5%).
#
# Discovery (GET /.well-known/openid-configuration: no store, no crypto, so the per-request
# log line is as large a share of the work as it gets) on one build, three servers started
# side by side: QOC_ACCESS_LOG off, on, and on with QOC_LOG_FORMAT=json (stderr to a file,
# as a service manager or a shell redirect gives it). Short wrk bursts go to off, on, json,
# off, on, json, ... (only one is loaded at a time), so whatever else the shared cores run
# hits neighbouring bursts alike; each round gives the ratios on/off and json/off of its
# bursts, and the figures are the medians of those per-round ratios, for req/s and for the
# server's own CPU time per request. At the end every request wrk counted must have its
# line in the log (nothing lost by the batching), after SIGTERM.
# Usage: bench/log.sh BUILD_DIR  (env: BENCH_ROUNDS, BENCH_SECONDS, BENCH_CONNECTIONS,
#        BENCH_THREADS)
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
rounds=${BENCH_ROUNDS:-7}
secs=${BENCH_SECONDS:-2}
conns=${BENCH_CONNECTIONS:-64}
threads=${BENCH_THREADS:-$(( $(nproc) * 2 ))}
work=$(mktemp -d)
declare -A pid port
cleanup() {
  for s in "${!pid[@]}"; do kill "${pid[$s]}" 2>/dev/null || true; wait "${pid[$s]}" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 100); do curl -fs "http://127.0.0.1:$1/healthz" >/dev/null && return 0; sleep 0.1; done; echo "log: server on $1 did not start" >&2; exit 1; }
# utime + stime of a process in clock ticks (fields 14 and 15 of /proc/PID/stat).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
path=/.well-known/openid-configuration
sides="off on json"

for side in $sides; do
  log=true fmt=logfmt
  case $side in off) log=false ;; json) fmt=json ;; esac
  port[$side]=$(free_port)
  QOC_DATA_DIR="$work/data-$side" QOC_LISTEN="127.0.0.1:${port[$side]}" QOC_ACCESS_LOG=$log \
    QOC_LOG_FORMAT=$fmt QOC_THREADS="$threads" QOC_ANALYTICS=false \
    "$build/qoc" serve > /dev/null 2> "$work/$side.log" &
  pid[$side]=$!
  wait_up "${port[$side]}"
done

declare -A total rps cpu
burst() { # SIDE -> sets rps[SIDE], cpu[SIDE] of this burst
  local s=$1 t0 t1 n
  t0=$(cpu_ticks "${pid[$s]}")
  wrk -t2 -c"$conns" -d"${secs}s" "http://127.0.0.1:${port[$s]}$path" > "$work/wrk.out"
  t1=$(cpu_ticks "${pid[$s]}")
  n=$(awk '/requests in/ {print $1}' "$work/wrk.out")
  total[$s]=$(( ${total[$s]:-0} + n ))
  rps[$s]=$(awk '/Requests\/sec/ {printf "%d", $2}' "$work/wrk.out")
  cpu[$s]=$(awk -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v n="$n" 'BEGIN {printf "%.3f", t * 1e6 / hz / n}')
}
r_on='' r_json='' c_on='' c_json='' all=''
for _ in $(seq "$rounds"); do
  for side in $sides; do burst "$side"; done
  r_on+=" $(awk -v a="${rps[on]}" -v b="${rps[off]}" 'BEGIN {printf "%.3f", a/b}')"
  r_json+=" $(awk -v a="${rps[json]}" -v b="${rps[off]}" 'BEGIN {printf "%.3f", a/b}')"
  c_on+=" $(awk -v a="${cpu[on]}" -v b="${cpu[off]}" 'BEGIN {printf "%.3f", a/b}')"
  c_json+=" $(awk -v a="${cpu[json]}" -v b="${cpu[off]}" 'BEGIN {printf "%.3f", a/b}')"
  all+=" ${rps[off]}/${rps[on]}/${rps[json]}"
done

# Every request has its line once the servers stopped (SIGTERM writes the buffers out).
for side in on json; do
  kill "${pid[$side]}"; wait "${pid[$side]}" || true; unset "pid[$side]"
  lines=$(grep -c "$path" "$work/$side.log" || true)
  # wrk counts completed responses; a request cut off at a burst's end may still be logged.
  if [ "$lines" -lt "${total[$side]}" ]; then
    echo "log: $side: $lines access lines for ${total[$side]} requests" >&2; exit 1
  fi
done

median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf '\nAccess log: GET %s, %s rounds of wrk -t2 -c%s -d%ss bursts (off, on, json), %s threads, log to a file\n' \
  "$path" "$rounds" "$conns" "$secs" "$threads"
printf '  req/s off/on/json per round:%s\n' "$all"
printf '  req/s          on / off = %s (median of%s; target >= 0.95), json / off = %s\n' \
  "$(echo "$r_on" | median)" "$r_on" "$(echo "$r_json" | median)"
printf '  CPU per request on / off = %s (median of%s), json / off = %s\n' \
  "$(echo "$c_on" | median)" "$c_on" "$(echo "$c_json" | median)"
printf '  every request logged: on %s, json %s requests, each with its line after SIGTERM\n' "${total[on]}" "${total[json]}"
