#!/usr/bin/env bash
# Runs every libFuzzer target in BUILD_DIR for SECONDS each on its seed corpus
# (fuzz/corpus/<name>/, read-only here) plus a scratch corpus under BUILD_DIR, with its
# dictionary fuzz/<name>.dict when there is one. Usage: fuzz/run.sh BUILD_DIR SECONDS
set -euo pipefail
build=${1:?usage: fuzz/run.sh BUILD_DIR SECONDS}
seconds=${2:-30}
here=$(cd "$(dirname "$0")" && pwd)
status=0
for bin in "$build"/fuzz_*; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin"); name=${name#fuzz_}
  scratch="$build/corpus/$name"
  mkdir -p "$scratch"
  args=(-max_total_time="$seconds" -print_final_stats=1)
  [ -f "$here/$name.dict" ] && args+=(-dict="$here/$name.dict")
  seeds=()
  [ -d "$here/corpus/$name" ] && seeds+=("$here/corpus/$name")
  echo "== fuzz_$name for ${seconds}s"
  # The scratch directory comes first: libFuzzer writes new inputs there, never into the
  # seed corpus under version control.
  "$bin" "${args[@]}" "$scratch" "${seeds[@]}" || status=1
done
exit $status
