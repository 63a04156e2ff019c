#!/usr/bin/env bash
# Installs the Debian packages QOC needs, only those missing. Idempotent and quiet when
# everything is there. Usage: scripts/deps.sh run|test|bench|fuzz
set -euo pipefail
what=${1:-run}

build_pkgs=(build-essential cmake pkg-config libmicrohttpd-dev libjansson-dev libssl-dev
            libsodium-dev libsqlite3-dev libcurl4-openssl-dev libpq-dev libmaxminddb-dev
            libcairo2-dev libpsl-dev libgnutls28-dev)
# libgnutls28-dev: HTTPS (tls_cert/tls_key) is libmicrohttpd's TLS, which is GnuTLS;
# src/http/tls.c hands it the certificate at each handshake, so it links GnuTLS itself.
# nodejs + npm: the console web app (web/) is built with npm ci + esbuild by CMake.
# tor-geoipdb: the country ranges analytics read by default (/usr/share/tor/geoip).
# libcurl4, libcairo2: dlopen'ed at first use (SMTP mail, PDF export), so no link pulls them.
# publicsuffix: the Public Suffix List that redirect URI wildcards are checked against
# (read with libpsl5; without the file every wildcard is refused).
run_pkgs=(sqlite3 curl nodejs npm tor-geoipdb libcurl4 libcairo2 publicsuffix libpsl5)
# chromium: the browser tests (tests/e2e) drive Debian's Chromium, never a downloaded one.
# poppler-utils: pdftotext/pdfinfo read the analytics PDF export back in the tests.
# postgresql: the throwaway cluster the PostgreSQL tests start (tests/pg/cluster.sh).
# python3-prometheus-client: Prometheus's own parser reads /metrics back in the tests.
# systemd: systemd-analyze checks contrib/qoc.service (tests/contrib/verify_unit.sh); python3:
# the pty that types a password into qoc user add (first_run.test.mjs).
test_pkgs=(libcmocka-dev nodejs npm python3-aiosmtpd chromium poppler-utils postgresql
           python3-prometheus-client systemd python3)
bench_pkgs=(wrk)
fuzz_pkgs=(clang libclang-rt-14-dev libfuzzer-14-dev)

pkgs=("${build_pkgs[@]}")
case "$what" in
  run) pkgs+=("${run_pkgs[@]}") ;;
  test) pkgs+=("${run_pkgs[@]}" "${test_pkgs[@]}") ;;
  bench) pkgs+=("${run_pkgs[@]}" "${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
  fuzz) pkgs+=("${fuzz_pkgs[@]}") ;; # fuzz builds embed no console (QOC_WEB=OFF)
  *) echo "usage: $0 run|test|bench|fuzz" >&2; exit 2 ;;
esac

missing=()
for p in "${pkgs[@]}"; do
  # A preinstalled Node.js (not from Debian) satisfies nodejs and npm.
  if [[ $p == nodejs || $p == npm ]] && command -v "${p/nodejs/node}" >/dev/null 2>&1; then
    continue
  fi
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
