#!/usr/bin/env bash
# Run every Fuzz target of one module for a bounded time.
#   hack/fuzz.sh MODULE [FUZZTIME]
set -euo pipefail
module=$1
fuzztime=${2:-10s}
cd "$(dirname "$0")/../$module"

# Packages that declare fuzz targets, found without building anything.
mapfile -t pkgs < <(grep -rlE --include='*_test.go' '^func Fuzz[A-Z0-9_]' . | xargs -r -n1 dirname | sort -u)
for pkg in "${pkgs[@]}"; do
  for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
    echo "fuzz $module/${pkg#./} $target for $fuzztime"
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg"
  done
done
