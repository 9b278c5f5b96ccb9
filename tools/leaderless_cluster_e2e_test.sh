#!/usr/bin/env bash
# The leaderless mode on a real five-node cluster (issue 15): `orrery node` runs the simulator's
# LeaderlessServer over TCP and files when config.json says "mode": "leaderless".
#  1. kv at every consistency level; the refusals (cas below serial, scan, a level for a Raft
#     cluster, a SQL port for a leaderless node) are clear errors with their exit status;
#  2. hinted handoff: with n3 killed, writes through n1 leave hints on n1's disk; n1 is killed
#     with SIGKILL and restarted, and still holds them; n3 comes back and gets them, and reads
#     at ALL see every write;
#  3. anti-entropy: n1 restarted with handoff.volatile keeps its hints for a dead n4 in memory,
#     loses them in a crash, so n4 comes back without those writes; `cluster repair 4` streams
#     them, and a second repair finds nothing to do.
# Usage: leaderless_cluster_e2e_test.sh ORRERY_BINARY
set -u
orrery=$1
dir=$(mktemp -d)
cleanup() { "$orrery" cluster stop --dir "$dir" >/dev/null 2>&1; rm -rf "$dir"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; tail -5 "$dir"/n*.log 2>/dev/null; exit 1; }

# Fifteen free ports, picked by the kernel: peer, client and metrics for five nodes.
/usr/bin/python3 - "$dir/config.json" <<'PY'
import json, socket, sys
ss = [socket.socket() for _ in range(15)]
for s in ss: s.bind(("127.0.0.1", 0))
p = [s.getsockname()[1] for s in ss]
nodes = [{"id": i + 1, "peer": f"127.0.0.1:{p[i]}", "client": f"127.0.0.1:{p[5 + i]}",
          "metrics": f"127.0.0.1:{p[10 + i]}"} for i in range(5)]
json.dump({"mode": "leaderless", "rf": 3, "consistency": "quorum", "nodes": nodes},
          open(sys.argv[1], "w"))
PY
client() {  # client N: the client address of node N
    /usr/bin/python3 -c "import json,sys; print([n['client'] for n in json.load(open(sys.argv[1]))['nodes'] if n['id']==int(sys.argv[2])][0])" "$dir/config.json" "$1"
}
kv() { "$orrery" kv --cluster "$dir" "$@"; }
metric() {  # metric N SAMPLE: the value of one sample line of node N's scrape
    /usr/bin/python3 - "$dir/config.json" "$1" "$2" <<'PY'
import json, sys, urllib.request
node = [n for n in json.load(open(sys.argv[1]))["nodes"] if n["id"] == int(sys.argv[2])][0]
text = urllib.request.urlopen(f"http://{node['metrics']}/metrics", timeout=5).read().decode()
for line in text.splitlines():
    if line.rsplit(" ", 1)[0] == sys.argv[3]:
        print(line.rsplit(" ", 1)[1])
PY
}
hints_of() {  # hints_of N: the hints node N holds, from `kv status`
    kv status "$1" | sed -n 's/.* hints=\([0-9]*\).*/\1/p'
}
wait_for() {  # wait_for SECONDS WHAT COMMAND...: polls until COMMAND succeeds
    local seconds=$1 what=$2; shift 2
    for _ in $(seq 1 $((seconds * 10))); do "$@" && return 0; sleep 0.1; done
    fail "$what"
}
all_alive() { "$orrery" cluster status --dir "$dir" | grep -c ' alive ' | grep -qx 25; }

out=$("$orrery" cluster start --dir "$dir") || fail "cluster start exited $?: $out"
echo "$out" | grep -Eq '^gossip: every node sees 5 of 5 alive \(after [0-9.]+s\)$' || fail "start did not wait for gossip: $out"
out=$("$orrery" cluster start --dir "$dir" --mode raft 2>&1); rc=$?
[ $rc -eq 2 ] && echo "$out" | grep -q "is a leaderless cluster" || fail "--mode raft on a leaderless config: rc=$rc $out"
wait_for 20 "gossip did not see every node alive from every node" all_alive
status=$("$orrery" cluster status --dir "$dir") || fail "status exited $?: $status"
echo "$status" | grep -q "leaderless cluster: 5 nodes, rf=3, default consistency quorum" || fail "status header: $status"
echo "$status" | grep -q "ring: 5 members, 80 tokens, rf=3" || fail "no ring in status: $status"

