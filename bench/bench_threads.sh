#!/usr/bin/env bash
# Thread default, measured as a user meets it: the wall time of `muonscope-cli train --preset
# quick` (set-up, 400 steps, snapshots, validation: the whole command) with train.threads=1 and
# with the default train.threads=0 (ThreadGovernor, core/train/ThreadGovernor.h), first on an
# idle machine, then with HOGS CPU-bound processes running beside it (a shell busy loop each).
# Prints each time, the speed-up of the default over one thread, and the thread counts the
# default's steps ran with (from the run file). The acceptance of the thread issue: idle, the
# default >= 1.4x one thread; loaded, never slower than one thread.
# Usage: bench/bench_threads.sh [--steps N] [--hogs N] [--repeat N] [--load idle|loaded|both]
#                               [--set key=value]...
# Needs an idle machine for the idle rows; numbers are in bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
steps=400 hogs=1 repeat=1 loads="idle loaded"
sets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --steps) steps=$2; shift 2 ;;
    --hogs) hogs=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --load) case "$2" in both) loads="idle loaded" ;; idle|loaded) loads=$2 ;;
              *) echo "bench_threads: --load idle|loaded|both" >&2; exit 2 ;; esac; shift 2 ;;
    --set) sets+=(--set "$2"); shift 2 ;;
    -h|--help) sed -n 2,11p "$0"; exit 0 ;;
    *) echo "bench_threads: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done
cli=build/app/muonscope-cli
[ -x "$cli" ] || bash scripts/build.sh -DMUONSCOPE_GUI=OFF
dir=$(mktemp -d)
hog_pids=()
cleanup() {
  for p in "${hog_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$dir"
}
trap cleanup EXIT

# Seconds of one run; the run file stays in $dir/$2.h5.
run() {
  local threads=$1 name=$2 t0 t1
  t0=$(date +%s.%N)
  "$cli" train --preset quick --out "$dir/$name.h5" --set train.steps="$steps" \
    --set train.threads="$threads" "${sets[@]}" >/dev/null 2>"$dir/$name.err" ||
    { echo "bench_threads: run $name failed:" >&2; cat "$dir/$name.err" >&2; exit 1; }
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }'
}

# "2: 396, 1: 4": steps at each thread count (info --json).
counts() {
  "$cli" info "$dir/$1.h5" --json | python3 -c '
import json, sys
j = json.load(sys.stdin)["threads"]["steps_at"]
print(", ".join(f"{t}: {n}" for t, n in sorted(j.items(), key=lambda kv: -int(kv[0]))))'
}

printf '# machine: %s, %s\n' "$(nproc) CPUs" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
printf '# quick preset, %s steps, whole command wall time; %s hog(s) in the loaded rows\n' "$steps" "$hogs"
printf '%-7s %-8s %10s %10s %9s  %s\n' "load" "threads" "1 thr s" "default s" "speed-up" "default's steps at"
for load in $loads; do
  if [ "$load" = loaded ]; then
    for _ in $(seq "$hogs"); do
      bash -c 'while :; do :; done' &
      hog_pids+=($!)
    done
  fi
  for r in $(seq "$repeat"); do
    one=$(run 1 "$load-1-$r")
    auto=$(run 0 "$load-0-$r")
    printf '%-7s %-8s %10.1f %10.1f %8.2fx  %s\n' "$load" "1 vs 0" "$one" "$auto" \
      "$(awk -v a="$one" -v b="$auto" 'BEGIN { print a / b }')" "$(counts "$load-0-$r")"
  done
done
