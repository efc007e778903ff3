#!/usr/bin/env bash
# Configures and builds Muonscope into build/ (Release-like -O2). Extra arguments go to CMake,
# e.g. scripts/build.sh -DMUONSCOPE_GUI=OFF. Uses ccache when present.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B "$BUILD_DIR" -G Ninja "${launcher[@]}" "$@" >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)"
