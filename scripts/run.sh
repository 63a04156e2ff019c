#!/usr/bin/env bash
# make run: serve with the embedded SQLite default under ./data (created on first start,
# reused afterwards). Any QOC_* variable or --config FILE passed in QOC_CONFIG applies.
set -euo pipefail
bin=${1:-build/qoc}
exec "$bin" serve
