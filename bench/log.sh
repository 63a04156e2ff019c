#!/usr/bin/env bash
# make bench: the cost of the access log (issue 20 "The log": target within 5%).
#
# Discovery (GET /.well-known/openid-configuration: no store, no crypto, so the per-request
# log line is as large a share of the work as it gets) on one build, with QOC_ACCESS_LOG
# off and on (stderr to a file, as a service manager or a shell redirect gives it), then on
# with QOC_LOG_FORMAT=json. Rounds alternate off, on, json, off, on, json, ... so a slow
# minute of the shared cores hits every side; each line gives every round and the median,
# the last lines the ratios, of req/s and of the server's CPU time per request (the steadier
# figure when other work shares the cores). After every "on" round the log must hold one line per request
# wrk counted (nothing lost by the batching).
# Usage: bench/log.sh BUILD_DIR  (env: BENCH_ROUNDS, BENCH_SECONDS, BENCH_CONNECTIONS,
#        BENCH_THREADS)
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
rounds=${BENCH_ROUNDS:-3}
secs=${BENCH_SECONDS:-5}
conns=${BENCH_CONNECTIONS:-64}
threads=${BENCH_THREADS:-$(( $(nproc) * 2 ))}
work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 100); do curl -fs "http://127.0.0.1:$1/healthz" >/dev/null && return 0; sleep 0.1; done; echo "log: server on $1 did not start" >&2; exit 1; }
path=/.well-known/openid-configuration

round() { # SIDE -> prints req/s
  local side=$1 log=off fmt=logfmt port
  case $side in on) log=true ;; json) log=true fmt=json ;; off) log=false ;; esac
  port=$(free_port)
  QOC_DATA_DIR="$work/data" QOC_LISTEN="127.0.0.1:$port" QOC_ACCESS_LOG=$log QOC_LOG_FORMAT=$fmt \
    QOC_THREADS="$threads" QOC_ANALYTICS=false "$build/qoc" serve > /dev/null 2> "$work/$side.log" &
  server_pid=$!
  wait_up "$port"
  local t0 t1
  t0=$(cpu_ticks "$server_pid")
  wrk -t2 -c"$conns" -d"${secs}s" "http://127.0.0.1:$port$path" > "$work/wrk.out"
  t1=$(cpu_ticks "$server_pid")
  kill "$server_pid"; wait "$server_pid" || true; server_pid=
  local n rps lines
  n=$(awk '/requests in/ {print $1}' "$work/wrk.out")
  rps=$(awk '/Requests\/sec/ {printf "%d", $2}' "$work/wrk.out")
  # The server's own CPU time per request: what the log costs, much less moved by whatever
  # else the shared cores run than req/s is.
  cpu=$(awk -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v n="$n" 'BEGIN {printf "%.2f", t * 1e6 / hz / n}')
  if [ "$side" != off ]; then
    lines=$(grep -c "$path" "$work/$side.log" || true)
    # wrk counts completed responses; a request cut off at its end may still be logged.
    if [ "$lines" -lt "$n" ]; then
      echo "log: $side: $lines access lines for $n requests" >&2; exit 1
    fi
  fi
  echo "$rps $cpu"
}
# utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/PID/stat; the
# command name in field 2 has no spaces here).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

declare -A all cpus
for _ in $(seq "$rounds"); do
  for side in off on json; do
    read -r r c < <(round "$side")
    all[$side]="${all[$side]:-} $r"
    cpus[$side]="${cpus[$side]:-} $c"
  done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf '\nAccess log: GET %s, wrk -t2 -c%s -d%ss x %s rounds, %s threads, log to a file\n' \
  "$path" "$conns" "$secs" "$rounds" "$threads"
for side in off on json; do
  m=$(echo "${all[$side]}" | median)
  c=$(echo "${cpus[$side]}" | median)
  eval "med_$side=$m cpu_$side=$c"
  printf '  access log %-5s %9s req/s median (rounds:%s)\n' "$side" "$m" "${all[$side]}"
  printf '  %16s %9s us server CPU per request, median (rounds:%s)\n' "" "$c" "${cpus[$side]}"
done
awk -v off="$med_off" -v on="$med_on" -v js="$med_json" -v coff="$cpu_off" -v con="$cpu_on" \
  -v cjs="$cpu_json" 'BEGIN {
  printf "  req/s on / off = %.3f (cost %.1f%%; target within 5%%), json / off = %.3f\n", on/off, (1-on/off)*100, js/off
  printf "  CPU per request on / off = %.3f, json / off = %.3f\n", con/coff, cjs/coff }'
