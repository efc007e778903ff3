#!/usr/bin/env bash
# Installs every build and test dependency of Muonscope from Debian 12 packages.
# Idempotent: packages already present are skipped by apt. Needs root (or sudo).
set -euo pipefail
PKGS=(
  build-essential cmake ninja-build pkg-config ccache
  qt6-base-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools qt6-svg-dev libgl-dev
  libqcustomplot-dev libqcustomplot2.1-qt6
  libtorch-dev libopenblas0-openmp
  libgloo-dev                  # core/dist/Comm: gloo headers for LibTorch's ProcessGroupGloo
  libhdf5-dev hdf5-tools
  nlohmann-json3-dev
  libpcre2-dev                 # core/data/BpeTokenizer: pre-tokenizer regexes (\p{L}, lookahead)
  xvfb xauth
  python3-h5py python3-numpy   # tests run docs/run-format.md's h5py snippets against real files
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PKGS[@]} packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
