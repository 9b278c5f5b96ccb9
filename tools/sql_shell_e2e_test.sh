#!/usr/bin/env bash
# End-to-end test of `orrery sql --data DIR`, through the binary: a table created by one process
# is there for the next (persistence), a failing statement makes the exit status 1 while the
# batch carries on, and bad input (a missing file, a bad address) exits 2.
# Usage: sql_shell_e2e_test.sh ORRERY_BINARY
set -u
orrery=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

out=$("$orrery" sql --data "$dir/db" --format json -e "CREATE TABLE movie (id INTEGER PRIMARY KEY, title STRING)") \
  || fail "create exited $?"
[ "$out" = '{"ok": "CREATE TABLE"}' ] || fail "create printed: $out"

# A second process sees the table; the duplicate CREATE fails (exit 1) and the batch goes on.
out=$("$orrery" sql --data "$dir/db" --format json -e "CREATE TABLE movie (id INTEGER PRIMARY KEY)" -e '\dt')
rc=$?
[ $rc -eq 1 ] || fail "duplicate create exited $rc, not 1"
expected='{"error": "table \"movie\" already exists"}
{"columns": ["table"], "rows": [["movie"]]}'
[ "$out" = "$expected" ] || fail "second run printed: $out"

# Statements on stdin.
out=$(printf 'SHOW TABLES;\n' | "$orrery" sql --data "$dir/db" --format csv) || fail "stdin exited $?"
[ "$out" = $'table\nmovie' ] || fail "stdin printed: $out"

"$orrery" sql --data "$dir/db" -f "$dir/missing.sql" 2>/dev/null; rc=$?
[ $rc -eq 2 ] || fail "a missing -f file exited $rc, not 2"
"$orrery" sql --connect not-an-address -e "SELECT 1" 2>/dev/null; rc=$?
[ $rc -eq 2 ] || fail "a bad address exited $rc, not 2"
echo "ok"
