#!/usr/bin/env bash
# Runs every libFuzzer target built in BUILD for SECONDS each, on its seed corpus
# (fuzz/corpus/<name>/, <name> being the target without "fuzz_") and dictionary
# (fuzz/<name>.dict) when present. New inputs go to a scratch copy, never into the repo.
# Usage: fuzz/run.sh BUILD SECONDS
set -euo pipefail
build=${1:?usage: fuzz/run.sh BUILD SECONDS}
seconds=${2:-30}
here="$(cd "$(dirname "$0")" && pwd)"
status=0
for bin in "$build"/fuzz_*; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin"); name=${name#fuzz_}
  work=$(mktemp -d)
  [ -d "$here/corpus/$name" ] && cp -r "$here/corpus/$name/." "$work/"
  args=(-max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$build/")
  [ -f "$here/$name.dict" ] && args+=(-dict="$here/$name.dict")
  echo "fuzz: $name for ${seconds}s"
  "$bin" "${args[@]}" "$work" || status=1
  rm -rf "$work"
done
exit $status
