#!/usr/bin/env bash
# End-to-end test of the PostgreSQL protocol with the real clients: one `orrery node --pg-port`
# on free ports in a temporary directory, then psql (DDL, a multi-row INSERT, a query, an error
# with its SQLSTATE, \dt, \d movie, \d+ movie and \d movie_pkey from the live catalog, a script whose syntax error
# leaves the session usable) and psycopg2 (parameters, a committed and a rolled-back
# transaction, the type codes of cursor.description, conn.cancel() of a long statement, a
# CancelRequest with a wrong key). The node is killed on every path.
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

# psql's \dt, \d movie, \d+ movie and \d movie_pkey, answered from the catalog
# (node/pg_catalog.h), as PostgreSQL prints them.
out=$(q -c '\dt') || fail "\\dt exited $?"
expected='        List of relations
 Schema | Name  | Type  | Owner  
--------+-------+-------+--------
 public | movie | table | orrery
(1 row)'
[ "$out" = "$expected" ] || fail "\\dt printed: $out"
out=$(q -c '\d movie') || fail "\\d movie exited $?"
expected='                    Table "public.movie"
 Column |       Type       | Collation | Nullable | Default 
--------+------------------+-----------+----------+---------
 id     | bigint           |           | not null | 
 title  | text             |           | not null | 
 rating | double precision |           |          | 
 seen   | boolean          |           |          | 
Indexes:
    "movie_pkey" PRIMARY KEY, btree (id)'
[ "$out" = "$expected" ] || fail "\\d movie printed: $out"
err=$(q -c '\d nope' 2>&1); [ "$err" = 'Did not find any relation named "nope".' ] || fail "\\d nope printed: $err"
out=$(q -c '\d+ movie') || fail "\\d+ movie exited $?"
expected='                                              Table "public.movie"
 Column |       Type       | Collation | Nullable | Default | Storage | Compression | Stats target | Description 
--------+------------------+-----------+----------+---------+---------+-------------+--------------+-------------
 id     | bigint           |           | not null |         | plain   |             |              | 
 title  | text             |           | not null |         | plain   |             |              | 
 rating | double precision |           |          |         | plain   |             |              | 
 seen   | boolean          |           |          |         | plain   |             |              | 
Indexes:
    "movie_pkey" PRIMARY KEY, btree (id)
Access method: orrery'
[ "$out" = "$expected" ] || fail "\\d+ movie printed: $out"
out=$(q -c '\d movie_pkey') || fail "\\d movie_pkey exited $?"
expected='      Index "public.movie_pkey"
 Column |  Type  | Key? | Definition 
--------+--------+------+------------
 id     | bigint | yes  | id
primary key, btree, for table "public.movie"'
[ "$out" = "$expected" ] || fail "\\d movie_pkey printed: $out"

# A script (-f) with a syntax error in the middle: psql reports it and goes on, and the session
# still answers (in and out of a transaction block).
cat > "$dir/script.sql" <<'SQL'
SELECT 1 AS before;
SELEC oops;
SELECT count(*) AS after FROM movie;
BEGIN;
SELECT * FROM;
ROLLBACK;
SELECT title FROM movie WHERE id = 2;
SQL
out=$(psql -h 127.0.0.1 -p "$pg" -U orrery -d orrery -X -At -f "$dir/script.sql" 2>"$dir/script.err") \
  || fail "the script exited $?"
[ "$out" = $'1\n3\nBEGIN\nROLLBACK\nheat' ] || fail "the script printed: $out"
grep -q 'syntax error' "$dir/script.err" || fail "no syntax error reported: $(cat "$dir/script.err")"
[ "$(grep -c ERROR "$dir/script.err")" = 2 ] || fail "script errors: $(cat "$dir/script.err")"

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

# Cancel (psycopg2's conn.cancel() sends a CancelRequest with the BackendKeyData of the
# connection): a long cross join ends with 57014, and the connection is usable afterwards. A
# CancelRequest with a wrong secret does nothing.
/usr/bin/python3 - "$pg" <<'PY' || fail "cancel script failed"
import socket, struct, sys, threading, time
import psycopg2
port = int(sys.argv[1])
conn = psycopg2.connect(host="127.0.0.1", port=port, user="orrery", dbname="orrery")
conn.autocommit = True
cur = conn.cursor()
cur.execute("CREATE TABLE big (id INTEGER PRIMARY KEY)")
cur.execute("INSERT INTO big VALUES " + ",".join("(%d)" % i for i in range(300)))

# 27 million rows: several seconds uncancelled.
t0 = time.time()
timer = threading.Timer(0.5, conn.cancel)
timer.start()
try:
    cur.execute("SELECT count(*) FROM big a, big b, big c")
    raise SystemExit("the cross join finished despite the cancel: %r" % (cur.fetchone(),))
except psycopg2.extensions.QueryCanceledError as e:
    assert e.pgcode == "57014", e.pgcode
    assert "canceling statement due to user request" in e.pgerror, e.pgerror
elapsed = time.time() - t0
assert elapsed < 5, "the cancel took %.1fs" % elapsed
cur.execute("SELECT count(*) FROM big")
assert cur.fetchone() == (300,)

# A wrong key, sent while a shorter statement runs: the statement completes. (The pid is read
# first: psycopg2 holds the connection's lock while a statement runs.)
pid = conn.get_backend_pid()
def wrong_cancel():
    time.sleep(0.2)
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(struct.pack("!iiii", 16, 80877102, pid, 12345))
    s.recv(1)  # The server closes the cancel connection without an answer.
    s.close()
threading.Thread(target=wrong_cancel).start()
cur.execute("SELECT count(*) FROM big a, big b, (SELECT id FROM big WHERE id < 100) c")
assert cur.fetchone() == (300 * 300 * 100,)
conn.close()
print("cancel: 57014 after %.2fs; a wrong key did nothing" % elapsed)
PY
echo "ok"
