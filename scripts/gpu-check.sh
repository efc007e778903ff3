#!/usr/bin/env bash
# CUDA check on a GPU host (../shared/GPU.md, docs/gpu.md): configures a Qt-free build against
# the host's LibTorch (the Python wheel's CMake package), builds core + muonscope-cli + the
# benchmarks, runs `muonscope-cli selfcheck --device cuda` (CUDA vs CPU float64) and the
# throughput benchmark of the gpt2-small config for AdamW and full Muon, the data-parallel
# benchmark with NCCL on this host's GPU (1 process; several where the host has them), and
# prints a table.
# Header-only dependencies that the host lacks (nlohmann-json) are unpacked from .deb files in
# .gpu-debs/ (fetch them here with: mkdir -p .gpu-debs && (cd .gpu-debs && apt-get download
# nlohmann-json3-dev libpcre2-dev)) into /tmp/gpu-prefix. Logs go to $OUT (or ./gpu-logs).
set -uo pipefail
cd "$(dirname "$0")/.."
LOG=${OUT:-gpu-logs}
mkdir -p "$LOG"
PREFIX=/tmp/gpu-prefix
mkdir -p "$PREFIX"
for deb in .gpu-debs/*.deb; do [ -f "$deb" ] && dpkg -x "$deb" "$PREFIX"; done
TORCH_PREFIX=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')
export TORCH_CUDA_ARCH_LIST=${TORCH_CUDA_ARCH_LIST:-9.0}
BUILD=build-gpu
cmake -S . -B $BUILD -G "$(command -v ninja >/dev/null && echo Ninja || echo 'Unix Makefiles')" \
  -DMUONSCOPE_GUI=OFF -DMUONSCOPE_TESTS=OFF -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$TORCH_PREFIX;$PREFIX/usr;$PREFIX/usr/share/cmake" >"$LOG/configure.log" 2>&1 \
  || { tail -30 "$LOG/configure.log"; exit 1; }
cmake --build $BUILD -j"$(nproc)" --target muonscope-cli bench_throughput \
  bench_data_parallel >"$LOG/build.log" 2>&1 \
  || { grep -E "error" "$LOG/build.log" | head -30; exit 1; }
status=0
$BUILD/app/muonscope-cli selfcheck --device cuda | tee "$LOG/selfcheck.log" || status=1
$BUILD/bench/bench_throughput --device cuda --preset gpt2-small --steps 20 --warmup 5 \
  | tee "$LOG/throughput.log" || status=1
NGPU=$(python3 -c 'import torch;print(torch.cuda.device_count())' 2>/dev/null || echo 1)
NPROC=1
[ "${NGPU:-1}" -gt 1 ] && NPROC=1,$NGPU
$BUILD/bench/bench_data_parallel --device cuda --preset gpt2-small --backend nccl \
  --nproc $NPROC --steps 10 --warmup 3 | tee "$LOG/data_parallel.log" || status=1
echo
echo "== summary =="
grep -E "checks (passed|failed)" "$LOG/selfcheck.log"
cat "$LOG/throughput.log"
cat "$LOG/data_parallel.log"
exit $status
