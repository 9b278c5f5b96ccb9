#!/usr/bin/env bash
# Bad input through the binary, as a new user would type it: each case must exit with the
# status the command documents (2 bad input, 3 unknown) and say why on stderr. None may answer
# "valid", run unbounded, or print nothing and exit 0. Cases from issue 18's list.
# Usage: bad_input_e2e_test.sh ORRERY_BINARY SOURCE_DIR
set -u
orrery=$1
src=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
: > "$dir/empty.jsonl"
mkdir "$dir/adir"
testdata=$src/jepsen/checker/testdata
trace=$src/tools/testdata/small_trace.jsonl

# expect STATUS PATTERN -- COMMAND...: runs COMMAND, checks its exit status and that its
# output (stdout and stderr) matches PATTERN (grep -E).
expect() {
  local want=$1 pattern=$2; shift 3
  local out rc
  out=$(timeout 60 "$orrery" "$@" 2>&1); rc=$?
  [ $rc -eq "$want" ] || fail "orrery $* exited $rc, not $want: $out"
  echo "$out" | grep -Eq -- "$pattern" || fail "orrery $* printed: $out"
  echo "ok: orrery $* -> $rc"
}

expect 3 'no client operations' -- check --model register "$dir/empty.jsonl"
expect 2 'is a directory' -- check --model register "$dir/adir"
expect 2 'judges txn operations, not "write"' -- check --model list-append "$testdata/register_stale_read.jsonl"
expect 2 'empty --seeds range' -- campaign --seeds 5..1
expect 2 'at most 10000000' -- campaign --seeds 1..10000001
expect 2 'at most 10000000' -- campaign --seeds 1..10000001 --jobs 2
expect 2 'bad --seeds' -- campaign --seeds 1..x
expect 2 'a seed is a decimal integer' -- sim --seed -1
expect 2 'a seed is a decimal integer' -- sim --seed 99999999999999999999999
expect 2 'longer than one run may be' -- sim --duration 99999999999s
expect 2 'holds no trace events' -- trace show "$dir/empty.jsonl"
expect 2 'is a directory' -- trace show "$dir/adir"
expect 2 'empty time window' -- trace show "$trace" --from 500ms --to 100ms
# A filter that matches nothing is a valid question with an empty answer: exit 0, said on stderr.
expect 0 'matches the filter' -- trace show "$trace" --kind nosuch
# A kind that is really a message type is named, with the filter that works.
expect 0 'is a message type, not an event kind: filter it with msg=Vote' -- trace show "$trace" --kind Vote
expect 0 'Vote t2 last=4@1' -- trace show "$trace" --msg Vote
echo "PASS"
