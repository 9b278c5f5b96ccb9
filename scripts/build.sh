#!/usr/bin/env bash
# Configures and builds Orrery with Ninja into $BUILD_DIR (default build/), incrementally.
# Usage: scripts/build.sh [extra cmake args...]   e.g. -DORRERY_SANITIZE=ON
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
jobs=${JOBS:-$(nproc)}
# Let ccache hit across checkouts in different folders (CI builds a fresh clone).
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=true
cmake -S "$root" -B "$build" -G Ninja -DORRERY_WERROR=ON "$@" >/dev/null
# TARGETS (optional, space-separated) limits the build to those targets.
ninja -C "$build" -j "$jobs" ${TARGETS:-}
