#!/usr/bin/env bash
# ctest contrib.qoc_service: contrib/qoc.service is a unit systemd accepts, without a single
# warning (systemd-analyze verify on a copy whose ExecStart names the binary just built: the
# path must exist), that keeps its hardening (systemd-analyze security --offline: exposure
# at most 2.0 of 10) and the settings docs/operations.md promises.
# Usage: verify_unit.sh QOC_BINARY SOURCE_DIR   (exit 77: no systemd-analyze, skipped)
set -euo pipefail
bin=$1
src=$2
if ! command -v systemd-analyze >/dev/null; then
  echo "systemd-analyze not installed (Debian package systemd): skipped"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
unit=$src/contrib/qoc.service
fail() { echo "contrib/qoc.service: $*" >&2; exit 1; }

grep -qx 'ExecStart=/usr/local/bin/qoc serve' "$unit" || fail "ExecStart is not /usr/local/bin/qoc serve"
sed "s|^ExecStart=/usr/local/bin/qoc |ExecStart=$bin |" "$unit" > "$work/qoc.service"

out=$(systemd-analyze verify "$work/qoc.service" 2>&1) || { echo "$out"; fail "verify failed"; }
[ -z "$out" ] || { echo "$out"; fail "verify warned"; }

out=$(systemd-analyze security --offline=yes --threshold=20 "$work/qoc.service" 2>&1) ||
  { echo "$out"; fail "exposure above 2.0"; }
echo "$out" | grep 'Overall exposure level'

for want in 'ExecReload=/bin/kill -HUP $MAINPID' 'EnvironmentFile=-/etc/qoc/qoc.env' \
    'StateDirectory=qoc' 'Environment=QOC_DATA_DIR=/var/lib/qoc' 'DynamicUser=yes' \
    'ProtectSystem=strict' 'ProtectHome=yes' 'NoNewPrivileges=yes' 'PrivateTmp=yes' \
    'PrivateDevices=yes' 'CapabilityBoundingSet=' 'SystemCallFilter=@system-service' \
    'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX'; do
  grep -qxF "$want" "$unit" || fail "missing $want"
done
echo "contrib/qoc.service: verified"
