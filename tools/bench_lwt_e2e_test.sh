#!/usr/bin/env bash
# End-to-end test of `orrery bench lwt` (issue 15), briefly:
#  1. in the simulator: the table has its header and three rows (lwt cas with 1rtt on and off,
#     quorum put), every row answered ops and none failed or ended unknown, and a second run
#     with the same seed prints the same table but for the wall-time column;
#  2. with --cluster: the same three rows from real five-node leaderless clusters (one per
#     phase), no op failed, no node left running, and a used --dir is refused;
#  3. a --cluster run interrupted by SIGINT once a cluster is up exits 130 and stops its nodes;
#  4. --lwt-one-round-trip is refused for a Raft cluster, by `orrery node` and `cluster start`.
# Usage: bench_lwt_e2e_test.sh ORRERY_BINARY
set -u
orrery=$1
tmp=$(mktemp -d)
bench_pid=""
cleanup() {
  [ -n "$bench_pid" ] && kill -KILL "$bench_pid" 2>/dev/null
  for d in "$tmp"/run*/phase* "$tmp"/raft; do
    [ -f "$d/config.json" ] && "$orrery" cluster stop --dir "$d" >/dev/null 2>&1
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() { echo "FAIL: $*"; tail -3 "$tmp"/run*/phase*/n*.log 2>/dev/null; exit 1; }

# Node processes (`orrery node ... --config <d>/...`) still running under directory $1.
nodes_of() {
  for f in /proc/[0-9]*/cmdline; do
    tr '\0' ' ' 2>/dev/null <"$f" | grep -q " node .*$1/" && echo "${f%/cmdline}"
  done
}

# check_rows FILE FIELDS STRICT: the three rows, each with FIELDS figures after its name,
# ops > 0, failed = 0 (figure 7), and with STRICT=1 unknown = 0 too (figure 8). A real cluster
# on a loaded machine may see an op outlive its 5 s timeout; an unknown op did not fail.
check_rows() {
  local file=$1 fields=$2 strict=$3 name
  for name in 'lwt cas (1rtt on)' 'lwt cas (1rtt off)' 'quorum put'; do
    row=$(grep -F "$name " "$file" | grep -v ': cluster in ') || fail "no row '$name': $(cat "$file")"
    figures=${row#"$name"}
    read -r -a f <<<"$figures"
    [ "${#f[@]}" = "$fields" ] || fail "row '$name' has ${#f[@]} figures, not $fields: $row"
    [ "${f[0]}" -gt 0 ] || fail "row '$name': no ops: $row"
    [ "${f[6]}" = 0 ] || fail "row '$name': failed ops: $row"
    [ "$strict" = 0 ] || [ "${f[7]}" = 0 ] || fail "row '$name': unknown ops: $row"
  done
  grep -Eq '^phase +ops +ops/s +p50 ms +p99 ms +max ms +cas-failed +failed +unknown' "$file" \
    || fail "no header: $(cat "$file")"
}

# 1. The simulator, twice.
sim=(bench lwt --clients 4 --duration 1s --warmup 500ms --seed 5)
"$orrery" "${sim[@]}" >"$tmp/sim1" 2>&1 || fail "sim exited $?: $(cat "$tmp/sim1")"
"$orrery" "${sim[@]}" >"$tmp/sim2" 2>&1 || fail "sim exited $?: $(cat "$tmp/sim2")"
check_rows "$tmp/sim1" 13 1
grep -q '^lwt bench (simulated): 5 nodes, rf 3, 4 clients, a key per client' "$tmp/sim1" \
  || fail "no sim header line: $(cat "$tmp/sim1")"
strip_wall() { sed -E 's/ +[0-9.]+$//; s/ +wall s$//' "$1"; }
[ "$(strip_wall "$tmp/sim1")" = "$(strip_wall "$tmp/sim2")" ] \
  || fail "same seed, different tables: $(diff <(strip_wall "$tmp/sim1") <(strip_wall "$tmp/sim2"))"

# 2. Real clusters, one per phase.
"$orrery" bench lwt --cluster --clients 4 --duration 1s --warmup 1s --dir "$tmp/run1" \
  >"$tmp/out1" 2>&1 || fail "--cluster exited $?: $(cat "$tmp/out1")"
check_rows "$tmp/out1" 10 0
[ "$(grep -c ': cluster in .*: up' "$tmp/out1")" = 3 ] || fail "not three clusters: $(cat "$tmp/out1")"
grep -q 'lwt cas (1rtt off): cluster in .*: up (lwt one-round-trip off)' "$tmp/out1" \
  || fail "the 1rtt-off phase's cluster was not started with it off: $(cat "$tmp/out1")"
grep -q 'lwt: one-round-trip optimisation off' "$tmp"/run1/phase2/n1.log \
  || fail "n1 of the 1rtt-off phase did not log it: $(cat "$tmp"/run1/phase2/n1.log)"
grep -q 'lwt: one-round-trip optimisation off' "$tmp"/run1/phase1/n1.log \
  && fail "n1 of the 1rtt-on phase ran with it off"
[ -z "$(nodes_of "$tmp/run1")" ] || fail "nodes still run after the benchmark: $(nodes_of "$tmp/run1")"
out=$("$orrery" bench lwt --cluster --duration 1s --dir "$tmp/run1" 2>&1); rc=$?
[ $rc = 1 ] && echo "$out" | grep -q "already holds a cluster" || fail "a used --dir: rc=$rc $out"

# 3. SIGINT once the first cluster is up.
"$orrery" bench lwt --cluster --clients 4 --duration 60s --dir "$tmp/run2" >"$tmp/out2" 2>&1 &
bench_pid=$!
for _ in $(seq 1 300); do grep -q ': cluster in .*: up' "$tmp/out2" && break; sleep 0.1; done
grep -q ': cluster in .*: up' "$tmp/out2" || fail "the interrupted run's cluster did not come up: $(cat "$tmp/out2")"
sleep 2
kill -INT "$bench_pid"
for _ in $(seq 1 300); do kill -0 "$bench_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$bench_pid" 2>/dev/null && fail "the benchmark did not exit within 30 s of SIGINT"
wait "$bench_pid"; status=$?
bench_pid=""
[ "$status" = 130 ] || fail "interrupted run exited $status, not 130: $(cat "$tmp/out2")"
grep -q "interrupted" "$tmp/out2" || fail "no 'interrupted': $(cat "$tmp/out2")"
[ -z "$(nodes_of "$tmp/run2")" ] || fail "nodes still run after SIGINT: $(nodes_of "$tmp/run2")"

# 4. The flag is the leaderless mode's.
mkdir -p "$tmp/raft"
echo '{"nodes": [{"id": 1, "peer": "127.0.0.1:1", "client": "127.0.0.1:2"}]}' > "$tmp/raft/config.json"
out=$("$orrery" node --id 1 --config "$tmp/raft/config.json" --data "$tmp/raft/n1" --lwt-one-round-trip off 2>&1); rc=$?
[ $rc = 2 ] && echo "$out" | grep -q "is the leaderless mode's" || fail "node on Raft: rc=$rc $out"
out=$("$orrery" cluster start --dir "$tmp/raft" --lwt-one-round-trip off 2>&1); rc=$?
[ $rc = 2 ] && echo "$out" | grep -q "is the leaderless mode's" || fail "cluster start on Raft: rc=$rc $out"
out=$("$orrery" node --id 1 --config "$tmp/raft/config.json" --data "$tmp/raft/n1" --lwt-one-round-trip maybe 2>&1); rc=$?
[ $rc != 0 ] || fail "--lwt-one-round-trip maybe accepted: $out"

echo "PASS"
grep -hE "^(lwt cas|quorum put)" "$tmp/sim1" "$tmp/out1" | grep -v ': cluster in '
