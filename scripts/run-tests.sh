#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to every test: installs the Debian packages,
# builds everything (GUI included), runs all Qt Test suites with CTest (GUI suites offscreen),
# then builds the run-file corruption test with AddressSanitizer and runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
start=$(date +%s)
bash scripts/build.sh
export QT_QPA_PLATFORM=offscreen
ctest --test-dir build --output-on-failure -j"$(nproc)"
# AddressSanitizer build of the torch-free store and its corruption test only.
BUILD_DIR=build-asan bash -c 'cmake -S . -B "$BUILD_DIR" -G Ninja -DMUONSCOPE_GUI=OFF -DMUONSCOPE_ASAN=ON >/dev/null && cmake --build "$BUILD_DIR" --target test_store_corrupt -j"$(nproc)"'
ASAN_OPTIONS=detect_leaks=1 ctest --test-dir build-asan -R test_store_corrupt --output-on-failure
echo "run-tests: all suites passed in $(( $(date +%s) - start )) s"
