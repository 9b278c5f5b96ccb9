#!/usr/bin/env bash
# The trace viewer in a real browser (issue 17): makes a trace with `orrery sim` (an election and
# faults), writes its page with `orrery trace html` and with `orrery sim --html`, makes a second
# trace of >= 100,000 events, starts headless Chromium with a DevTools port and a temporary
# profile, and runs browser_e2e_test.py against it (page checks, then timings on the big page).
# The screenshot goes to ARTIFACT_DIR/trace-viewer.png. Chromium is killed on every path.
# Exits 77 (ctest SKIP_RETURN_CODE) when Chromium is not installed.
# Usage: browser_e2e_test.sh ORRERY_BINARY ARTIFACT_DIR
set -u
orrery=$1
artifacts=$2
here=$(cd "$(dirname "$0")" && pwd)
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
  echo "SKIP: chromium is not installed (scripts/deps.sh installs it)"
  exit 77
fi
/usr/bin/python3 -c 'import websocket' 2>/dev/null || {
  echo "FAIL: /usr/bin/python3 has no websocket module (scripts/deps.sh installs python3-websocket)"
  exit 1
}
dir=$(mktemp -d)
pid=""
driver=""
cleanup() {
  [ -n "$driver" ] && kill -9 "$driver" 2>/dev/null
  if [ -n "$pid" ]; then kill -9 -- "-$pid" 2>/dev/null || kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; fi
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() { echo "FAIL: $*"; exit 1; }
mkdir -p "$artifacts" || fail "cannot create $artifacts"

# The small run: seed 1 elects a leader, then a partition and a crash hit it.
"$orrery" sim --seed 1 --faults crash,partition --duration 5s --trace "$dir/run.jsonl" \
  --html "$dir/sim.html" > "$dir/sim.out" || { cat "$dir/sim.out"; fail "orrery sim (small run)"; }
grep -q '"kind":"role","role":"leader"' "$dir/run.jsonl" || fail "the small run elects no leader"
grep -q '"kind":"fault","what":"crash"' "$dir/run.jsonl" || fail "the small run has no crash"
grep -q '"kind":"fault","what":"partition"' "$dir/run.jsonl" || fail "the small run has no partition"
"$orrery" trace html "$dir/run.jsonl" -o "$dir/trace.html" > "$dir/html.out" || fail "orrery trace html"
cmp -s "$dir/sim.html" "$dir/trace.html" || fail "orrery sim --html and orrery trace html write different pages"
echo "small run: $(wc -l < "$dir/run.jsonl") events; the two pages are identical"

# The big run: a longer simulation of more than 100,000 events.
"$orrery" sim --seed 7 --faults crash,partition --duration 22s --trace "$dir/big.jsonl" \
  --html "$dir/big.html" > "$dir/big.out" || { cat "$dir/big.out"; fail "orrery sim (big run)"; }
echo "big run: $(wc -l < "$dir/big.jsonl") events, page $(wc -c < "$dir/big.html") bytes"

# Chromium picks a free DevTools port itself and writes it to DevToolsActivePort. setsid gives it
# its own process group, so that cleanup kills the renderers with it.
setsid "$chromium" --headless=new --no-sandbox --disable-gpu --no-first-run --no-default-browser-check \
  --disable-extensions --disable-background-networking --disable-component-update --disable-sync \
  --remote-debugging-address=127.0.0.1 --remote-debugging-port=0 --user-data-dir="$dir/profile" \
  --window-size=1500,950 about:blank > "$dir/chromium.log" 2>&1 &
pid=$!
# If this script is killed with SIGKILL (a ctest timeout), no trap runs: a watcher kills Chromium
# when the script is gone.
( trap '' TERM INT; while kill -0 $$ 2>/dev/null; do sleep 1; done
  kill -9 -- "-$pid" 2>/dev/null; rm -rf "$dir" ) > /dev/null 2>&1 &
port=""
for _ in $(seq 1 200); do
  [ -s "$dir/profile/DevToolsActivePort" ] && port=$(head -1 "$dir/profile/DevToolsActivePort") && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$port" ] || { tail -20 "$dir/chromium.log"; fail "chromium did not open its DevTools port"; }

# In the background, so that a TERM runs the trap at once rather than after the driver ends.
/usr/bin/python3 "$here/browser_e2e_test.py" "$port" "$dir/trace.html" "$dir/run.jsonl" \
  "$dir/big.html" "$dir/big.jsonl" "$artifacts" &
driver=$!
wait "$driver"
rc=$?
driver=""
exit "$rc"
