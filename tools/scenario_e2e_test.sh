#!/usr/bin/env bash
# End-to-end test of `orrery scenario`: every Raft scenario script passes --check through the
# binary (the same command language as raft_test), a changed expected output is reported with
# exit 1, --rewrite restores it, a piped session prints as it goes, and bad input exits 2.
# Usage: scenario_e2e_test.sh ORRERY_BINARY SCENARIO_DIR
set -u
orrery=$1
scenarios=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$orrery" scenario --check "$scenarios"/*.txt >"$work/all.out" 2>&1 || { tail -20 "$work/all.out"; fail "the scenario scripts do not pass --check"; }
n=$(ls "$scenarios"/*.txt | wc -l)
[[ $(grep -c "all as expected" "$work/all.out") -eq $n ]] || fail "not every one of $n scripts was checked"
echo "ok   $n scenario scripts pass --check"

cp "$scenarios/election_basic.txt" "$work/changed.txt"
sed -i 's/^n1 commit=1$/n1 commit=2/' "$work/changed.txt"
"$orrery" scenario --check "$work/changed.txt" >"$work/changed.out" 2>&1
[[ $? -eq 1 ]] || fail "a changed expected output did not exit 1"
grep -q "the output differs" "$work/changed.out" || fail "the difference is not shown"
grep -q "^n1 commit=2$" "$work/changed.out" && grep -q "^n1 commit=1$" "$work/changed.out" || fail "expected and actual lines are not both shown"
echo "ok   a changed expected output exits 1 and shows both sides"

"$orrery" scenario --rewrite "$work/changed.txt" >/dev/null || fail "--rewrite failed"
cmp -s "$work/changed.txt" "$scenarios/election_basic.txt" || fail "--rewrite did not restore the script"
echo "ok   --rewrite writes the outputs back"

printf 'cluster 3\ncampaign n1\nstabilize\nstatus\n' | "$orrery" scenario >"$work/piped.out" 2>&1 || fail "a piped session failed"
grep -q "^n1 role=leader t1$" "$work/piped.out" || fail "the piped session shows no election"
grep -q "^n1 leader t1 vote=n1 commit=1" "$work/piped.out" || fail "the piped session shows no status"
echo "ok   a piped session runs the commands"

printf 'cluster 3\ntick n1 times=abc\nfrobnicate\nstatus\n' | "$orrery" scenario >"$work/bad.out" 2>&1
[[ $? -eq 2 ]] || fail "a piped session with bad commands did not exit 2"
grep -q "times=abc: expected an integer" "$work/bad.out" || fail "a malformed number is not named"
grep -q "unknown command 'frobnicate'" "$work/bad.out" || fail "an unknown command is not named"
grep -q "^n1 follower t0" "$work/bad.out" || fail "the session did not go on after the errors"
echo "ok   bad commands are named, the session goes on, exit 2"

"$orrery" scenario /nonexistent/x.txt >/dev/null 2>&1
[[ $? -eq 2 ]] || fail "an unreadable file did not exit 2"
echo "ok   an unreadable file exits 2"
