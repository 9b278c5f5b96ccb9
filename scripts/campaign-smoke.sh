#!/usr/bin/env bash
# A short seed campaign for CI: many short simulated runs with every fault kind.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
orrery="${BUILD_DIR:-$root/build}/tools/orrery"
seeds=${SEEDS:-1..100}
if "$orrery" --help | grep -qE '^  campaign '; then
  exec "$orrery" campaign --profile smoke --seeds "$seeds" --jobs "${JOBS:-$(nproc)}" --out "$root/runs/campaign-ci"
fi
echo "campaign: 'orrery campaign' is not built yet; running seeds one by one"
cmd=sim-demo
"$orrery" --help | grep -qE '^  sim ' && cmd=sim
first=${seeds%..*}; last=${seeds#*..}; failed=0
for ((s = first; s <= last; s++)); do
  if ! "$orrery" $cmd --seed "$s" --duration 5s --faults partition,crash,pause,drop=0.05,dup=0.02,reorder,skew=20ms,disk-torn >/dev/null; then
    echo "campaign: seed $s FAILED: $orrery $cmd --seed $s --duration 5s"
    failed=$((failed + 1))
  fi
done
echo "campaign: $((last - first + 1)) seeds, $failed failed"
[[ $failed -eq 0 ]]
