#!/usr/bin/env bash
# Reproduction report: runs every study at CPU size with 3 seeds per member, as many runs at
# once as there are cores (69 runs; see docs/studies.md for the time it took; finished runs
# with the same config in the output folder are reused) and prints the findings table of
# docs/studies.md with mean +- std and a verdict per finding.
# Usage: bench/reproduce.sh [OUT_DIR] [extra muonscope-cli reproduce options]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-reproduce-runs}
shift || true
[ -x build/app/muonscope-cli ] || bash scripts/build.sh
exec build/app/muonscope-cli reproduce --out "$out" "$@"
