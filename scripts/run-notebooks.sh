#!/usr/bin/env bash
# Executes every notebook headless against a fresh trace, failing on any cell error.
# Installs Debian's jupyter, matplotlib and pandas when missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
ORRERY_NOTEBOOKS=1 "$root/scripts/deps.sh"
orrery="${BUILD_DIR:-$root/build}/tools/orrery"
mkdir -p "$root/runs"
trace="$root/runs/notebook-check.trace.jsonl"
if "$orrery" --help | grep -qE '^  sim '; then
  "$orrery" sim --seed 42 --nodes 5 --clients 3 --workload kv --faults partition,crash \
      --duration 5s --trace "$trace" >/dev/null
else
  "$orrery" sim-demo --seed 42 --faults partition,crash --duration 5s --trace "$trace" >/dev/null
fi
export ORRERY_TRACE="$trace" PYDEVD_DISABLE_FILE_VALIDATION=1
cd "$root/notebooks"
for nb in *.ipynb; do
  echo "== notebook $nb"
  /usr/bin/python3 -m jupyter nbconvert --to notebook --execute "$nb" --output-dir "$root/runs" \
      --ExecutePreprocessor.timeout=300
done
