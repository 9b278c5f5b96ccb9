#!/usr/bin/env bash
# Generates, with the orrery binary, the traces, histories and outputs every notebook reads
# (runs/notebooks/), then executes every notebook headless, failing on any cell error or on a run
# whose exit status differs from the expected one (the runs are deterministic: a bug run that
# stops failing, or a correct run that starts failing, is an error here).
# Installs Debian's jupyter, matplotlib and pandas when missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
ORRERY_NOTEBOOKS=1 "$root/scripts/deps.sh"
orrery="${BUILD_DIR:-$root/build}/tools/orrery"
case "$orrery" in /*) ;; *) orrery="$root/$orrery" ;; esac
runs="$root/runs/notebooks"
rm -rf "$runs"
mkdir -p "$runs"
started=$SECONDS

# expect STATUS OUT -- CMD...: runs CMD with stdout in OUT, failing unless it exits STATUS.
expect() {
  local want=$1 out=$2
  shift 3
  local got=0
  "$@" >"$out" 2>&1 || got=$?
  if [[ $got -ne $want ]]; then
    echo "run-notebooks: expected exit $want, got $got: $*" >&2
    cat "$out" >&2
    exit 1
  fi
}

# 01: the first election, roles and terms (a leader crashes at about 509 ms).
expect 0 "$runs/election.out" -- "$orrery" sim --seed 6 --nodes 5 --clients 3 \
    --faults partition,crash --duration 3s --trace "$runs/election.trace.jsonl"
# 02: logs through a partition that isolates the leader.
expect 0 "$runs/partition.out" -- "$orrery" sim --seed 42 --nodes 5 --clients 3 \
    --faults partition=leader --duration 5s --trace "$runs/partition.trace.jsonl"
# 03: a deposed leader's stale read (seed 97 of `orrery campaign --profile smoke --seeds 1..200
# --workload kv-pinned --duration 3s --bug raft.stale-read`), and the same run without the bug.
smoke_faults=partition=halves+isolate+leader+bridge+oneway+flap,drop=0.02,dup=0.02,reorder=0.1,crash,pause,skew=200ms,drift=500,disk-torn=0.3,disk-lost-renames=0.5,disk-read-errors=0.001,buggify=0.05,every=500ms
stale=(--seed 97 --nodes 5 --clients 5 --workload kv-pinned --faults "$smoke_faults" --duration 3s)
expect 1 "$runs/stale.out" -- "$orrery" sim "${stale[@]}" --bug raft.stale-read \
    --trace "$runs/stale.trace.jsonl" --history "$runs/stale.history.jsonl"
expect 1 "$runs/stale.check.out" -- "$orrery" check --model kv "$runs/stale.history.jsonl"
expect 0 "$runs/stale-fixed.out" -- "$orrery" sim "${stale[@]}"
# 04: write skew under SI (mvcc.snapshot-only) and none under SSI, list-append.
skew=(--seed 1 --workload list-append --faults partition --duration 2s)
expect 1 "$runs/skew-si.out" -- "$orrery" sim "${skew[@]}" --bug mvcc.snapshot-only \
    --history "$runs/skew-si.history.jsonl"
expect 1 "$runs/skew-si.check.out" -- "$orrery" check --model list-append \
    "$runs/skew-si.history.jsonl"
expect 0 "$runs/skew-ssi.out" -- "$orrery" sim "${skew[@]}" --history "$runs/skew-ssi.history.jsonl"
expect 0 "$runs/skew-ssi.check.out" -- "$orrery" check --model list-append \
    "$runs/skew-ssi.history.jsonl"
# 05: latency, batches, syncs, simulator and fsync speed.
expect 0 "$runs/perf.out" -- "$orrery" sim --seed 42 --nodes 5 --clients 5 --faults none \
    --duration 5s --trace "$runs/perf.trace.jsonl" --history "$runs/perf.history.jsonl"
expect 0 "$runs/bench-sim.out" -- "$orrery" bench sim --duration 5s --smoke-seeds 10
expect 0 "$runs/bench-fsync.out" -- "$orrery" bench storage --engine lsm --workload fillrandom \
    --num 200 --sync-every 1 --dir "$runs"
expect 0 "$runs/bench-nosync.out" -- "$orrery" bench storage --engine lsm --workload fillrandom \
    --num 200 --sync-every 0 --dir "$runs"
# 06: leaderless ONE, QUORUM and LWT on one fault schedule. ONE is not linearizable here.
leaderless=(--mode leaderless --seed 4 --faults partition,crash --duration 3s)
for level in one quorum lwt; do
  args=(--consistency "$level")
  want=0
  [[ $level == lwt ]] && args=(--workload lwt)
  [[ $level == one ]] && want=1
  expect $want "$runs/leaderless-$level.out" -- "$orrery" sim "${leaderless[@]}" "${args[@]}" \
      --trace "$runs/leaderless-$level.trace.jsonl" \
      --history "$runs/leaderless-$level.history.jsonl"
done
echo "== runs generated in $((SECONDS - started)) s"

# trace_explorer reads one trace: the first election's.
export ORRERY_RUNS="$runs" ORRERY_TRACE="$runs/election.trace.jsonl" PYDEVD_DISABLE_FILE_VALIDATION=1
cd "$root/notebooks"
for nb in *.ipynb; do
  echo "== notebook $nb"
  /usr/bin/python3 -m jupyter nbconvert --to notebook --execute "$nb" --output-dir "$runs/executed" \
      --ExecutePreprocessor.timeout=300
done
echo "== notebooks done in $((SECONDS - started)) s"
