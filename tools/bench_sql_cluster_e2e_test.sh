#!/usr/bin/env bash
# End-to-end test of `orrery bench sql --cluster`: a short tpcb-like run (4 clients, 3 s, on a
# five-node cluster on free ports) must print TPS, the abort rate, p50/p99 and `invariant: ok`,
# and leave no node running. Failed and unknown transactions are allowed: a loaded machine may
# see a leader change, and the invariant must survive it. A second run, stopped by SIGTERM in
# its measured phase, must exit 130 and stop its nodes too. The trap stops every cluster and the
# benchmark on any other path.
# Usage: bench_sql_cluster_e2e_test.sh ORRERY_BINARY
set -u
orrery=$1
tmp=$(mktemp -d)
bench_pid=""
cleanup() {
  [ -n "$bench_pid" ] && kill -KILL "$bench_pid" 2>/dev/null
  for d in "$tmp"/run*; do [ -f "$d/config.json" ] && "$orrery" cluster stop --dir "$d" >/dev/null 2>&1; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() { echo "FAIL: $*"; tail -3 "$tmp"/run*/n*.log 2>/dev/null; exit 1; }

# Node processes (`orrery node ... --config <d>/config.json`) still running for directory $1.
nodes_of() {
  for f in /proc/[0-9]*/cmdline; do
    tr '\0' ' ' 2>/dev/null <"$f" | grep -q " node .*$1/" && echo "${f%/cmdline}"
  done
}

args=(bench sql --cluster --clients 4 --branches 4 --accounts 1000 --warmup 1s)

# 1. A run to the end.
"$orrery" "${args[@]}" --duration 3s --dir "$tmp/run1" >"$tmp/out1" 2>&1 || fail "exited $?: $(cat "$tmp/out1")"
out=$(cat "$tmp/out1")
echo "$out" | grep -Eq '^tpcb-like: [0-9]+ TPS  committed=[1-9][0-9]* aborted=[0-9]+ abort rate=[0-9.]+% failed=[0-9]+ unknown=[0-9]+  latency p50=[0-9.]+ms p99=[0-9.]+ms$' \
  || fail "no summary line: $out"
echo "$out" | grep -q '^invariant: ok' || fail "no 'invariant: ok': $out"
echo "$out" | grep -q '^balances: sum(abalance)=' || fail "no balances line: $out"
echo "$out" | grep -Eq '^abort causes: ' || fail "no abort causes line: $out"
[ -z "$(nodes_of "$tmp/run1")" ] || fail "nodes still run after the benchmark: $(nodes_of "$tmp/run1")"
ls "$tmp"/run1/n*.pid >/dev/null 2>&1 && fail "pid files left: $(ls "$tmp"/run1)"

# 2. A run interrupted by SIGTERM once its cluster is up.
"$orrery" "${args[@]}" --duration 60s --dir "$tmp/run2" >"$tmp/out2" 2>&1 &
bench_pid=$!
for _ in $(seq 1 200); do grep -q "^cluster in .*: up" "$tmp/out2" && break; sleep 0.1; done
grep -q "^cluster in .*: up" "$tmp/out2" || fail "the second cluster did not come up: $(cat "$tmp/out2")"
sleep 2  # Into the measured phase (load plus a 1 s warm-up).
kill -TERM "$bench_pid"
for _ in $(seq 1 300); do kill -0 "$bench_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$bench_pid" 2>/dev/null && fail "the benchmark did not exit within 30 s of SIGTERM"
wait "$bench_pid"; status=$?
bench_pid=""
[ -z "$(nodes_of "$tmp/run2")" ] || fail "nodes still run after SIGTERM: $(nodes_of "$tmp/run2")"
[ "$status" = 130 ] || fail "interrupted run exited $status, not 130: $(cat "$tmp/out2")"
grep -q "interrupted" "$tmp/out2" || fail "no 'interrupted': $(cat "$tmp/out2")"
echo "PASS: $(grep '^tpcb-like' "$tmp/out1"); $(grep '^invariant' "$tmp/out1"); SIGTERM stopped every node"
