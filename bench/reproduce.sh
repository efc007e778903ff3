#!/usr/bin/env bash
# Reproduction report: runs every study at CPU size (about 30 minutes on 2 cores; finished runs
# in the output folder are reused) and prints the findings table of docs/studies.md.
# Usage: bench/reproduce.sh [OUT_DIR] [extra muonscope-cli reproduce options]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-reproduce-runs}
shift || true
[ -x build/app/muonscope-cli ] || bash scripts/build.sh
exec build/app/muonscope-cli reproduce --out "$out" "$@"
