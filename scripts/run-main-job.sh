#!/usr/bin/env bash
# The README's main job: installs missing packages, builds, and runs a simulated five-node
# cluster under partitions, crashes and disk faults, with a checker verdict and a trace.
# Override with SEED=..., FAULTS=..., DURATION=..., WORKLOAD=kv|kv-pinned|bank|list-append|set.
# Exit status: the run's own (0 passed, 1 a check failed).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/deps.sh"
"$root/scripts/build.sh"
orrery="${BUILD_DIR:-$root/build}/tools/orrery"
mkdir -p "$root/runs"
seed=${SEED:-42}
trace="$root/runs/seed-$seed.trace.jsonl"
faults=${FAULTS:-partition,crash,pause,drop=0.02,dup=0.01,reorder,skew=20ms,disk-torn,disk-lost-renames,disk-read-errors}
status=0
"$orrery" sim --seed "$seed" --nodes 5 --clients 5 --workload "${WORKLOAD:-kv}" --faults "$faults" \
    --duration "${DURATION:-30s}" --trace "$trace" --history "$root/runs/seed-$seed.history.jsonl" \
  || status=$?
echo
echo "trace: $trace ($(wc -l < "$trace") events). Roles and faults, rendered:"
# head closes the pipe early: not an error.
"$orrery" trace show "$trace" --kind role fault | head -n 25 || true
echo "Step through it with: $orrery trace step $trace"
exit $status
