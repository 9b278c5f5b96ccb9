#!/usr/bin/python3
"""Drives the trace viewer page in headless Chromium over the Chrome DevTools protocol.

Called by trace/browser_e2e_test.sh, which makes the traces and pages, starts Chromium and kills
it on every path. Usage:
  browser_e2e_test.py PORT SMALL_PAGE SMALL_TRACE BIG_PAGE BIG_TRACE ARTIFACT_DIR

On the small page (a run with an election and faults) it checks that the page loads with no
console error, no exception and no network request; that the lanes and arrows are drawn (the
viewer's stats against the count computed here from the trace); that stepping moves the cursor
to the next shown event and the log panel follows the trace's commit indexes; that the node and
message-kind filters hide what they should; that jump-to-time and the slider land on the right
event; and it writes a screenshot. On the big page (>= 100,000 events) it measures stepping and
jumping with performance.now() in the page and checks that the DOM stays small.
"""
import base64
import json
import os
import statistics
import sys
import time
import urllib.request

import websocket

STEP_MS_LIMIT = 50.0   # a step (cursor move, panels and canvas redrawn) at the 95th percentile
JUMP_MS_LIMIT = 200.0  # a slider jump anywhere in the trace, worst case
DOM_LIMIT = 5000       # elements in the page, whatever the trace's size

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


