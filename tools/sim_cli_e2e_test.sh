#!/usr/bin/env bash
# `orrery sim` as a student first runs it (issue 17's list): the header echoes the bug
# switches, a switch that cannot fire with the chosen faults or workload is warned about, the
# README's --bug example really fails, and a run stopped by an invariant says its liveness was
# not checked (rather than "FAILED").
# Usage: sim_cli_e2e_test.sh ORRERY_BINARY SOURCE_DIR
set -u
orrery=$1
src=$2
fail() { echo "FAIL: $*"; exit 1; }

# run WANT_STATUS|any ARGS...: runs orrery, sets $out (stdout) and $err (stderr).
run() {
  local want=$1; shift
  local rc
  out=$(timeout 60 "$orrery" "$@" 2>"$tmp"); rc=$?
  err=$(cat "$tmp")
  [ "$want" = any ] || [ $rc -eq "$want" ] || fail "orrery $* exited $rc, not $want: $out $err"
}
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
has() { echo "$1" | grep -Fq -- "$2" || fail "expected '$2' in: $1"; }
hasnt() { echo "$1" | grep -Fq -- "$2" && fail "did not expect '$2' in: $1"; true; }

# The switch a student tries first: no faults, so it cannot fire. Said twice: the header, and
# a warning naming what is missing.
run 0 sim --bug raft.commit-old-term --duration 2s
has "$out" "bugs: raft.commit-old-term"
has "$err" "warning: raft.commit-old-term needs leaders to change"
run 0 sim --bug mvcc.snapshot-only --duration 2s
has "$err" "warning: mvcc.snapshot-only changes how transactions commit, and workload kv"
# With a workload and faults that can show it: no warning (the run may catch it or not).
run any sim --bug mvcc.snapshot-only --workload bank --faults partition --duration 1s --seed 2
hasnt "$err" "warning"
run 0 sim --duration 1s
hasnt "$out" "bugs:"

# The README's example of --bug must fail.
example=$(grep -o 'e.g. `orrery sim [^`]*--bug [^`]*`' "$src/README.md" | head -1 | sed 's/^e.g. `orrery //; s/`$//')
[ -n "$example" ] || fail "no --bug example in README.md"
# shellcheck disable=SC2086
run 1 $example
has "$out" "FAILED (linearizability)"

# An invariant stops the run: liveness was never judged.
run 1 sim --seed 45 --nodes 3 --clients 1 --workload kv --faults partition=flap,buggify=0.05,every=500ms \
    --duration 1250ms --bug raft.commit-old-term
has "$out" "invariants: corruption: invariant: commit safety"
has "$out" "liveness: not checked (the invariant stopped the run first)"
hasnt "$out" "liveness: FAILED"
# shrink ends with the smallest run's whole failure message, not its kind alone.
run 0 shrink --max-runs 4 -- orrery sim --seed 45 --nodes 3 --clients 1 --workload kv \
    --faults partition=flap,buggify=0.05,every=500ms --duration 1250ms --bug raft.commit-old-term
has "$out" "failure: invariant"
has "$(echo "$out" | sed -n '/^smallest run.s failure:$/,$p')" "invariant: commit safety: leader n2 of term 3"
echo "PASS"
