#!/usr/bin/env bash
# End-to-end test of `orrery cluster start` serving PostgreSQL clients on every node: a five-node
# cluster on free ports (a config.json with "pg" addresses, as `cluster start` writes one), psql
# writing through one node and reading through another, and `cluster status` listing each node's
# PostgreSQL port. The cluster is stopped on every path.
# Usage: pg_cluster_e2e_test.sh ORRERY_BINARY
set -u
orrery=$1
dir=$(mktemp -d)
cleanup() { "$orrery" cluster stop --dir "$dir" >/dev/null 2>&1; rm -rf "$dir"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; tail -5 "$dir"/n*.log 2>/dev/null; exit 1; }
command -v psql >/dev/null || fail "psql is not installed (scripts/deps.sh installs postgresql-client)"

# Fifteen free ports, picked by the kernel: peer, client and pg for five nodes.
/usr/bin/python3 - "$dir/config.json" <<'PY'
import json, socket, sys
ss = [socket.socket() for _ in range(15)]
for s in ss: s.bind(("127.0.0.1", 0))
p = [s.getsockname()[1] for s in ss]
nodes = [{"id": i + 1, "peer": f"127.0.0.1:{p[i]}", "client": f"127.0.0.1:{p[5 + i]}",
          "pg": f"127.0.0.1:{p[10 + i]}"} for i in range(5)]
json.dump({"nodes": nodes}, open(sys.argv[1], "w"))
PY
pg_of() { /usr/bin/python3 -c "import json,sys; print(json.load(open('$dir/config.json'))['nodes'][$1-1]['pg'].split(':')[1])"; }
out=$("$orrery" cluster start --dir "$dir") || fail "cluster start exited $?: $out"
for i in 1 2 3 4 5; do
  case "$out" in *"n$i: started"*"PostgreSQL on port $(pg_of $i)"*) ;; *) fail "start did not report n$i's pg port: $out" ;; esac
done

export PGCONNECT_TIMEOUT=5
q() { psql -h 127.0.0.1 -p "$1" -U orrery -d orrery -X -At -v ON_ERROR_STOP=1 -c "$2"; }
# The first statement may meet a cluster still electing its leader: retry it for a few seconds.
ok=""
for _ in $(seq 1 50); do
  if q "$(pg_of 2)" "CREATE TABLE movie (id INTEGER PRIMARY KEY, title STRING)" >/dev/null 2>&1; then ok=1; break; fi
  sleep 0.2
done
[ -n "$ok" ] || fail "CREATE TABLE through n2's pg port never succeeded"
out=$(q "$(pg_of 2)" "INSERT INTO movie VALUES (1, 'sicario'), (2, 'stalker')") || fail "insert exited $?"
[ "$out" = "INSERT 0 2" ] || fail "insert printed: $out"
# Another node reads what n2 wrote: the SQL runs over Raft, not on one node's local state.
out=$(q "$(pg_of 4)" "SELECT id, title FROM movie ORDER BY id") || fail "select exited $?"
[ "$out" = $'1|sicario\n2|stalker' ] || fail "select through n4 printed: $out"

status=$("$orrery" cluster status --dir "$dir") || fail "status exited $?: $status"
for i in 1 2 3 4 5; do
  echo "$status" | grep -Eq "^n$i +[0-9]+ +$(pg_of $i) " || fail "status does not list n$i's pg port: $status"
done
echo "PASS: five nodes serve psql on their pg ports; status lists them"
