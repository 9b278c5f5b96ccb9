#!/usr/bin/env bash
# End-to-end test of `orrery bench cluster --compare etcd`: a short run (4 clients, 1 s phases)
# against Orrery's five-node cluster and a five-member etcd must print both systems' phase lines
# with no failed or unknown operation, the fsync probe three times, and the side-by-side table
# (a header, a separator and one row per phase, with a ratio), and leave no node and no etcd
# member running. A second run, stopped by SIGTERM once etcd is starting, must exit 130 and stop
# etcd's members too. Without an etcd on PATH the test is skipped (exit 77): Debian's
# etcd-server is optional (ORRERY_ETCD=1 scripts/deps.sh installs it).
# Usage: bench_cluster_etcd_e2e_test.sh ORRERY_BINARY
set -u
orrery=$1
if ! command -v etcd >/dev/null 2>&1; then
  echo "SKIP: no etcd on PATH (apt-get install etcd-server)"
  exit 77
fi
tmp=$(mktemp -d)
bench_pid=""
# Processes whose command line names directory $1 (Orrery's nodes and etcd's members).
procs_of() {
  for f in /proc/[0-9]*/cmdline; do
    tr '\0' ' ' 2>/dev/null <"$f" | grep -Eq "(node .*|etcd .*--data-dir )$1/" && echo "${f%/cmdline}"
  done
}
cleanup() {
  [ -n "$bench_pid" ] && kill -KILL "$bench_pid" 2>/dev/null
  for d in "$tmp"/run*; do
    [ -f "$d/config.json" ] && "$orrery" cluster stop --dir "$d" >/dev/null 2>&1
    for p in $(procs_of "$d"); do kill -KILL "${p#/proc/}" 2>/dev/null; done
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() { echo "FAIL: $*"; tail -3 "$tmp"/run*/etcd/m*.log "$tmp"/run*/n*.log 2>/dev/null; exit 1; }

# 1. A run to the end.
"$orrery" bench cluster --compare etcd --clients 4 --duration 1s --dir "$tmp/run1" >"$tmp/out1" 2>&1 \
  || fail "exited $?: $(cat "$tmp/out1")"
out=$(cat "$tmp/out1")
for prefix in "" "etcd "; do
  for phase in writes reads; do
    echo "$out" | grep -Eq "^${prefix}${phase} +[0-9]+ ops/s  ok=[1-9][0-9]* fail=0 info=0  latency p50=[0-9.]+ms p99=[0-9.]+ms max=[0-9.]+ms$" \
      || fail "no clean '${prefix}${phase}' line: $out"
  done
done
[ "$(echo "$out" | grep -c '^fsync   4 KiB append+fsync on ')" = 3 ] || fail "not three fsync probes: $out"
echo "$out" | grep -q '^etcd: 5 members in .*etcd Version: 3\.' || fail "no etcd line: $out"
echo "$out" | grep -q '^| phase | orrery ops/s | p50 ms | p99 ms | fail/info | etcd ops/s | p50 ms | p99 ms | fail/info | orrery/etcd ops/s |$' \
  || fail "no table header: $out"
echo "$out" | grep -q '^| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |$' || fail "no separator: $out"
row='[0-9,]+ \| [0-9.]+ \| [0-9.]+ \| 0/0'
for phase in writes reads; do
  echo "$out" | grep -Eq "^\| $phase \| $row \| $row \| [0-9.]+x \|$" || fail "no clean $phase row: $out"
done
[ "$(echo "$out" | grep -c '^| ')" = 4 ] || fail "the table is not 4 lines: $out"
[ -z "$(procs_of "$tmp/run1")" ] || fail "processes still run after the benchmark: $(procs_of "$tmp/run1")"

# 2. A run interrupted by SIGTERM while etcd starts or runs its warm-up.
"$orrery" bench cluster --compare etcd --clients 4 --duration 5s --skip-reads --dir "$tmp/run2" \
  >"$tmp/out2" 2>&1 &
bench_pid=$!
for _ in $(seq 1 900); do grep -q "^etcd: " "$tmp/out2" && break; sleep 0.1; done
grep -q "^etcd: " "$tmp/out2" || fail "the second run never started etcd: $(cat "$tmp/out2")"
sleep 1
[ -n "$(procs_of "$tmp/run2")" ] || fail "no etcd member runs in the second run: $(cat "$tmp/out2")"
kill -TERM "$bench_pid"
for _ in $(seq 1 300); do kill -0 "$bench_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$bench_pid" 2>/dev/null && fail "the benchmark did not exit within 30 s of SIGTERM"
wait "$bench_pid"; status=$?
bench_pid=""
[ -z "$(procs_of "$tmp/run2")" ] || fail "processes still run after SIGTERM: $(procs_of "$tmp/run2")"
[ "$status" = 130 ] || fail "interrupted run exited $status, not 130: $(cat "$tmp/out2")"
grep -q "interrupted" "$tmp/out2" || fail "no 'interrupted': $(cat "$tmp/out2")"
echo "PASS: $(grep -E '^\| (writes|reads) ' "$tmp/out1" | tr '\n' ' '); SIGTERM stopped every member"
