#!/usr/bin/env bash
# `orrery cluster status` with a node killed and a node paused (issue 18's list): the command
# knows both processes cannot answer, so it says so without asking them (a node it asks and
# that does not answer is "no answer" after a timeout), and still reports the live node.
# Usage: cluster_status_e2e_test.sh ORRERY_BINARY
set -u
orrery=$1
dir=$(mktemp -d)
cleanup() { "$orrery" cluster stop --dir "$dir" >/dev/null 2>&1; rm -rf "$dir"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; tail -5 "$dir"/n*.log 2>/dev/null; exit 1; }

# Nine free ports, picked by the kernel: peer, client and pg for three nodes (no cql: "-").
/usr/bin/python3 - "$dir/config.json" <<'PY'
import json, socket, sys
ss = [socket.socket() for _ in range(9)]
for s in ss: s.bind(("127.0.0.1", 0))
p = [s.getsockname()[1] for s in ss]
nodes = [{"id": i + 1, "peer": f"127.0.0.1:{p[i]}", "client": f"127.0.0.1:{p[3 + i]}",
          "pg": f"127.0.0.1:{p[6 + i]}"} for i in range(3)]
json.dump({"nodes": nodes}, open(sys.argv[1], "w"))
PY
out=$("$orrery" cluster start --dir "$dir") || fail "cluster start exited $?: $out"
out=$("$orrery" cluster kill 3 --dir "$dir") || fail "kill exited $?: $out"
out=$("$orrery" cluster pause 2 --dir "$dir") || fail "pause exited $?: $out"
status=$("$orrery" cluster status --dir "$dir" 2>&1); rc=$?
[ $rc -eq 1 ] || fail "status exited $rc, not 1: $status"
echo "$status" | grep -Eq '^n3 +- +[0-9]+ +- +down +\(no process: .*not asked\)' || fail "n3 not shown down: $status"
echo "$status" | grep -Eq '^n2 +[0-9]+ +[0-9]+ +- +paused +\(stopped by SIGSTOP.*not asked\)' || fail "n2 not shown paused: $status"
echo "$status" | grep -Eq '^n1 +[0-9]+ +[0-9]+ +- +[a-z-]+ +[0-9]+ ' || fail "n1 not reported: $status"
echo "$status" | grep -q 'no answer' && fail "a node known to be down or paused was asked: $status"
echo "$status" | grep -q '2 of 3 nodes did not answer' || fail "no count of silent nodes: $status"
# A Raft node refuses a consistency level rather than ignoring it (the leaderless mode's).
n1=$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['nodes'][0]['client'])" "$dir/config.json")
out=$("$orrery" kv --peers "$n1" --consistency one get k 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q "consistency levels are the leaderless mode's" || fail "a level to a Raft node: rc=$rc $out"
# A second cluster whose config names n1's ports is refused before anything starts.
other=$(mktemp -d)
cp "$dir/config.json" "$other/config.json"
out=$("$orrery" cluster start --dir "$other" 2>&1); rc=$?
"$orrery" cluster stop --dir "$other" >/dev/null 2>&1
[ $rc -eq 1 ] && echo "$out" | grep -q "^n1: client address 127.0.0.1:[0-9]*: .* is in use" &&
    echo "$out" | grep -q "nothing started" || { rm -rf "$other"; fail "a start on taken ports: rc=$rc $out"; }
ls "$other"/*.pid >/dev/null 2>&1 && { rm -rf "$other"; fail "a refused start left pid files"; }
rm -rf "$other"
echo "PASS: status names the killed and the paused node without asking them; a Raft node refuses a level; taken ports are refused"
