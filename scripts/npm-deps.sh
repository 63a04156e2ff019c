#!/usr/bin/env bash
# Installs the npm packages the integration and browser tests use (tests/package.json),
# from the lock file, only when node_modules is missing or older than the lock.
set -euo pipefail
cd "$(dirname "$0")/../tests"
[ -f package.json ] || exit 0
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  npm ci --no-audit --no-fund --loglevel=error
  touch node_modules
fi
