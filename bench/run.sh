#!/usr/bin/env bash
# make bench: HTTP-layer overhead of qoc versus a bare libmicrohttpd server, both measured in
# this run on this machine (the machines are noisy: only the ratio means something).
# Usage: bench/run.sh BUILD_DIR   (env: BENCH_SECONDS, BENCH_CONNECTIONS, BENCH_THREADS)
set -euo pipefail
build=${1:-build}
secs=${BENCH_SECONDS:-10}
conns=${BENCH_CONNECTIONS:-64}
threads=${BENCH_THREADS:-$(( $(nproc) * 2 ))}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 100); do curl -fs "http://127.0.0.1:$1/healthz" >/dev/null && return 0; sleep 0.1; done; echo "server on $1 did not start" >&2; exit 1; }

cc -O2 -o "$work/hello_mhd" "$here/hello_mhd.c" $(pkg-config --cflags --libs libmicrohttpd)

# wrk prints "Requests/sec: N"; keep N and the 99th percentile latency.
run_wrk() {
  wrk -t2 -c"$conns" -d"${secs}s" --latency "http://127.0.0.1:$1$2" > "$work/wrk.out"
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.out")
  p99=$(awk '$1=="99%" {print $2}' "$work/wrk.out")
  echo "$rps $p99"
}

p1=$(free_port)
"$work/hello_mhd" "$p1" "$threads" & pids+=($!)
wait_up "$p1"
read -r base_rps base_p99 < <(run_wrk "$p1" /healthz)

p2=$(free_port)
QOC_DATA_DIR="$work/data" QOC_LISTEN="127.0.0.1:$p2" QOC_ACCESS_LOG=false QOC_THREADS="$threads" \
  "$build/qoc" serve > "$work/qoc.log" 2>&1 & pids+=($!)
wait_up "$p2"
read -r qoc_rps qoc_p99 < <(run_wrk "$p2" /healthz)

p3=$(free_port)
QOC_DATA_DIR="$work/data" QOC_LISTEN="127.0.0.1:$p3" QOC_ACCESS_LOG=true QOC_THREADS="$threads" \
  "$build/qoc" serve > "$work/qoc-log.log" 2>&1 & pids+=($!)
wait_up "$p3"
read -r log_rps log_p99 < <(run_wrk "$p3" /healthz)

printf '\nHTTP layer: GET /healthz, wrk -t2 -c%s -d%ss, %s server threads, loopback\n' "$conns" "$secs" "$threads"
printf '  %-28s %12s req/s   p99 %s\n' "bare libmicrohttpd" "$base_rps" "$base_p99"
printf '  %-28s %12s req/s   p99 %s\n' "qoc (router, arena, logs)" "$qoc_rps" "$qoc_p99"
printf '  %-28s %12s req/s   p99 %s\n' "qoc + access log to a file" "$log_rps" "$log_p99"
awk -v b="$base_rps" -v q="$qoc_rps" -v l="$log_rps" 'BEGIN {
  printf "  qoc / bare = %.3f  (router overhead %.1f%%; target < 15%%)\n", q/b, (1-q/b)*100
  printf "  qoc with access log / bare = %.3f\n", l/b }'

# Protocol hot paths (token endpoint, introspection) on the same build, with the servers
# above stopped first so they take no CPU.
for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
pids=()
"$here/protocol.sh" "$build"

# The same token endpoint and introspection on PostgreSQL, one node and two (issue 7).
"$here/postgres.sh" "$build"
