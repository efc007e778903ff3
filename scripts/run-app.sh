#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to the running app: installs the Debian packages,
# builds, and launches `muonscope` on the embedded default (the generated tail-QA data).
# Arguments are passed to the app (e.g. a run file to open).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
exec build/app/gui/muonscope "$@"
