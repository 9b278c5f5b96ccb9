// The Orrery trace viewer: draws the model in #trace-data (built by trace/trace_model.cpp and
// serialized by trace/trace_html.cpp) on one canvas. Time runs left to right; one lane per
// node and client. Only what lies in the visible time window is drawn, and dense windows are
// drawn per pixel column, so a trace of 100,000 events stays responsive.
// window.orreryViewer exposes the state to tests (trace html browser test).
(function () {
  'use strict';
  const D = JSON.parse(document.getElementById('trace-data').textContent);
  const N = D.ev.t.length;
  const T = D.ev.t, EL = D.ev.lane, EK = D.ev.kind, EM = D.ev.msg, EF = D.ev.f;
  const M = D.msgs, NM = M.send.length;
  const lanes = D.lanes;
  const kindId = {};
  D.kinds.forEach((k, i) => { kindId[k] = i; });
  const $ = (id) => document.getElementById(id);
  document.getElementById('title').textContent = D.title;

  // ---- time index: events ordered by time (a simulated trace already is) ----
  const ord = new Int32Array(N);
  for (let i = 0; i < N; i++) ord[i] = i;
  let sorted = true;
  for (let i = 1; i < N; i++) if (T[i] < T[i - 1]) { sorted = false; break; }
  if (!sorted) Array.prototype.sort.call(ord, (a, b) => T[a] - T[b] || a - b);
  const tOrd = new Float64Array(N);
  for (let k = 0; k < N; k++) tOrd[k] = T[ord[k]];
  const tMin = N ? tOrd[0] : 0;
  const tMax = N ? Math.max(tOrd[N - 1], tMin + 1) : 1;
  function lowerBound(arr, v) { let lo = 0, hi = arr.length; while (lo < hi) { const m = (lo + hi) >> 1; if (arr[m] < v) lo = m + 1; else hi = m; } return lo; }
  function upperBound(arr, v) { let lo = 0, hi = arr.length; while (lo < hi) { const m = (lo + hi) >> 1; if (arr[m] <= v) lo = m + 1; else hi = m; } return lo; }

  // ---- messages: start/end times, and an index by start time plus a list of long ones ----
  const mStart = new Float64Array(NM), mEnd = new Float64Array(NM);
  for (let j = 0; j < NM; j++) {
    mStart[j] = T[M.send[j]];
    mEnd[j] = M.end[j] >= 0 ? T[M.end[j]] : tMax;
  }
  const mOrd = Array.from({ length: NM }, (_, j) => j).sort((a, b) => mStart[a] - mStart[b] || a - b);
  const mStartOrd = Float64Array.from(mOrd, (j) => mStart[j]);
  const durations = Array.from(mOrd, (j) => mEnd[j] - mStart[j]).sort((a, b) => a - b);
  const shortBound = NM ? Math.max(1, durations[Math.floor(durations.length * 0.99)] * 4) : 1;
  const longMsgs = mOrd.filter((j) => mEnd[j] - mStart[j] > shortBound);

  // ---- per-lane step functions: role/term and commit ----
  const roleSteps = lanes.map(() => []), commitSteps = lanes.map(() => []);
  for (const [ev, lane, role, term] of D.roles) roleSteps[lane].push({ ev, t: ev >= 0 ? T[ev] : tMin, role: D.roleNames[role], term });
  for (const [ev, lane, index] of D.commits) commitSteps[lane].push({ ev, t: ev >= 0 ? T[ev] : tMin, index });
  function stepAt(steps, ev) {
    let lo = 0, hi = steps.length;
    while (lo < hi) { const m = (lo + hi) >> 1; if (steps[m].ev <= ev) lo = m + 1; else hi = m; }
    return lo > 0 ? steps[lo - 1] : null;
  }
  const hasLog = lanes.map(() => false);
  for (const op of D.logops) hasLog[op[1]] = true;
  const logOpEv = Int32Array.from(D.logops, (op) => op[0]);

  // ---- colours ----
  const palette = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#17becf',
                   '#bcbd22', '#7f7f7f', '#d62728', '#393b79', '#637939'];
  const mkColor = (mk) => palette[mk % palette.length];
  const termColors = ['#cfe3ff', '#ffe1c2', '#d5f2d0', '#eadcff', '#ffd6e7', '#d7f3f5', '#f4f1c4', '#e4e4e4'];
  const termColor = (t) => termColors[(t - 1 + termColors.length * 100) % termColors.length];
  const roleFill = { leader: '#ffe39a', candidate: '#d9e9ff', 'pre-candidate': '#edf4ff', learner: '#eeeaf9', down: '#cfcfcf' };

  // ---- filters ----
  const visLane = lanes.map(() => true);
  const visKind = D.kinds.map((k) => k !== 'apply');   // apply doubles commit; off by default.
  const visMk = D.mkinds.map(() => true);
  let vis = new Uint8Array(N);
  function eventVisible(i) {
    if (!visLane[EL[i]] || !visKind[EK[i]]) return false;
    const m = EM[i];
    return m < 0 || visMk[M.mk[m]];
  }
  function recomputeVisible() { for (let i = 0; i < N; i++) vis[i] = eventVisible(i) ? 1 : 0; }
  function messageVisible(j) {
    return visLane[M.from[j]] && visLane[M.to[j]] && visMk[M.mk[j]] && visKind[kindId.send] !== false;
  }
  function addCheck(box, id, text, checked, color, onChange) {
    const label = document.createElement('label');
    const input = document.createElement('input');
    input.type = 'checkbox'; input.checked = checked; input.id = id;
    input.addEventListener('change', () => onChange(input.checked));
    label.appendChild(input);
    if (color) { const s = document.createElement('span'); s.className = 'swatch'; s.style.background = color; label.appendChild(s); }
    label.appendChild(document.createTextNode(text));
    box.appendChild(label);
  }
  function filtersChanged() {
    recomputeVisible();
    if (N && !vis[cursor]) {
      let c = nextVisible(cursor, 1);
      if (c < 0) c = nextVisible(cursor, -1);
      if (c >= 0) cursor = c;
    }
    updateCursor(false);
  }
  const laneCount = {}; const kindCount = D.kinds.map(() => 0); const mkCount = D.mkinds.map(() => 0);
  for (let i = 0; i < N; i++) { laneCount[EL[i]] = (laneCount[EL[i]] || 0) + 1; kindCount[EK[i]]++; }
  for (let j = 0; j < NM; j++) mkCount[M.mk[j]]++;
  lanes.forEach((l, i) => addCheck($('f-nodes'), 'f-node-' + l.name, `${l.name} (${laneCount[i] || 0})`, true, null,
                                   (on) => { visLane[i] = on; filtersChanged(); }));
  D.mkinds.map((k, i) => i).sort((a, b) => D.mkinds[a] < D.mkinds[b] ? -1 : 1).forEach((i) =>
    addCheck($('f-mkinds'), 'f-mk-' + D.mkinds[i], `${D.mkinds[i]} (${mkCount[i]})`, true, mkColor(i),
             (on) => { visMk[i] = on; filtersChanged(); }));
  D.kinds.map((k, i) => i).sort((a, b) => D.kinds[a] < D.kinds[b] ? -1 : 1).forEach((i) =>
    addCheck($('f-kinds'), 'f-kind-' + D.kinds[i], `${D.kinds[i]} (${kindCount[i]})`, visKind[i], null,
             (on) => { visKind[i] = on; filtersChanged(); }));

  // ---- view state ----
  let cursor = 0;
  let view = { t0: tMin, t1: tMax };
  let playing = false, playT = 0, lastFrame = 0;
  const stats = { lanes: 0, arrows: 0, cutArrows: 0, marks: 0, aggregated: false, messagesInWindow: 0, sampled: 1, draws: 0 };
  const canvas = $('timeline');
  const ctx = canvas.getContext('2d');
  const LABEL_W = 168, AXIS_H = 26, LANE_H = 34, RIGHT_PAD = 12;
  let rows = [];   // visible lanes, top to bottom: lane index
  let rowOf = {};  // lane index -> row
  let W = 800, H = 400;

  function laneY(lane) { return AXIS_H + rowOf[lane] * LANE_H + LANE_H / 2; }
  function xOf(t) { return LABEL_W + (t - view.t0) / (view.t1 - view.t0) * (W - LABEL_W - RIGHT_PAD); }
  function tOf(x) { return view.t0 + (x - LABEL_W) / (W - LABEL_W - RIGHT_PAD) * (view.t1 - view.t0); }

  function fmtTime(us) {
    const ms = us / 1000;
    if (Math.abs(ms) >= 1000) return (ms / 1000).toFixed(Math.abs(ms) >= 10000 ? 2 : 3) + 's';
    return ms.toFixed(3) + 'ms';
  }

  function niceStep(span, target) {
    const raw = span / target, p = Math.pow(10, Math.floor(Math.log10(raw)));
    for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
    return 10 * p;
  }

  function resize() {
    const box = $('canvas-box');
    rows = []; rowOf = {};
    lanes.forEach((l, i) => { if (visLane[i]) { rowOf[i] = rows.length; rows.push(i); } });
    W = Math.max(400, box.clientWidth);
    H = AXIS_H + rows.length * LANE_H + 8;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(W * dpr); canvas.height = Math.round(H * dpr);
    canvas.style.height = H + 'px';
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  }

  // ---- drawing ----
  let drawPending = false;
  // A refusal the status line shows ahead of the window's figures until the cursor next moves:
  // kept apart so that a draw already scheduled (the next animation frame) cannot wipe it.
  let notice = '';
  function requestDraw() { if (!drawPending) { drawPending = true; requestAnimationFrame(() => { drawPending = false; draw(); }); } }

  function draw() {
    resize();
    stats.draws++;
    ctx.clearRect(0, 0, W, H);
    ctx.font = '11px system-ui, sans-serif';
    const plotW = W - LABEL_W - RIGHT_PAD;
    // Lanes: role backgrounds, term and commit labels.
    for (let r = 0; r < rows.length; r++) {
      const lane = rows[r], y0 = AXIS_H + r * LANE_H;
      ctx.fillStyle = r % 2 ? '#fbfbfb' : '#ffffff';
      ctx.fillRect(LABEL_W, y0, plotW, LANE_H);
      const steps = roleSteps[lane];
      let lastLabelX = -1e9;
      for (let s = 0; s < steps.length; s++) {
        const a = steps[s].t, b = s + 1 < steps.length ? steps[s + 1].t : tMax;
        if (b < view.t0 || a > view.t1) continue;
        const fill = roleFill[steps[s].role];
        const xa = Math.max(LABEL_W, xOf(a)), xb = Math.min(W - RIGHT_PAD, xOf(b));
        if (fill) { ctx.fillStyle = fill; ctx.fillRect(xa, y0 + 2, Math.max(1, xb - xa), LANE_H - 4); }
        if (steps[s].role === 'down') {
          ctx.strokeStyle = '#aaa'; ctx.beginPath();
          for (let x = xa - (xa % 8); x < xb; x += 8) { ctx.moveTo(Math.max(xa, x), y0 + LANE_H - 2); ctx.lineTo(Math.min(xb, x + 8), y0 + 2); }
          ctx.stroke();
        }
        const lx = Math.max(LABEL_W + 2, xOf(a) + 2);
        if (steps[s].role && lx - lastLabelX > 70 && lx < W - RIGHT_PAD - 20) {
          ctx.fillStyle = '#555';
          ctx.fillText(`t${steps[s].term} ${steps[s].role}`, lx, y0 + 11);
          lastLabelX = lx;
        }
      }
      const cs = commitSteps[lane];
      let lastCx = -1e9;
      const from = Math.max(0, upperStep(cs, view.t0) - 1);
      for (let s = from; s < cs.length && cs[s].t <= view.t1; s++) {
        const x = xOf(cs[s].t);
        if (x < LABEL_W || x - lastCx < 34) continue;
        ctx.fillStyle = '#2b7a2b';
        ctx.fillText(cs[s].index < 0 ? 'c?' : 'c' + cs[s].index, x + 1, y0 + LANE_H - 3);
        lastCx = x;
      }
      ctx.strokeStyle = '#ddd'; ctx.beginPath(); ctx.moveTo(LABEL_W, y0 + LANE_H / 2); ctx.lineTo(W - RIGHT_PAD, y0 + LANE_H / 2); ctx.stroke();
    }
    stats.lanes = rows.length;
    drawFaults();
    drawMessages();
    drawEvents();
    drawAxis();
    drawLabels();
    // The cursor.
    if (N) {
      const x = xOf(T[cursor]);
      if (x >= LABEL_W && x <= W - RIGHT_PAD) {
        ctx.strokeStyle = '#e0301e'; ctx.lineWidth = 1.5;
        ctx.beginPath(); ctx.moveTo(x, AXIS_H - 6); ctx.lineTo(x, H); ctx.stroke(); ctx.lineWidth = 1;
        if (rowOf[EL[cursor]] !== undefined) {
          ctx.beginPath(); ctx.arc(x, laneY(EL[cursor]), 6, 0, 2 * Math.PI); ctx.stroke();
        }
      }
    }
    canvas.dataset.draws = String(stats.draws);
    $('status').textContent = (notice ? notice + ' · ' : '') + `window ${fmtTime(view.t0)} – ${fmtTime(view.t1)} · ${stats.marks} events drawn` +
      (stats.aggregated ? ' (dense: one mark per pixel column; zoom in for single events)' : '') +
      ` · ${stats.arrows} arrows` + (stats.sampled > 1 ? ` (1 in ${stats.sampled} of ${stats.messagesInWindow}; zoom in)` : '') +
      ` · ${stats.cutArrows} dropped`;
  }
  function upperStep(steps, t) { let lo = 0, hi = steps.length; while (lo < hi) { const m = (lo + hi) >> 1; if (steps[m].t <= t) lo = m + 1; else hi = m; } return lo; }

  function drawAxis() {
    ctx.fillStyle = '#f3f1ec'; ctx.fillRect(0, 0, W, AXIS_H);
    const span = view.t1 - view.t0, step = niceStep(span, Math.max(2, (W - LABEL_W) / 110));
    ctx.fillStyle = '#444'; ctx.strokeStyle = '#bbb';
    for (let t = Math.ceil(view.t0 / step) * step; t <= view.t1; t += step) {
      const x = xOf(t);
      ctx.beginPath(); ctx.moveTo(x, AXIS_H - 6); ctx.lineTo(x, AXIS_H); ctx.stroke();
      ctx.fillText(fmtTime(t), x + 2, AXIS_H - 9);
    }
  }

  function drawLabels() {
    ctx.fillStyle = '#f7f6f3'; ctx.fillRect(0, AXIS_H, LABEL_W, H - AXIS_H);
    ctx.strokeStyle = '#ccc'; ctx.beginPath(); ctx.moveTo(LABEL_W - 0.5, 0); ctx.lineTo(LABEL_W - 0.5, H); ctx.stroke();
    for (let r = 0; r < rows.length; r++) {
      const lane = rows[r], y = AXIS_H + r * LANE_H;
      const rs = stepAt(roleSteps[lane], cursor), cs = stepAt(commitSteps[lane], cursor);
      if (rs && rs.role === 'leader') { ctx.fillStyle = '#ffd75e'; ctx.fillRect(2, y + 3, LABEL_W - 6, LANE_H - 6); }
      ctx.fillStyle = '#111'; ctx.font = 'bold 12px system-ui, sans-serif';
      ctx.fillText(lanes[lane].name, 6, y + 15);
      ctx.font = '11px system-ui, sans-serif'; ctx.fillStyle = '#444';
      let info = '';
      if (rs && rs.role) info += `${rs.role} t${rs.term}`;
      else if (rs && rs.role === '') info += '';
      if (cs) info += ` c${cs.index < 0 ? '?' : cs.index}`;
      ctx.fillText(info, 6, y + 28);
    }
  }

  function drawFaults() {
    const simLane = lanes.findIndex((l) => l.node === 0);
    for (const [start, end, what, detail] of D.faults) {
      const a = T[start], b = end >= 0 ? T[end] : tMax;
      if (b < view.t0 || a > view.t1) continue;
      const xa = Math.max(LABEL_W, xOf(a)), xb = Math.min(W - RIGHT_PAD, xOf(b));
      ctx.strokeStyle = 'rgba(214,39,40,0.35)'; ctx.setLineDash([4, 3]);
      ctx.beginPath();
      if (xOf(a) >= LABEL_W) { ctx.moveTo(xOf(a), AXIS_H); ctx.lineTo(xOf(a), H); }
      if (end >= 0 && xOf(b) <= W - RIGHT_PAD) { ctx.moveTo(xOf(b), AXIS_H); ctx.lineTo(xOf(b), H); }
      ctx.stroke(); ctx.setLineDash([]);
      if (simLane >= 0 && rowOf[simLane] !== undefined) {
        const y0 = AXIS_H + rowOf[simLane] * LANE_H;
        ctx.fillStyle = 'rgba(214,39,40,0.13)'; ctx.fillRect(xa, y0 + 14, Math.max(2, xb - xa), LANE_H - 16);
        ctx.fillStyle = '#a11'; ctx.fillText(`${what} ${detail}`.slice(0, Math.max(4, Math.floor((xb - xa) / 6))), xa + 2, y0 + LANE_H - 5);
      }
    }
  }

  function arrowHead(x1, y1, x2, y2) {
    const a = Math.atan2(y2 - y1, x2 - x1), s = 6;
    ctx.beginPath(); ctx.moveTo(x2, y2);
    ctx.lineTo(x2 - s * Math.cos(a - 0.4), y2 - s * Math.sin(a - 0.4));
    ctx.lineTo(x2 - s * Math.cos(a + 0.4), y2 - s * Math.sin(a + 0.4));
    ctx.closePath(); ctx.fill();
  }
  function cross(x, y, s) { ctx.beginPath(); ctx.moveTo(x - s, y - s); ctx.lineTo(x + s, y + s); ctx.moveTo(x + s, y - s); ctx.lineTo(x - s, y + s); ctx.stroke(); }

  function messagesInWindow() {
    const out = [];
    const lo = lowerBound(mStartOrd, view.t0 - shortBound), hi = upperBound(mStartOrd, view.t1);
    for (let k = lo; k < hi; k++) {
      const j = mOrd[k];
      if (mEnd[j] - mStart[j] > shortBound) continue;  // in longMsgs
      if (mEnd[j] >= view.t0 && messageVisible(j)) out.push(j);
    }
    for (const j of longMsgs) if (mStart[j] <= view.t1 && mEnd[j] >= view.t0 && messageVisible(j)) out.push(j);
    return out;
  }

  const MAX_ARROWS = 4000;
  function drawMessages() {
    const list = messagesInWindow();
    stats.messagesInWindow = list.length;
    stats.sampled = Math.max(1, Math.ceil(list.length / MAX_ARROWS));
    stats.arrows = 0; stats.cutArrows = 0;
    const labels = list.length <= 250;
    ctx.lineWidth = 1;
    for (let k = 0; k < list.length; k += stats.sampled) {
      const j = list[k];
      const x1 = xOf(mStart[j]), y1 = laneY(M.from[j]), y2 = laneY(M.to[j]);
      const fate = M.fate[j];
      const color = mkColor(M.mk[j]);
      ctx.strokeStyle = color; ctx.fillStyle = color;
      if (fate === 0) {
        const x2 = xOf(mEnd[j]);
        ctx.globalAlpha = 0.75;
        ctx.beginPath(); ctx.moveTo(x1, y1); ctx.lineTo(x2, y2); ctx.stroke();
        arrowHead(x1, y1, x2, y2);
        ctx.globalAlpha = 1;
        stats.arrows++;
        if (labels && Math.hypot(x2 - x1, y2 - y1) > 70) {
          ctx.fillStyle = color; ctx.fillText(D.mkinds[M.mk[j]], (x1 + x2) / 2 + 3, (y1 + y2) / 2);
        }
      } else {
        // A cut arrow: it stops short of its receiver, where the cross marks the loss.
        const x2 = fate === 1 ? x1 + 16 : fate === 2 ? xOf(mEnd[j]) : Math.min(W, x1 + 40);
        const f = fate === 3 ? 0.5 : 0.6;
        const xm = x1 + (x2 - x1) * f, ym = y1 + (y2 - y1) * f;
        if (fate === 3) ctx.setLineDash([3, 3]);
        ctx.beginPath(); ctx.moveTo(x1, y1); ctx.lineTo(xm, ym); ctx.stroke();
        ctx.setLineDash([]);
        if (fate !== 3) { ctx.strokeStyle = '#d62728'; ctx.lineWidth = 2; cross(xm, ym, 4); ctx.lineWidth = 1; }
        stats.cutArrows++;
        stats.arrows++;
      }
    }
  }

  // Mark priority when several events share a pixel column (higher wins).
  const kindPriority = { crash: 9, restart: 9, fault: 8, heal: 8, role: 7, drop: 6, pause: 6, resume: 6, term: 5,
                         fail: 5, info: 4, commit: 3, ok: 3, invoke: 3, send: 2, deliver: 2, sync: 1, syncdir: 1 };
  const kindPrio = D.kinds.map((k) => kindPriority[k] || 1);
  const kindColor = { crash: '#d62728', restart: '#2ca02c', fault: '#d62728', heal: '#2ca02c', role: '#ff7f0e',
                      drop: '#d62728', pause: '#ff7f0e', resume: '#ff7f0e', term: '#333', commit: '#2b7a2b',
                      apply: '#7fbf7f', invoke: '#1f77b4', ok: '#2ca02c', fail: '#d62728', info: '#ff7f0e',
                      sync: '#9467bd', syncdir: '#9467bd', timer: '#aaa', note: '#888', send: '#555', deliver: '#555' };
  const kColor = D.kinds.map((k) => kindColor[k] || '#888');

  function drawMark(i, x, y) {
    const k = D.kinds[EK[i]];
    const m = EM[i];
    switch (k) {
      case 'send': case 'deliver':
        ctx.fillStyle = m >= 0 ? mkColor(M.mk[m]) : '#555';
        ctx.beginPath(); ctx.arc(x, y, 2.2, 0, 2 * Math.PI); ctx.fill(); break;
      case 'drop': ctx.strokeStyle = '#d62728'; ctx.lineWidth = 1.5; cross(x, y, 3); ctx.lineWidth = 1; break;
      case 'timer': ctx.strokeStyle = '#aaa'; ctx.beginPath(); ctx.moveTo(x, y - 9); ctx.lineTo(x, y - 4); ctx.stroke(); break;
      case 'sync': case 'syncdir': ctx.fillStyle = '#9467bd'; ctx.fillRect(x - 1.5, y + 5, 3, 3); break;
      case 'crash': ctx.strokeStyle = '#d62728'; ctx.lineWidth = 3; cross(x, y, 7); ctx.lineWidth = 1; break;
      case 'restart':
        ctx.fillStyle = '#2ca02c'; ctx.beginPath(); ctx.moveTo(x, y - 8); ctx.lineTo(x + 7, y + 6); ctx.lineTo(x - 7, y + 6); ctx.closePath(); ctx.fill(); break;
      case 'role':
        ctx.fillStyle = '#ff7f0e'; ctx.beginPath(); ctx.moveTo(x, y - 6); ctx.lineTo(x + 5, y); ctx.lineTo(x, y + 6); ctx.lineTo(x - 5, y); ctx.closePath(); ctx.fill(); break;
      case 'term': ctx.strokeStyle = '#333'; ctx.beginPath(); ctx.moveTo(x, y - 7); ctx.lineTo(x, y + 7); ctx.stroke(); break;
      case 'commit': ctx.strokeStyle = '#2b7a2b'; ctx.beginPath(); ctx.moveTo(x, y + 3); ctx.lineTo(x, y + 10); ctx.stroke(); break;
      case 'fault': case 'heal':
        ctx.fillStyle = kColor[EK[i]]; ctx.beginPath(); ctx.moveTo(x - 6, y - 8); ctx.lineTo(x + 6, y - 8); ctx.lineTo(x, y + 2); ctx.closePath(); ctx.fill(); break;
      case 'pause': case 'resume': ctx.fillStyle = '#ff7f0e'; ctx.fillRect(x - 4, y - 6, 3, 12); ctx.fillRect(x + 1, y - 6, 3, 12); break;
      default:
        ctx.fillStyle = kColor[EK[i]]; ctx.beginPath(); ctx.arc(x, y, 3, 0, 2 * Math.PI); ctx.fill();
    }
  }

  const DENSE = 6000;
  function drawEvents() {
    const lo = lowerBound(tOrd, view.t0), hi = upperBound(tOrd, view.t1);
    let count = 0;
    for (let k = lo; k < hi; k++) if (vis[ord[k]]) count++;
    stats.marks = count;
    stats.aggregated = count > DENSE;
    if (!stats.aggregated) {
      for (let k = lo; k < hi; k++) {
        const i = ord[k];
        if (!vis[i]) continue;
        drawMark(i, xOf(T[i]), laneY(EL[i]));
      }
      return;
    }
    // Dense: one mark per (lane, pixel column), the most important kind in it.
    const cols = Math.ceil(W);
    const best = new Int32Array(rows.length * cols).fill(-1);
    for (let k = lo; k < hi; k++) {
      const i = ord[k];
      if (!vis[i]) continue;
      const c = Math.floor(xOf(T[i])), r = rowOf[EL[i]];
      const slot = r * cols + c;
      const b = best[slot];
      if (b < 0 || kindPrio[EK[i]] > kindPrio[EK[b]]) best[slot] = i;
    }
    for (let slot = 0; slot < best.length; slot++) {
      const i = best[slot];
      if (i < 0) continue;
      const c = slot % cols, y = laneY(EL[i]);
      if (kindPrio[EK[i]] >= 6) { drawMark(i, c + 0.5, y); continue; }
      ctx.fillStyle = kColor[EK[i]];
      ctx.fillRect(c, y - 4, 1, 8);
    }
  }

  // ---- logs at the cursor: replay the log ops (with checkpoints for going back) ----
  const CHECK_EVERY = 2048;
  const checkpoints = [];  // checkpoints[k]: logs after k*CHECK_EVERY ops
  let logState = { applied: 0, logs: lanes.map(() => ({ base: 0, baseTerm: 0, terms: [] })) };
  function cloneLogs(logs) { return logs.map((l) => ({ base: l.base, baseTerm: l.baseTerm, terms: l.terms.slice() })); }
  function applyOp(logs, op) {
    const log = logs[op[1]];
    if (op.length > 4) {
      const base = op[4];
      const last = log.base + log.terms.length;
      log.terms = last < base ? [] : log.terms.slice(Math.max(0, base - log.base));
      log.base = base; log.baseTerm = op[5];
    }
    const keep = op[2];
    if (keep < log.base + log.terms.length) log.terms.length = Math.max(0, keep - log.base);
    for (const t of op[3]) log.terms.push(t);
  }
  function logsAt(ev) {
    const target = upperBound(logOpEv, ev);
    if (target < logState.applied) {
      const k = Math.floor(target / CHECK_EVERY);
      if (k > 0 && checkpoints[k]) logState = { applied: k * CHECK_EVERY, logs: cloneLogs(checkpoints[k]) };
      else logState = { applied: 0, logs: lanes.map(() => ({ base: 0, baseTerm: 0, terms: [] })) };
    }
    while (logState.applied < target) {
      applyOp(logState.logs, D.logops[logState.applied]);
      logState.applied++;
      if (logState.applied % CHECK_EVERY === 0 && !checkpoints[logState.applied / CHECK_EVERY]) {
        checkpoints[logState.applied / CHECK_EVERY] = cloneLogs(logState.logs);
      }
    }
    return logState.logs;
  }
  // The log op made by the cursor's event, if any (its new entries are outlined).
  function opAt(ev) { const k = lowerBound(logOpEv, ev); return k < logOpEv.length && logOpEv[k] === ev ? D.logops[k] : null; }

  const LOG_SHOWN = 60;
  function renderLogs() {
    const logs = logsAt(cursor);
    const op = N ? opAt(cursor) : null;
    const box = $('logs');
    box.textContent = '';
    lanes.forEach((l, lane) => {
      if (!visLane[lane] || l.client || l.node === 0) return;
      if (!hasLog[lane] && !roleSteps[lane].some((s) => s.role)) return;
      const log = logs[lane], last = log.base + log.terms.length;
      const rs = stepAt(roleSteps[lane], cursor), cs = stepAt(commitSteps[lane], cursor);
      const commit = cs ? cs.index : 0;
      const row = document.createElement('div');
      row.className = 'log-row'; row.dataset.node = l.name; row.dataset.last = String(last);
      row.dataset.commit = String(commit);
      const head = document.createElement('div'); head.className = 'log-head';
      const role = rs && rs.role ? rs.role : '';
      head.innerHTML = `<b>${l.name}</b> <span class="${role === 'leader' ? 'leader' : role === 'down' ? 'down' : ''}">${role}${rs ? ' t' + rs.term : ''}</span>` +
        ` · commit ${commit < 0 ? '?' : commit} · last ${last}`;
      row.appendChild(head);
      const strip = document.createElement('div'); strip.className = 'entries';
      const first = Math.max(log.base + 1, last - LOG_SHOWN + 1);
      if (log.base > 0) {
        const s = document.createElement('span'); s.className = 'entry snap';
        s.textContent = `snap ${log.base}@${log.baseTerm}`; s.title = 'snapshot: entries up to here are compacted'; strip.appendChild(s);
      }
      if (first > log.base + 1) {
        const s = document.createElement('span'); s.className = 'more'; s.textContent = `… ${first - log.base - 1} earlier`; strip.appendChild(s);
      }
      if (commit >= 0 && commit < first && commit >= log.base && last > 0) strip.appendChild(commitMarker(commit));
      const changedFrom = op && op[1] === lane ? op[2] + 1 : Infinity;
      for (let idx = first; idx <= last; idx++) {
        const term = log.terms[idx - log.base - 1];
        const e = document.createElement('span');
        e.className = 'entry' + (term === 0 ? ' unknown' : '') + (commit >= 0 && idx > commit ? ' uncommitted' : '') + (idx >= changedFrom ? ' changed' : '');
        if (term !== 0) e.style.background = termColor(term);
        e.textContent = String(idx);
        e.title = `entry ${idx}, term ${term === 0 ? 'unknown' : term}${commit >= 0 && idx <= commit ? ', committed' : ''}`;
        e.dataset.term = String(term);
        strip.appendChild(e);
        if (idx === commit) strip.appendChild(commitMarker(commit));
      }
      if (last === 0) { const s = document.createElement('span'); s.className = 'more'; s.textContent = '(empty)'; strip.appendChild(s); }
      row.appendChild(strip);
      box.appendChild(row);
    });
    if (!box.firstChild) box.textContent = 'No Raft log in this trace.';
  }
  function commitMarker(commit) {
    const m = document.createElement('span'); m.className = 'commit-marker'; m.title = `commit index ${commit}`; return m;
  }

  // ---- the event inspector ----
  function renderDetails() {
    const box = $('details');
    box.textContent = '';
    if (!N) { box.textContent = 'The trace is empty.'; return; }
    const i = cursor, f = EF[i];
    let text = `event ${i + 1} of ${N} at ${fmtTime(T[i])} on ${lanes[EL[i]].name}\nkind: ${D.kinds[EK[i]]}\n`;
    for (const key of Object.keys(f)) text += `${key}: ${typeof f[key] === 'string' ? f[key] : JSON.stringify(f[key])}\n`;
    const m = EM[i];
    const pre = document.createElement('div'); box.appendChild(pre);
    if (m >= 0) {
      const fates = ['delivered', 'dropped at the sender', 'dropped on arrival', 'never arrived (in flight at the end)'];
      text += `message: ${lanes[M.from[m]].name} → ${lanes[M.to[m]].name} ${D.mkinds[M.mk[m]]}, ${fates[M.fate[m]]}`;
      if (M.end[m] >= 0) text += ` at ${fmtTime(T[M.end[m]])} (after ${fmtTime(T[M.end[m]] - T[M.send[m]])})`;
      text += '\n';
    }
    const op = opAt(i);
    if (op) text += `log of ${lanes[op[1]].name}: ${op.length > 4 ? `snapshot ${op[4]}@${op[5]}, ` : ''}keeps ≤ ${op[2]}` +
      (op[3].length ? `, then ${op[3].map((t, k) => `${op[2] + 1 + k}@${t || '?'}`).slice(0, 8).join(' ')}${op[3].length > 8 ? ' …' : ''}` : '') + '\n';
    pre.textContent = text;
    if (m >= 0) {
      const addJump = (label, ev) => {
        if (ev < 0 || ev === i) return;
        const b = document.createElement('button'); b.textContent = label;
        b.addEventListener('click', () => setCursor(ev)); box.appendChild(b);
      };
      addJump('go to the send', M.send[m]);
      addJump(M.fate[m] === 0 ? 'go to the delivery' : 'go to the drop', M.end[m]);
    }
  }

  // ---- cursor, stepping, time ----
  function nextVisible(from, dir) {
    for (let i = from + dir; i >= 0 && i < N; i += dir) if (vis[i]) return i;
    return -1;
  }
  function lastVisibleAtOrBefore(t) {
    let k = upperBound(tOrd, t) - 1;
    while (k >= 0 && !vis[ord[k]]) k--;
    return k >= 0 ? ord[k] : -1;
  }
  function firstVisibleAtOrAfter(t) {
    let k = lowerBound(tOrd, t);
    while (k < N && !vis[ord[k]]) k++;
    return k < N ? ord[k] : -1;
  }
  function updateCursor(follow) {
    if (N && follow) {
      const t = T[cursor], span = view.t1 - view.t0;
      if (t < view.t0 || t > view.t1) { view.t0 = t - span * 0.3; view.t1 = view.t0 + span; clampView(); }
    }
    const label = $('cursor-label');
    label.textContent = N ? `#${cursor + 1}/${N} ${fmtTime(T[cursor])}` : 'empty trace';
    label.dataset.event = String(cursor);
    label.dataset.t = N ? String(T[cursor]) : '0';
    if (!playing && N) $('slider').value = String(T[cursor]);
    renderDetails();
    renderLogs();
    requestDraw();
  }
  // A step, jump or click while playing moves the playhead too (else the next frame would put
  // the cursor back where the playhead was).
  function setCursor(i, follow = true) {
    if (i >= 0 && i < N) { notice = ''; cursor = i; if (playing) playT = T[i]; updateCursor(follow); }
  }
  function step(n) {
    let c = cursor;
    for (let k = 0; k < Math.abs(n); k++) { const d = nextVisible(c, n > 0 ? 1 : -1); if (d < 0) break; c = d; }
    setCursor(c);
  }
  function clampView() {
    const span = Math.min(view.t1 - view.t0, (tMax - tMin) * 1.2 + 1000);
    const pad = (tMax - tMin) * 0.1 + 100;
    if (view.t0 < tMin - pad) view.t0 = tMin - pad;
    view.t1 = view.t0 + span;
    if (view.t1 > tMax + pad) { view.t1 = tMax + pad; view.t0 = view.t1 - span; }
  }
  function zoom(factor, atX) {
    const t = atX === undefined ? (N ? T[cursor] : (view.t0 + view.t1) / 2) : tOf(atX);
    const span = Math.max(20, (view.t1 - view.t0) * factor);
    const frac = (t - view.t0) / (view.t1 - view.t0);
    view.t0 = t - span * frac; view.t1 = view.t0 + span;
    clampView(); requestDraw();
  }
  function parseTime(text) {
    const m = /^\s*([0-9]*\.?[0-9]+)\s*(us|µs|ms|s)?\s*$/.exec(text);
    if (!m) return null;
    const v = parseFloat(m[1]), unit = m[2] || 'ms';
    return Math.round(v * (unit === 's' ? 1e6 : unit === 'ms' ? 1e3 : 1));
  }
  function refuse(text) { notice = text; $('status').textContent = text; requestDraw(); return false; }
  function jump(text) {
    const t = parseTime(text);
    if (t === null) return refuse(`bad time '${text}' (want e.g. 1.5s, 250ms or 1200us)`);
    const i = firstVisibleAtOrAfter(t);
    if (i < 0) return refuse(`no event at or after ${fmtTime(t)}`);
    setCursor(i);
    return true;
  }
  function setPlaying(on) {
    playing = on && N > 0;
    $('play').textContent = playing ? '❚❚ pause' : '▶ play';
    if (playing) {
      playT = T[cursor]; lastFrame = performance.now();
      requestAnimationFrame(tick);
    }
  }
  function tick(now) {
    if (!playing) return;
    const speed = parseFloat($('speed').value);  // virtual µs per wall second
    playT += (now - lastFrame) / 1000 * speed;
    lastFrame = now;
    const i = lastVisibleAtOrBefore(playT);
    if (i >= 0 && i !== cursor) { cursor = i; updateCursor(false); }
    const span = view.t1 - view.t0;
    if (playT > view.t1 - span * 0.1 || playT < view.t0) { view.t0 = playT - span * 0.3; view.t1 = view.t0 + span; clampView(); requestDraw(); }
    $('slider').value = String(playT);
    if (playT >= tMax) { setPlaying(false); return; }
    requestAnimationFrame(tick);
  }

  // ---- wiring ----
  const slider = $('slider');
  slider.min = String(tMin); slider.max = String(tMax); slider.step = '1';
  slider.addEventListener('input', () => {
    const t = parseFloat(slider.value);
    let i = lastVisibleAtOrBefore(t);
    if (i < 0) i = firstVisibleAtOrAfter(t);
    if (i >= 0) setCursor(i);
    if (playing) playT = t;
  });
  $('first').addEventListener('click', () => { const i = nextVisible(-1, 1); if (i >= 0) setCursor(i); });
  $('last').addEventListener('click', () => { const i = nextVisible(N, -1); if (i >= 0) setCursor(i); });
  $('prev').addEventListener('click', () => step(-1));
  $('next').addEventListener('click', () => step(1));
  $('play').addEventListener('click', () => setPlaying(!playing));
  $('go').addEventListener('click', () => jump($('jump').value));
  $('jump').addEventListener('keydown', (e) => { if (e.key === 'Enter') jump($('jump').value); });
  $('zoom-in').addEventListener('click', () => zoom(0.5));
  $('zoom-out').addEventListener('click', () => zoom(2));
  $('fit').addEventListener('click', () => { view = { t0: tMin, t1: tMax }; requestDraw(); });
  document.addEventListener('keydown', (e) => {
    // Keys typed into the time box or the speed menu are theirs.
    if (e.target.tagName === 'SELECT' || (e.target.tagName === 'INPUT' && e.target.type !== 'checkbox' && e.target.type !== 'range')) return;
    if (e.key === 'ArrowRight') { step(e.shiftKey ? 10 : 1); e.preventDefault(); }
    else if (e.key === 'ArrowLeft') { step(e.shiftKey ? -10 : -1); e.preventDefault(); }
    else if (e.key === 'Home') $('first').click();
    else if (e.key === 'End') $('last').click();
    else if (e.key === ' ') { setPlaying(!playing); e.preventDefault(); }
    else if (e.key === '+' || e.key === '=') zoom(0.5);
    else if (e.key === '-') zoom(2);
  });
  canvas.addEventListener('wheel', (e) => { e.preventDefault(); zoom(e.deltaY > 0 ? 1.25 : 0.8, e.offsetX); }, { passive: false });
  let drag = null;
  canvas.addEventListener('mousedown', (e) => { drag = { x: e.clientX, t0: view.t0, t1: view.t1, moved: false }; });
  window.addEventListener('mousemove', (e) => {
    if (!drag) return;
    const dx = e.clientX - drag.x;
    if (Math.abs(dx) > 3) drag.moved = true;
    if (!drag.moved) return;
    const dt = dx / (W - LABEL_W - RIGHT_PAD) * (drag.t1 - drag.t0);
    view.t0 = drag.t0 - dt; view.t1 = drag.t1 - dt; clampView(); requestDraw();
  });
  window.addEventListener('mouseup', (e) => {
    if (drag && !drag.moved) pick(e.offsetX, e.offsetY, e.target === canvas);
    drag = null;
  });
  // Clicking selects the nearest visible event on the clicked lane (within 6 pixels).
  function pick(x, y, onCanvas) {
    if (!onCanvas || x < LABEL_W || y < AXIS_H) return;
    const r = Math.floor((y - AXIS_H) / LANE_H);
    if (r < 0 || r >= rows.length) return;
    const lane = rows[r];
    const lo = lowerBound(tOrd, tOf(x - 6)), hi = upperBound(tOrd, tOf(x + 6));
    let bestI = -1, bestD = 1e9;
    for (let k = lo; k < hi; k++) {
      const i = ord[k];
      if (!vis[i] || EL[i] !== lane) continue;
      const d = Math.abs(xOf(T[i]) - x);
      if (d < bestD) { bestD = d; bestI = i; }
    }
    if (bestI >= 0) setCursor(bestI, false);
  }
  window.addEventListener('resize', requestDraw);
  $('legend').innerHTML = '<span>● send/deliver (colour = message kind)</span><span>→ delivered</span>' +
    '<span style="color:#d62728">—✕ dropped</span><span>- - in flight</span><span style="color:#d62728">✕ crash</span>' +
    '<span style="color:#2ca02c">▲ restart</span><span style="color:#ff7f0e">◆ role</span><span>| term</span>' +
    '<span style="color:#2b7a2b">c<i>N</i> commit</span><span style="color:#9467bd">■ sync</span><span style="color:#aaa">ˈ timer</span>' +
    '<span style="background:#ffe39a">leader</span> <span style="background:#d9e9ff">candidate</span> <span style="background:#cfcfcf">down</span>' +
    '<span style="color:#a11">red band: nemesis fault</span>';

  recomputeVisible();
  // Start zoomed in on the first 2% of the trace (at least 40 ms): single messages are visible.
  view = { t0: tMin, t1: Math.min(tMax, tMin + Math.max(40000, (tMax - tMin) * 0.02)) };
  const firstVisible = nextVisible(-1, 1);
  cursor = firstVisible >= 0 ? firstVisible : 0;
  updateCursor(false);
  draw();

  window.orreryViewer = {
    data: D, stats, step, setCursor, jump, zoom,
    cursor: () => cursor,
    view: () => ({ t0: view.t0, t1: view.t1 }),
    setView: (t0, t1) => { view = { t0, t1 }; draw(); },
    draw,
    visibleEvents: () => vis.reduce((a, b) => a + b, 0),
  };
})();
