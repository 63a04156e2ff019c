#!/usr/bin/env bash
# make bench, TLS part (issue 20 "HTTPS"): the same workloads over plain HTTP and over HTTPS
# (tls_cert / tls_key, libmicrohttpd's TLS on GnuTLS), measured in this run on this machine,
# alternating plain and TLS so a slow moment of the shared cores hits both:
#   1. client_credentials, opaque token stored durably (keep-alive connections)
#   2. discovery (GET /.well-known/openid-configuration, keep-alive)
#   3. discovery with a new connection per request (Connection: close): the handshake's cost
# Two servers from the same build, each with a data directory, an account and a service app
# of its own (made with the TEST-ONLY qoc-fixture, as bench/protocol.sh does); the TLS one
# uses a throwaway self-signed P-256 certificate made here with openssl. wrk speaks TLS
# (it does not verify the certificate). Per workload: req/s and p99 of each, TLS / plain.
# Usage: bench/tls.sh BUILD_DIR  (env: BENCH_TLS_SECONDS [3], BENCH_CONNECTIONS [64],
#        BENCH_WRK_THREADS [2], BENCH_FIXTURE, FIXTURE_BUILD)
set -euo pipefail
build=${1:-build}
secs=${BENCH_TLS_SECONDS:-3}
conns=${BENCH_CONNECTIONS:-64}
wrk_threads=${BENCH_WRK_THREADS:-2}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

. "$here/lib.sh"
bench_fixture
export QOC_ACCESS_LOG=false QOC_SQLITE_SYNCHRONOUS=full

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/key.pem" \
  -out "$work/cert.pem" -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null

# setup SIDE: data dir, account, service app; sets auth_<side>.
declare -A auth url
setup() {
  mkdir -p "$work/$1"
  # qoc user add only uses a store that exists (qoc migrate makes it).
  QOC_DATA_DIR="$work/$1" "$build/qoc" migrate >/dev/null 2>>"$work/setup.log"
  echo "pw-for-the-benchmark-only" | QOC_DATA_DIR="$work/$1" "$build/qoc" user add \
    --email bench@example.com --name Bench --password-stdin >/dev/null 2>>"$work/setup.log"
  local app
  app=$(QOC_DATA_DIR="$work/$1" "$fixture" app create --owner-email bench@example.com \
    --name "bench $1" --type service --grant client_credentials 2>>"$work/setup.log")
  auth[$1]="Basic $(printf '%s:%s' "$(echo "$app" | json_get client_id)" \
    "$(echo "$app" | json_get client_secret)" | base64 -w0)"
}

# start SIDE [ENV=VALUE...]: qoc serve on a free port; sets url[SIDE].
start() {
  local side=$1 port scheme=http
  shift
  port=$(free_port)
  [ "$side" = tls ] && scheme=https
  env QOC_DATA_DIR="$work/$side" QOC_LISTEN="127.0.0.1:$port" \
    QOC_ISSUER="$scheme://127.0.0.1:$port" "$@" "$build/qoc" serve >> "$work/$side.log" 2>&1 &
  pids+=($!)
  url[$side]="$scheme://127.0.0.1:$port"
  for _ in $(seq 100); do
    curl -fs --cacert "$work/cert.pem" "${url[$side]}/healthz" >/dev/null && return 0
    sleep 0.1
  done
  echo "tls bench: the $side server did not start" >&2; cat "$work/$side.log" >&2; exit 1
}

cat > "$work/post.lua" <<'EOF'
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = os.getenv("BENCH_AUTH")
EOF

# measure SIDE PATH [WRK ARGS...]: prints "rps p99" (env c: connections, default $conns).
measure() {
  local side=$1 path=$2
  shift 2
  wrk -t"$wrk_threads" -c"${c:-$conns}" -d"${secs}s" --latency "$@" "${url[$side]}$path" > "$work/wrk.out"
  local errs
  errs=$(awk '/Non-2xx/ {print $5}' "$work/wrk.out")
  [ -z "$errs" ] || echo "tls bench: $side $path: $errs non-2xx answers" >&2
  local serr
  serr=$(awk '/Socket errors/ {print}' "$work/wrk.out")
  [ -z "$serr" ] || echo "tls bench: $side $path: $serr" >&2
  echo "$(awk '/Requests\/sec/ {print $2}' "$work/wrk.out") $(awk '$1=="99%" {print $2}' "$work/wrk.out")"
}

# line NAME PLAIN_RPS PLAIN_P99 TLS_RPS TLS_P99
line() {
  awk -v n="$1" -v pr="$2" -v pp="$3" -v tr="$4" -v tp="$5" 'BEGIN {
    printf "  %-46s plain %8.0f req/s p99 %-8s  TLS %8.0f req/s p99 %-8s  TLS/plain %.2f\n",
           n, pr, pp, tr, tp, (pr > 0 ? tr / pr : 0) }'
}

# check SIDE: one token request must succeed before it is measured.
check() {
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$work/cert.pem" -X POST \
    -H "Authorization: ${auth[$1]}" --data grant_type=client_credentials "${url[$1]}/oauth2/token")
  [ "$code" = 200 ] || { echo "tls bench: $1 token request answered $code" >&2; exit 1; }
}

setup plain
setup tls
start plain
start tls QOC_TLS_CERT="$work/cert.pem" QOC_TLS_KEY="$work/key.pem"
check plain
check tls

export BENCH_BODY=grant_type=client_credentials
printf '\nHTTPS: wrk -t%s -c%s -d%ss per workload and side, loopback, plain then TLS (TLS 1.3, P-256 certificate, %s), sqlite_synchronous=full, %s cores\n' \
  "$wrk_threads" "$conns" "$secs" "$(openssl version | cut -d' ' -f1-2) client" "$(nproc)"
read -r cp cpp < <(BENCH_AUTH=${auth[plain]} measure plain /oauth2/token -s "$work/post.lua")
read -r ct ctp < <(BENCH_AUTH=${auth[tls]} measure tls /oauth2/token -s "$work/post.lua")
line "client_credentials opaque (durable)" "$cp" "$cpp" "$ct" "$ctp"
read -r dp dpp < <(measure plain /.well-known/openid-configuration)
read -r dt dtp < <(measure tls /.well-known/openid-configuration)
line "discovery (keep-alive)" "$dp" "$dpp" "$dt" "$dtp"
# 16 connections: closing ones still count against the 64 one address may hold.
read -r hp hpp < <(c=16 measure plain /.well-known/openid-configuration -H 'Connection: close')
read -r ht htp < <(c=16 measure tls /.well-known/openid-configuration -H 'Connection: close')
line "discovery, new connection per request (-c16)" "$hp" "$hpp" "$ht" "$htp"
printf '  (a new TLS connection is a full handshake: no session tickets are issued; docs/decisions/tls.md)\n'
