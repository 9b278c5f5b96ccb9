#!/usr/bin/env bash
# The determinism check: the same seed run twice, in two separate processes and once more inside
# one process (--check-determinism), must give the same trace hash; a different seed must not.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
orrery="${BUILD_DIR:-$root/build}/tools/orrery"
if "$orrery" --help | grep -qE '^  sim '; then
  run=(sim --nodes 5 --clients 5 --workload kv --duration 10s
       --faults partition,crash,pause,drop=0.05,dup=0.02,reorder,skew=20ms,disk-torn,disk-read-errors)
else
  run=(sim-demo --duration 10s --faults partition,crash,pause,drop=0.05,dup=0.02,reorder,skew=20ms,disk-torn)
fi
hash_of() { "$orrery" "${run[@]}" --seed "$1" | sed -n 's/^trace-hash: *//p' | tail -n 1; }
a=$(hash_of 1234); b=$(hash_of 1234); c=$(hash_of 1235)
echo "determinism: seed 1234 -> $a and $b; seed 1235 -> $c"
[[ -n "$a" ]] || { echo "determinism: no trace-hash line printed"; exit 1; }
[[ "$a" == "$b" ]] || { echo "determinism: FAILED, same seed gave different hashes"; exit 1; }
[[ "$a" != "$c" ]] || { echo "determinism: FAILED, different seeds gave the same hash"; exit 1; }
"$orrery" "${run[@]}" --seed 99 --check-determinism | tail -n 3