class Page:
    """One tab, driven over its DevTools websocket; collects the errors it reports."""

    def __init__(self, port):
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10))
        pages = [t for t in targets if t.get("type") == "page"]
        if not pages:
            req = urllib.request.Request(f"http://127.0.0.1:{port}/json/new?about:blank", method="PUT")
            pages = [json.load(urllib.request.urlopen(req, timeout=10))]
        self.ws = websocket.create_connection(pages[0]["webSocketDebuggerUrl"], timeout=60,
                                              suppress_origin=True)
        self.next_id = 0
        self.errors = []
        self.requests = []
        self.loaded = False
        for domain in ("Runtime", "Log", "Page", "Network"):
            self.call(domain + ".enable")
        self.call("Emulation.setDeviceMetricsOverride",
                  width=1500, height=950, deviceScaleFactor=1, mobile=False)

    def _event(self, msg):
        method, p = msg.get("method"), msg.get("params", {})
        if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            self.errors.append("console." + p["type"] + ": " +
                               " ".join(str(a.get("value", a.get("description"))) for a in p.get("args", [])))
        elif method == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            self.errors.append("exception: " + d.get("exception", {}).get("description", d.get("text", "")))
        elif method == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            self.errors.append("log: " + p["entry"].get("text", ""))
        elif method == "Network.requestWillBeSent":
            self.requests.append(p["request"]["url"])
        elif method == "Page.loadEventFired":
            self.loaded = True

    def call(self, method, **params):
        self.next_id += 1
        mid = self.next_id
        self.ws.send(json.dumps({"id": mid, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == mid:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self._event(msg)

    def eval(self, expr):
        r = self.call("Runtime.evaluate", expression=expr, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"evaluating {expr[:80]!r}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def open(self, path):
        self.loaded = False
        self.requests = []
        url = "file://" + os.path.abspath(path)
        start = time.monotonic()
        self.call("Page.navigate", url=url)
        while not self.loaded:
            if time.monotonic() - start > 60:
                raise RuntimeError("the page did not load in 60 s")
            self._event(json.loads(self.ws.recv()))
        # The viewer runs synchronously before the load event; let pending frames run too.
        self.eval("new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)))")
        return url, time.monotonic() - start

    def redraw(self):
        """Draws now (the viewer otherwise draws on the next animation frame)."""
        self.eval("orreryViewer.draw()")


def read_trace(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def expected_arrows(data, view, lanes_shown, kinds_shown):
    """The messages whose arrows lie in the view, from the page's model, computed independently of
    viewer.js: a message spans [its send, its delivery or drop] (or the end of the trace)."""
    t, m = data["ev"]["t"], data["msgs"]
    t_max = max(max(t), min(t) + 1)
    count = 0
    for j in range(len(m["send"])):
        start = t[m["send"][j]]
        end = t[m["end"][j]] if m["end"][j] >= 0 else t_max
        if start > view["t1"] or end < view["t0"]:
            continue
        if m["from"][j] in lanes_shown and m["to"][j] in lanes_shown and data["mkinds"][m["mk"][j]] in kinds_shown:
            count += 1
    return count


def state(page):
    return page.eval("""(() => {
      const V = orreryViewer, s = V.stats;
      const rows = {};
      for (const r of document.querySelectorAll('#logs .log-row'))
        rows[r.dataset.node] = {last: +r.dataset.last, commit: +r.dataset.commit};
      return {cursor: V.cursor(), label: +document.getElementById('cursor-label').dataset.event,
              lanes: s.lanes, arrows: s.arrows, sampled: s.sampled, marks: s.marks, view: V.view(),
              logs: document.getElementById('logs').innerHTML, rows,
              details: document.getElementById('details').textContent,
              dom: document.getElementsByTagName('*').length};
    })()""")


def commit_at(trace, node, ev):
    """The last commit index of `node` at or before event `ev` (0 if none), from the trace."""
    c = 0
    for e in trace[:ev + 1]:
        if e["kind"] == "commit" and e["node"] == node:
            c = e["index"]
    return c


def small_page(page, path, trace_path, artifacts):
    url, secs = page.open(path)
    print(f"small page: loaded in {secs * 1000:.0f} ms")
    trace = read_trace(trace_path)
    data = page.eval("orreryViewer.data")
    n = len(data["ev"]["t"])
    check(n == len(trace), f"the page holds every event of the trace ({n} of {len(trace)})")
    check(data["ev"]["t"] == [e["t"] for e in trace], "the page's events are the trace's, in order")
    check(page.eval("typeof orreryViewer === 'object'"), "window.orreryViewer exists")
    check(all(u == url or u.startswith("data:") for u in page.requests),
          f"the page makes no network request (requests: {sorted(set(page.requests))[:5]})")
    check(page.eval("document.querySelectorAll('script[src], link[href], img[src]').length") == 0,
          "no external script, stylesheet or image")

    # Lanes and arrows.
    page.redraw()
    s = state(page)
    lanes = data["lanes"]
    names = [l["name"] for l in lanes]
    check(s["lanes"] == len(lanes) and len(lanes) >= 5, f"every lane is drawn ({s['lanes']} of {len(lanes)})")
    all_lanes = set(range(len(lanes)))
    shown_kinds = set(data["mkinds"])
    want = expected_arrows(data, s["view"], all_lanes, shown_kinds)
    check(s["sampled"] == 1 and want > 0 and s["arrows"] == want,
          f"the arrows of the window are drawn ({s['arrows']}, expected {want})")
    check(s["marks"] > 0, f"event marks are drawn ({s['marks']})")
    servers = [l["name"] for l in lanes if not l["client"] and l["node"] != 0]
    check(sorted(s["rows"]) == sorted(servers), f"the log panel has a row per server ({sorted(s['rows'])})")
    check(s["label"] == s["cursor"], "the cursor label carries the cursor (data-event)")

    # Stepping: the cursor goes to the next shown event (apply is hidden by default), the
    # label follows, and the log panel changes where the trace commits.
    kinds = [data["kinds"][k] for k in data["ev"]["kind"]]
    before = s
    page.call("Input.dispatchKeyEvent", type="keyDown", key="ArrowRight", code="ArrowRight",
              windowsVirtualKeyCode=39)
    page.call("Input.dispatchKeyEvent", type="keyUp", key="ArrowRight", code="ArrowRight",
              windowsVirtualKeyCode=39)
    after = state(page)
    nxt = next(i for i in range(before["cursor"] + 1, n) if kinds[i] != "apply")
    check(after["cursor"] == nxt and after["label"] == nxt,
          f"the Right arrow key steps to the next shown event ({before['cursor']} -> {after['cursor']}, expected {nxt})")
    check(after["details"] != before["details"], "stepping updates the event panel")
    page.eval("document.getElementById('speed').focus()")
    for type_ in ("keyDown", "keyUp"):
        page.call("Input.dispatchKeyEvent", type=type_, key="ArrowRight", code="ArrowRight",
                  windowsVirtualKeyCode=39)
    page.eval("document.getElementById('speed').blur()")
    check(state(page)["cursor"] == nxt, "the arrow keys in the speed menu do not step")
    first_commit = next(i for i in range(after["cursor"] + 1, n) if kinds[i] == "commit")
    steps = sum(1 for i in range(after["cursor"] + 1, first_commit + 1) if kinds[i] != "apply")
    page.eval(f"orreryViewer.step({steps})")
    at = state(page)
    check(at["cursor"] == first_commit, f"step({steps}) lands on the first commit (event {at['cursor']}, expected {first_commit})")
    check(at["logs"] != after["logs"], "stepping to a commit changes the log panel")
    node = trace[first_commit]["node"]
    check(at["rows"].get(f"n{node}", {}).get("commit") == trace[first_commit]["index"],
          f"the log panel shows n{node}'s commit index {trace[first_commit]['index']} ({at['rows'].get(f'n{node}')})")
    # Further on, every server's commit index in the panel is the trace's.
    mid = n // 2
    page.eval(f"orreryViewer.setCursor({mid})")
    at = state(page)
    for name in servers:
        want_c = commit_at(trace, int(name[1:]), mid)
        check(at["rows"][name]["commit"] == want_c,
              f"at event {mid} the panel shows {name} commit {at['rows'][name]['commit']} (trace: {want_c})")
    page.eval("orreryViewer.step(-1)")
    check(state(page)["cursor"] == max(i for i in range(mid) if kinds[i] != "apply"), "step(-1) goes back one shown event")

    # Filters: a message kind, then a node.
    page.eval(f"orreryViewer.setCursor(0); orreryViewer.setView({min(data['ev']['t'])}, {min(data['ev']['t']) + 400000})")
    s0 = state(page)
    counts = {}
    for j, mk in enumerate(data["msgs"]["mk"]):
        counts[data["mkinds"][mk]] = counts.get(data["mkinds"][mk], 0) + 1
    kind = max(counts, key=counts.get)
    check(s0["arrows"] == expected_arrows(data, s0["view"], all_lanes, shown_kinds),
          f"{s0['arrows']} arrows in 0-400 ms")
    page.eval(f"document.getElementById('f-mk-{kind}').click()")
    page.redraw()
    s1 = state(page)
    want = expected_arrows(data, s1["view"], all_lanes, shown_kinds - {kind})
    check(s1["arrows"] == want and s1["arrows"] < s0["arrows"],
          f"hiding message kind {kind}: {s0['arrows']} -> {s1['arrows']} arrows (expected {want})")
    page.eval(f"document.getElementById('f-mk-{kind}').click()")
    hide = servers[1]
    page.eval(f"document.getElementById('f-node-{hide}').click()")
    page.redraw()
    s2 = state(page)
    lane_set = all_lanes - {names.index(hide)}
    want = expected_arrows(data, s2["view"], lane_set, shown_kinds)
    check(s2["arrows"] == want and s2["arrows"] < s0["arrows"],
          f"hiding node {hide}: {s0['arrows']} -> {s2['arrows']} arrows (expected {want})")
    check(s2["lanes"] == len(lanes) - 1 and hide not in s2["rows"],
          f"hiding node {hide} removes its lane and its log row ({s2['lanes']} lanes)")
    page.eval("orreryViewer.step(200)")
    c = state(page)["cursor"]
    check(lanes[data["ev"]["lane"][c]]["name"] != hide, "stepping skips the hidden node's events")
    page.eval(f"document.getElementById('f-node-{hide}').click()")

    # Jump to a time (the toolbar's box) and the slider.
    t = data["ev"]["t"]
    page.eval("document.getElementById('jump').value = '1.5s'; document.getElementById('go').click()")
    c = state(page)["cursor"]
    want = next(i for i in range(n) if t[i] >= 1500000 and kinds[i] != "apply")
    check(c == want, f"jump to 1.5s lands on the first shown event at or after it (event {c}, expected {want})")
    page.eval("document.getElementById('jump').value = 'soon'; document.getElementById('go').click()")
    page.redraw()  # A draw after the refusal (the next animation frame) must not wipe it.
    check(state(page)["cursor"] == c and "bad time" in page.eval("document.getElementById('status').textContent"),
          "a bad time is refused, stays on the status line through a redraw, and leaves the cursor")
    target = 3000000
    page.eval(f"{{ const s = document.getElementById('slider'); s.value = '{target}';"
              " s.dispatchEvent(new Event('input')); }")
    c = state(page)["cursor"]
    want = max(i for i in range(n) if t[i] <= target and kinds[i] != "apply")
    check(c == want, f"the slider at 3.0s puts the cursor on the last shown event at or before it (event {c}, expected {want})")
    s = state(page)
    check(s["view"]["t0"] <= t[c] <= s["view"]["t1"], "the view follows the cursor after a jump")

    # The first/last buttons, play and pause.
    shown = [i for i in range(n) if kinds[i] != "apply"]
    page.eval("document.getElementById('last').click()")
    check(state(page)["cursor"] == shown[-1], "the last button goes to the last shown event")
    page.eval("document.getElementById('first').click()")
    check(state(page)["cursor"] == shown[0], "the first button goes to the first shown event")
    page.eval("document.getElementById('speed').value = '1000000'; document.getElementById('play').click()")
    page.eval("new Promise((r) => setTimeout(r, 400))")
    played = state(page)["cursor"]
    # A jump while playing takes the playhead along: playing on (slowly) from there, the cursor
    # stays near the jump's target instead of returning to where the playhead was.
    page.eval("document.getElementById('speed').value = '1000'; document.getElementById('first').click()")
    page.eval("new Promise((r) => setTimeout(r, 200))")
    page.eval("document.getElementById('play').click()")
    paused = state(page)["cursor"]
    page.eval("new Promise((r) => setTimeout(r, 200))")
    check(played > shown[0], f"play moves the cursor (to event {played} at {t[played] / 1e6:.3f}s in 0.4 s at 1 s/s)")
    check(t[paused] < t[played], f"a jump while playing moves the playhead (paused at {t[paused] / 1e6:.3f}s)")
    check(state(page)["cursor"] == paused, "pause stops the cursor")
    page.eval("document.getElementById('speed').value = '10000'")

    # A click on the canvas selects the event under it: the fault on the sim lane.
    fault = next(i for i in range(n) if kinds[i] == "fault")
    page.eval(f"orreryViewer.setCursor(0); orreryViewer.setView({t[fault] - 50000}, {t[fault] + 150000})")
    x, y = page.eval(f"""(() => {{
      const c = document.getElementById('timeline'), r = c.getBoundingClientRect(), v = orreryViewer.view();
      const LABEL_W = 168, AXIS_H = 26, LANE_H = 34, RIGHT_PAD = 12;  // as in viewer.js
      const row = orreryViewer.data.lanes.findIndex((l) => l.node === {trace[fault]['node']});
      return [r.left + LABEL_W + ({t[fault]} - v.t0) / (v.t1 - v.t0) * (r.width - LABEL_W - RIGHT_PAD) + 2,
              r.top + AXIS_H + row * LANE_H + LANE_H / 2];
    }})()""")
    for kind_ in ("mousePressed", "mouseReleased"):
        page.call("Input.dispatchMouseEvent", type=kind_, x=x, y=y, button="left", clickCount=1)
    check(state(page)["cursor"] == fault, f"a click on the fault's mark selects it (event {state(page)['cursor']}, expected {fault})")
    check("kind: fault" in state(page)["details"], "the event panel shows the fault")

    # A screenshot, with a fault in view.
    page.eval(f"orreryViewer.setCursor({fault}); orreryViewer.setView({t[fault] - 50000}, {t[fault] + 150000})")
    shot = base64.b64decode(page.call("Page.captureScreenshot", format="png")["data"])
    out = os.path.join(artifacts, "trace-viewer.png")
    with open(out, "wb") as f:
        f.write(shot)
    width, height = int.from_bytes(shot[16:20], "big"), int.from_bytes(shot[20:24], "big")
    check(shot[:8] == b"\x89PNG\r\n\x1a\n" and len(shot) > 10000 and width >= 1000 and height >= 600,
          f"screenshot {out}: {len(shot)} bytes, {width}x{height}")
    check(not page.errors, f"no console error or exception on the small page {page.errors[:5]}")


def big_page(page, path, trace_path):
    with open(trace_path) as f:
        events = sum(1 for line in f if line.strip())
    url, secs = page.open(path)
    n = page.eval("orreryViewer.data.ev.t.length")
    print(f"big page: {n} events, loaded in {secs * 1000:.0f} ms")
    check(n == events and n >= 100000, f"the big trace has >= 100000 events ({n})")
    r = page.eval("""(() => {
      const V = orreryViewer, D = V.data, T = D.ev.t, N = T.length;
      const dom = () => document.getElementsByTagName('*').length;
      let domMax = dom();
      const time = (f) => { const a = performance.now(); f(); V.draw(); return performance.now() - a; };
      // Steps: from the start, from the middle (log panels long by then), at the end.
      const steps = [];
      for (const start of [0, Math.floor(N / 2), N - 300]) {
        V.setCursor(start); V.draw();
        for (let k = 0; k < 100; k++) { steps.push(time(() => V.step(1))); domMax = Math.max(domMax, dom()); }
        for (let k = 0; k < 20; k++) { steps.push(time(() => V.step(-1))); domMax = Math.max(domMax, dom()); }
      }
      // Slider jumps, forward and back across the whole trace.
      const s = document.getElementById('slider'), tMin = T[0], tMax = T[N - 1];
      const jumps = [];
      for (const f of [0.9, 0.1, 0.5, 0.99, 0.01, 0.75, 0.25, 1.0, 0.0, 0.6]) {
        jumps.push(time(() => { s.value = String(tMin + f * (tMax - tMin)); s.dispatchEvent(new Event('input')); }));
        domMax = Math.max(domMax, dom());
      }
      const first = jumps[0];
      // The whole trace in view (dense: drawn per pixel column).
      const fit = time(() => document.getElementById('fit').click());
      const fitMarks = V.stats.marks, fitAggregated = V.stats.aggregated;
      const fitSteps = [];
      for (let k = 0; k < 20; k++) fitSteps.push(time(() => V.step(1)));
      domMax = Math.max(domMax, dom());
      return {steps, jumps, fit, fitSteps, fitMarks, fitAggregated, domMax, canvases: document.querySelectorAll('canvas').length};
    })()""")
    steps = sorted(r["steps"])
    p95 = steps[int(len(steps) * 0.95)]
    fit_steps = sorted(r["fitSteps"])
    print(f"big page: {len(steps)} steps: median {statistics.median(steps):.2f} ms, p95 {p95:.2f} ms, "
          f"max {steps[-1]:.2f} ms")
    print(f"big page: {len(r['jumps'])} slider jumps: median {statistics.median(r['jumps']):.2f} ms, "
          f"max {max(r['jumps']):.2f} ms (first {r['jumps'][0]:.2f} ms)")
    print(f"big page: whole trace in view: draw {r['fit']:.2f} ms ({r['fitMarks']} events, per pixel column: "
          f"{r['fitAggregated']}), steps median {statistics.median(fit_steps):.2f} ms, max {fit_steps[-1]:.2f} ms")
    print(f"big page: at most {r['domMax']} DOM elements, {r['canvases']} canvas")
    check(p95 < STEP_MS_LIMIT, f"a step takes < {STEP_MS_LIMIT:.0f} ms (p95 {p95:.2f} ms)")
    check(max(r["jumps"]) < JUMP_MS_LIMIT, f"a slider jump takes < {JUMP_MS_LIMIT:.0f} ms (max {max(r['jumps']):.2f} ms)")
    check(statistics.median(fit_steps) < STEP_MS_LIMIT * 2,
          f"with the whole trace in view a step takes < {STEP_MS_LIMIT * 2:.0f} ms (median {statistics.median(fit_steps):.2f} ms)")
    check(r["domMax"] < DOM_LIMIT, f"the DOM stays bounded ({r['domMax']} < {DOM_LIMIT} elements)")
    check(not page.errors, f"no console error or exception on the big page {page.errors[:5]}")


def main():
    port, small, small_trace, big, big_trace, artifacts = sys.argv[1:7]
    page = Page(int(port))
    small_page(page, small, small_trace, artifacts)
    big_page(page, big, big_trace)
    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