# 1. Every level, and the refusals.
[ "$(kv put k1 v1)" = ok ] || fail "put at the default level"
for level in one quorum all; do
    [ "$(kv --consistency $level get k1)" = "ok v1" ] || fail "get at $level"
done
[ "$(kv --consistency all put k2 two)" = ok ] || fail "put at all"
[ "$(kv --consistency serial put r1 a)" = ok ] || fail "serial put"
[ "$(kv --consistency serial cas r1 a b)" = ok ] || fail "serial cas"
[ "$(kv --consistency serial get r1)" = "ok b" ] || fail "serial get after cas"
out=$(kv --consistency serial cas r1 a c); rc=$?
[ $rc -eq 1 ] && [ "$out" = 'fail cas-failed current=b' ] || fail "serial cas on a stale value: rc=$rc $out"
out=$(kv cas k1 v1 v2); rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q "needs consistency serial, not quorum" || fail "cas at quorum: rc=$rc $out"
out=$(kv scan); rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q "scan is not supported in the leaderless mode" || fail "scan: rc=$rc $out"
out=$(kv --consistency one scan 2>&1); rc=$?
[ $rc -eq 2 ] || fail "a level on a scan: rc=$rc $out"
out=$(kv --consistency two get k1 2>&1); rc=$?
[ $rc -eq 2 ] && echo "$out" | grep -q 'unknown consistency level "two"' || fail "bad level: rc=$rc $out"
out=$("$orrery" node --id 1 --config "$dir/config.json" --data "$dir/x" --pg-port 5999 2>&1); rc=$?
[ $rc -eq 2 ] && echo "$out" | grep -q "not served in the leaderless mode" || fail "node --pg-port: rc=$rc $out"
raft=$(mktemp -d)
echo '{"nodes": [{"id": 1, "peer": "127.0.0.1:1", "client": "127.0.0.1:2"}]}' > "$raft/config.json"
out=$("$orrery" kv --cluster "$raft" --consistency one get k 2>&1); rc=$?
[ $rc -eq 2 ] && echo "$out" | grep -q "this is a Raft cluster" || fail "a level for a Raft cluster: rc=$rc $out"
out=$("$orrery" cluster repair --dir "$raft" 2>&1); rc=$?
[ $rc -eq 2 ] && echo "$out" | grep -q "repair is the leaderless mode's" || fail "repair on Raft: rc=$rc $out"
rm -rf "$raft"
# n1 coordinated the four SERIAL requests on r1: its proposer's figures say so, and the repeated
# key went the one-round-trip way at least once.
chosen=$(metric 1 'orrery_paxos_requests_total{outcome="chosen"}')
fast=$(metric 1 orrery_paxos_fast_accepts_total)
[ "${chosen:-0}" -ge 4 ] && [ "${fast:-0}" -ge 1 ] || fail "n1's paxos metrics: chosen=$chosen fast accepts=$fast"
echo "ok: levels and refusals (n1 chose $chosen LWT changes, $fast of its rounds one round trip)"

# 2. Hinted handoff, durable across a coordinator crash.
out=$("$orrery" cluster kill 3 --dir "$dir") || fail "kill 3: $out"
n1=$(client 1)
for i in $(seq 1 30); do
    [ "$("$orrery" kv --peers "$n1" put h$i v$i)" = ok ] || fail "put h$i through n1 with n3 down"
