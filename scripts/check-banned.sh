#!/usr/bin/env bash
# STYLE.md: no strcpy strcat sprintf strtok atoi gets alloca in the sources.
set -euo pipefail
cd "$(dirname "$0")/.."
if grep -rnE '\b(strcpy|strcat|sprintf|vsprintf|strtok|atoi|gets|alloca)\s*\(' src --include='*.[ch]'; then
  echo "check-banned: the functions above are banned (STYLE.md)" >&2
  exit 1
fi
