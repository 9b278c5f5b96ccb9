#!/usr/bin/env bash
# End-to-end test of the PostgreSQL protocol with the real clients: one `orrery node --pg-port`
# on free ports in a temporary directory, then psql (DDL, a multi-row INSERT, a query, an error
# with its SQLSTATE) and psycopg2 (parameters, a committed and a rolled-back transaction, the
# type codes of cursor.description). The node is killed on every path.
# Usage: pg_e2e_test.sh ORRERY_BINARY
set -u
orrery=$1
dir=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; [ -f "$dir/node.log" ] && tail -20 "$dir/node.log"; exit 1; }
command -v psql >/dev/null || fail "psql is not installed (scripts/deps.sh installs postgresql-client)"

# Free ports, picked by the kernel.
read -r peer client pg < <(/usr/bin/python3 -c '
import socket
ss = [socket.socket() for _ in range(3)]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])')
cat > "$dir/cluster.json" <<JSON
{"nodes": [{"id": 1, "peer": "127.0.0.1:$peer", "client": "127.0.0.1:$client"}]}
JSON
"$orrery" node --id 1 --config "$dir/cluster.json" --data "$dir/n1" --pg-port "$pg" \
  > "$dir/node.log" 2>&1 &
pid=$!
export PGCONNECT_TIMEOUT=5
ok=""
for _ in $(seq 1 100); do
  if psql -h 127.0.0.1 -p "$pg" -U orrery -d orrery -Atc "SELECT 1" >/dev/null 2>&1; then ok=1; break; fi
  sleep 0.1
done
[ -n "$ok" ] || fail "psql could not connect to port $pg"

q() { psql -h 127.0.0.1 -p "$pg" -U orrery -d orrery -X -v ON_ERROR_STOP=1 "$@"; }
out=$(q -c "CREATE TABLE movie (id INTEGER PRIMARY KEY, title STRING NOT NULL, rating FLOAT, seen BOOLEAN)") \
  || fail "create exited $?"
[ "$out" = "CREATE TABLE" ] || fail "create printed: $out"
out=$(q -c "INSERT INTO movie VALUES (1, 'alien', 8.5, true), (2, 'heat', 8.3, false), (3, 'up', NULL, NULL)") \
  || fail "insert exited $?"
[ "$out" = "INSERT 0 3" ] || fail "insert printed: $out"
out=$(q -At -c "SELECT id, title FROM movie WHERE id >= 2 ORDER BY id") || fail "select exited $?"
[ "$out" = $'2|heat\n3|up' ] || fail "select printed: $out"
# Several statements in one simple query: one result each (psql 15 prints every one).
out=$(q -At -c "UPDATE movie SET rating = 9.0 WHERE id = 3; SELECT rating FROM movie WHERE id = 3") \
  || fail "multi-statement exited $?"
[ "$out" = $'UPDATE 1\n9' ] || fail "multi-statement printed: $out"
# An unknown table: SQLSTATE 42P01 on stderr, exit status 1 (ON_ERROR_STOP maps errors to 3).
err=$(q -c "\\set VERBOSITY verbose" -c "SELECT * FROM nope" 2>&1 >/dev/null); rc=$?
[ $rc -ne 0 ] || fail "the unknown table exited 0"
case "$err" in *"42P01"*"relation \"nope\" does not exist"*) ;; *) fail "error printed: $err" ;; esac

/usr/bin/python3 - "$pg" <<'PY' || fail "psycopg2 script failed"
import sys
import psycopg2
conn = psycopg2.connect(host="127.0.0.1", port=int(sys.argv[1]), user="orrery", dbname="orrery")
cur = conn.cursor()
cur.execute("INSERT INTO movie VALUES (%s, %s, %s, %s)", (4, "o'brother", 7.7, True))
conn.commit()
cur.execute("INSERT INTO movie VALUES (%s, %s, %s, %s)", (5, "never", 1.0, False))
conn.rollback()
cur.execute("SELECT id, title, rating, seen FROM movie WHERE id >= %s ORDER BY id", (4,))
rows = cur.fetchall()
assert rows == [(4, "o'brother", 7.7, True)], rows
codes = [d.type_code for d in cur.description]
assert codes == [20, 25, 701, 16], codes
try:
    cur.execute("INSERT INTO movie VALUES (1, 'dup', 1.0, true)")
    raise SystemExit("a duplicate key was accepted")
except psycopg2.Error as e:
    assert e.pgcode == "23505", e.pgcode
conn.rollback()
cur.execute("SELECT count(*) FROM movie")
assert cur.fetchone() == (4,)
conn.close()
PY
echo "ok"