done
# A replica that does not ack within the request timeout (500 ms) gets its hint then.
has_hints() { [ "$(hints_of 1)" -gt 0 ] 2>/dev/null; }
wait_for 10 "n1 holds no hints for n3 after 30 writes" has_hints
sleep 1  # Every write's timeout has passed: the count is final.
before=$(hints_of 1)
out=$("$orrery" cluster kill 1 --dir "$dir") || fail "kill 1: $out"
out=$("$orrery" cluster restart 1 --dir "$dir") || fail "restart 1: $out"
after=$(hints_of 1)
[ "$after" = "$before" ] || fail "n1 had $before hints before its crash and $after after"
# Its metrics say the same, and that gossip counts four members alive: n3 is dead in its table,
# or absent (a table started while n3 was down learns of it only when n3 comes back).
[ "$(metric 1 orrery_hints_pending)" = "$before" ] || fail "orrery_hints_pending of n1: $(metric 1 orrery_hints_pending), not $before"
four_alive() { [ "$(metric 1 'orrery_gossip_members{state="alive"}')" = 4 ]; }
wait_for 10 "n1's metrics do not count four members alive" four_alive
echo "ok: n1 kept its $before hints through kill -9"
out=$("$orrery" cluster restart 3 --dir "$dir") || fail "restart 3: $out"
no_hints() { [ "$(hints_of 1)" = 0 ]; }
wait_for 20 "n1 did not hand its hints to n3" no_hints
for i in $(seq 1 30); do
    [ "$(kv --consistency all get h$i)" = "ok v$i" ] || fail "h$i at ALL after the handoff"
done
delivered=$(metric 1 orrery_hints_delivered_total)
[ "${delivered:-0}" -ge "$before" ] || fail "n1 delivered ${delivered:-none} hints, fewer than its $before"
echo "ok: hints replayed to n3 ($delivered delivered, by n1's metrics); 30 reads at ALL"

# 3. Anti-entropy repairs what volatile hints lost.
out=$("$orrery" cluster restart 1 --dir "$dir" --bug handoff.volatile) || fail "restart 1 --bug: $out"
out=$("$orrery" cluster kill 4 --dir "$dir") || fail "kill 4: $out"
for i in $(seq 1 30); do
    [ "$("$orrery" kv --peers "$n1" put a$i w$i)" = ok ] || fail "put a$i through n1 with n4 down"
done
sleep 1  # Past every write's request timeout: n1 holds its (volatile) hints for n4.
out=$("$orrery" cluster kill 1 --dir "$dir") || fail "kill 1 (volatile): $out"
out=$("$orrery" cluster restart 1 --dir "$dir") || fail "restart 1: $out"
out=$("$orrery" cluster restart 4 --dir "$dir") || fail "restart 4: $out"
wait_for 20 "gossip did not see n4 back from every node" all_alive
# A range whose replica is slow to answer (500 ms: a loaded machine) is skipped and counted as
# unanswered; the next repair covers it. So: the first repair received cells, and some later one
# (at most three) found everything equal with every range answered.
first=$("$orrery" cluster repair 4 --dir "$dir") || fail "repair 4 exited $?: $first"
echo "$first" | grep -Eq '^n4: [0-9]+ ranges compared \([0-9]+ unanswered\), [1-9][0-9]* Merkle leaves differed, [1-9][0-9]* cells received, 0 sent$' ||
    fail "the first repair of n4 found nothing: $first"
clean='^n4: [0-9]+ ranges compared \(0 unanswered\), 0 Merkle leaves differed, 0 cells received, 0 sent$'
for _ in 1 2 3; do
    second=$("$orrery" cluster repair 4 --dir "$dir") || fail "a later repair exited $?: $second"
    echo "$second" | grep -Eq "$clean" && break
done
echo "$second" | grep -Eq "$clean" || fail "three more repairs of n4 still found differences: $second"
every=$("$orrery" cluster repair --dir "$dir") || fail "repair of every node exited $?: $every"
[ "$(echo "$every" | grep -Ec '^n[1-5]: [0-9]+ ranges compared')" = 5 ] || fail "repair of every node: $every"
echo "ok: $first; then $second"
summary=$("$orrery" cluster status --dir "$dir" --metrics) || fail "status --metrics exited $?: $summary"
[ "$(echo "$summary" | grep -Ec '^n[1-5] +yes +leaderless ')" = 5 ] || fail "status --metrics: $summary"
echo "PASS: leaderless cluster: levels, durable hints, repair"
