#!/usr/bin/env bash
# Runs one libFuzzer target (fuzz/<TARGET>.cpp) for SECONDS, or every target with `all`.
#   scripts/fuzz.sh fuzz_client_message 60
#   scripts/fuzz.sh all 10            # CI: each target briefly
# Builds build-fuzz/ with clang-14 and -DORRERY_FUZZ=ON (coverage + ASan + UBSan) on first use.
# The committed seed corpus (fuzz/corpus/TARGET) is copied into a working corpus under
# build-fuzz/corpus/TARGET that grows across runs; a crash leaves its input in
# build-fuzz/artifacts/TARGET/ and exits non-zero: copy it into fuzz/regressions/TARGET/ so the
# replay test (ctest fuzz_replay_TARGET) keeps it once fixed. Prints "TARGET: N executions".
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
target=${1:?usage: scripts/fuzz.sh TARGET|all SECONDS}
seconds=${2:?usage: scripts/fuzz.sh TARGET|all SECONDS}
[[ $seconds =~ ^[0-9]+$ ]] || { echo "fuzz.sh: SECONDS must be a whole number" >&2; exit 2; }
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
ORRERY_FUZZ=1 "$root/scripts/deps.sh"

targets=$(sed -nE 's/^orrery_fuzz_target\((fuzz_[a-z_]+).*/\1/p' "$root/fuzz/CMakeLists.txt")
if [[ $target == all ]]; then
  run=$targets
else
  grep -qx "$target" <<<"$targets" || { echo "fuzz.sh: unknown target $target; targets: $(echo $targets)" >&2; exit 2; }
  run=$target
fi

export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=true
CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$build" -G Ninja -DORRERY_FUZZ=ON \
  -DORRERY_WERROR=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C "$build" -j "${JOBS:-$(nproc)}" $run >/dev/null

status=0
for t in $run; do
  corpus="$build/corpus/$t"
  artifacts="$build/artifacts/$t"
  mkdir -p "$corpus" "$artifacts"
  cp -n "$root/fuzz/corpus/$t"/* "$corpus"/ 2>/dev/null || true
  log="$build/$t.log"
  # Leaks are checked (detect_leaks=1); -rss_limit_mb guards against a decoder that allocates by
  # an untrusted length. Inputs are capped at 64 KiB, far above every seed.
  if ASAN_OPTIONS=detect_leaks=1 "$build/fuzz/$t" -max_total_time="$seconds" -max_len=65536 \
      -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" >"$log" 2>&1; then
    execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$log" | tail -1)
    echo "$t: ${execs:-?} executions, no crash"
  else
    echo "$t: FAILED (see $log; input in $artifacts/)"
    grep -E "ERROR|SUMMARY|fuzz property failed" "$log" | head -5
    status=1
  fi
done
exit $status
