#!/usr/bin/env bash
# Runs every command of every exercise (docs/exercises/NN-*.md) and checks what the exercise says:
#   - `orrery campaign ... --bug B` fails (exit 1) and the same campaign without `--bug B` passes;
#   - `orrery shrink runs/ex/NN/seed-S.replay` succeeds and prints, as its smallest run, the
#     `orrery sim` line of the exercise (without its --trace/--history);
#   - that `orrery sim ... --bug B` line fails (exit 1) and passes without `--bug B`;
#   - `orrery trace html` writes the page.
# Usage: exercises_check.sh ORRERY_BINARY EXERCISES_DIR
set -euo pipefail
orrery=$1
dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# expect STATUS CMD...: runs CMD (output in $work/last.out), returns 1 unless it exits STATUS.
expect() {
  local want=$1
  shift
  local got=0
  "$@" >"$work/last.out" 2>&1 || got=$?
  if [[ $got -ne $want ]]; then
    echo "  expected exit $want, got $got: $*" >&2
    tail -5 "$work/last.out" >&2
    return 1
  fi
}

# Removes "--bug NAME" from a command line.
without_bug() { sed -E 's/ --bug [^ ]+//g' <<<"$1"; }

count=0
for md in "$dir"/[0-9][0-9]-*.md; do
  name=$(basename "$md" .md)
  count=$((count + 1))
  mapfile -t cmds < <(grep -E '^orrery ' "$md")
  campaign=$(printf '%s\n' "${cmds[@]}" | grep -E '^orrery campaign .*--bug ' | head -1)
  fixed=$(printf '%s\n' "${cmds[@]}" | grep -E '^orrery campaign ' | grep -v -- '--bug ' | head -1)
  shrink=$(printf '%s\n' "${cmds[@]}" | grep -E '^orrery shrink ' | head -1)
  sim=$(printf '%s\n' "${cmds[@]}" | grep -E '^orrery sim .*--bug ' | head -1)
  html=$(printf '%s\n' "${cmds[@]}" | grep -E '^orrery trace html ' | head -1)
  for what in campaign fixed shrink sim html; do
    [[ -n ${!what} ]] || fail "$name: no '$what' command"
  done
  [[ -n $campaign && -n $fixed && -n $shrink && -n $sim && -n $html ]] || continue
  if [[ $fixed != "$(without_bug "$campaign" | sed -E 's|--out ([^ ]+)|--out \1-fixed|')" ]]; then
    fail "$name: the campaign without the switch is not the same campaign"
  fi
  echo "== $name"
  # shellcheck disable=SC2086  # The commands are split into words on purpose.
  expect 1 "$orrery" ${campaign#orrery } || fail "$name: the campaign with the switch does not fail"
  grep -q 'FAILED' "$work/last.out" || fail "$name: the campaign names no failing seed"
  # shellcheck disable=SC2086
  expect 0 "$orrery" ${fixed#orrery } || fail "$name: the campaign without the switch fails"
  # shellcheck disable=SC2086
  if expect 0 "$orrery" ${shrink#orrery }; then
    smallest=$(sed -n 's/^smallest: //p' "$work/last.out")
    want=$(sed -E 's/ --(trace|history) [^ ]+//g' <<<"$sim")
    [[ $smallest == "$want" ]] || fail "$name: shrink now gives '$smallest', the exercise says '$want'"
  else
    fail "$name: orrery shrink failed"
  fi
  # shellcheck disable=SC2086
  expect 1 "$orrery" ${sim#orrery } || fail "$name: the smallest run with the switch does not fail"
  # shellcheck disable=SC2086
  expect 0 "$orrery" $(without_bug "${sim#orrery }") || fail "$name: the smallest run fails without the switch"
  # shellcheck disable=SC2086
  expect 0 "$orrery" ${html#orrery } || fail "$name: orrery trace html failed"
  page=$(sed -E 's/.* -o ([^ ]+).*/\1/' <<<"$html")
  [[ -s $page ]] || fail "$name: no page $page"
done

(( count >= 8 )) || fail "only $count exercises in $dir"
if (( failures )); then
  echo "$failures failure(s) in $count exercises" >&2
  exit 1
fi
echo "all $count exercises fail with their switch and pass without it"
