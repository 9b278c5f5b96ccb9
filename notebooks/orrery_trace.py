"""Reading Orrery traces and histories, and drawing them.

A trace is JSON Lines (see core/trace.h): one event per line with "t" (microseconds of virtual
time), "node", "kind" and the event's fields. A history is JSON Lines too (jepsen/history.h): one
client event per line with "index", "time", "process", "type" (invoke, ok, fail, info), "f",
"key" and "value". This module turns both into pandas frames and draws the pictures the notebooks
in this folder show:

* a message (Lamport) diagram: one vertical line per node, one arrow per delivered message;
* roles and terms: who was follower, candidate or leader, when, and each node's term;
* the log matrix: each node's last log index over time, commit markers, partitions shaded;
* a client history: one bar per operation from call to completion, the checker's verdict on it;
* Elle cycles as graphs of transactions and dependency edges;
* latency, batch-size and benchmark figures.

Everything here is a plain function so it can be tested (test_orrery_trace.py) and reused from a
script. Server nodes are numbered 1..N; clients are 1000 + process.
"""
import json
import math
import re
import subprocess

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.patches import FancyArrowPatch

CLIENT_BASE = 1000  # Client process p is trace node 1000 + p.
ROLE_COLORS = {"follower": "0.85", "pre-candidate": "tab:olive", "candidate": "tab:purple",
               "leader": "tab:orange", "down": "black"}


# ---------------------------------------------------------------------------------------------
# Loading

def _read_jsonl(path, what):
    rows = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise ValueError(f"{path}:{number}: malformed {what} line: {e}") from None
    return rows


def load_trace(path):
    """Returns the trace at `path` as a DataFrame, one row per event, with t_ms added."""
    rows = _read_jsonl(path, "trace")
    for event in rows:
        if "h" in event:
            event["h"] = str(event["h"])  # 64-bit hashes do not survive float64 columns.
    df = pd.DataFrame(rows)
    if df.empty:
        return df
    df["t_ms"] = df["t"] / 1000.0
    return df


def load_history(path):
    """Returns the history at `path` as a DataFrame, one row per client event, with t_ms added."""
    df = pd.DataFrame(_read_jsonl(path, "history"))
    if not df.empty:
        df["t_ms"] = df["time"] / 1000.0
    return df


def history_ops(hist):
    """Pairs each invoke with its completion (the process's next event).

    Returns one row per operation: process, f, key, value (the call's), result (the completion's
    value), type (ok, fail, info; info when the history ends first), invoke_index,
    complete_index, t_invoke_ms, t_complete_ms (NaN when open) and latency_ms.
    """
    cols = ["process", "f", "key", "value", "result", "type", "invoke_index", "complete_index",
            "t_invoke_ms", "t_complete_ms", "latency_ms"]
    if hist.empty:
        return pd.DataFrame(columns=cols)
    open_ops = {}
    out = []
    for e in hist.to_dict("records"):
        p = e["process"]
        if e["type"] == "invoke":
            assert p not in open_ops, f"process {p} invokes twice at {e['index']}"
            open_ops[p] = e
            continue
        call = open_ops.pop(p, None)
        if call is None:
            continue  # A completion without its call: the history was cut at the front.
        out.append({"process": p, "f": call["f"], "key": call.get("key"), "value": call["value"],
                    "result": e.get("value"), "type": e["type"],
                    "invoke_index": call["index"], "complete_index": e["index"],
                    "t_invoke_ms": call["t_ms"], "t_complete_ms": e["t_ms"],
                    "latency_ms": e["t_ms"] - call["t_ms"]})
    for call in open_ops.values():
        out.append({"process": call["process"], "f": call["f"], "key": call.get("key"),
                    "value": call["value"], "result": None, "type": "info",
                    "invoke_index": call["index"], "complete_index": math.nan,
                    "t_invoke_ms": call["t_ms"], "t_complete_ms": math.nan,
                    "latency_ms": math.nan})
    return pd.DataFrame(out, columns=cols).sort_values("invoke_index").reset_index(drop=True)


def servers(df):
    """The server nodes of a trace (1..N), sorted."""
    if df.empty or "node" not in df:
        return []
    return sorted(int(n) for n in set(df.node) if 0 < n < CLIENT_BASE)


def run_orrery(binary, *args, check=None):
    """Runs `binary args...`; returns (exit status, stdout). `check` lists accepted statuses."""
    proc = subprocess.run([binary, *map(str, args)], capture_output=True, text=True)
    if check is not None and proc.returncode not in check:
        raise RuntimeError(f"{binary} {' '.join(map(str, args))}: exit {proc.returncode}\n"
                           f"{proc.stdout}\n{proc.stderr}")
    return proc.returncode, proc.stdout


# ---------------------------------------------------------------------------------------------
# Messages

MESSAGE_COLUMNS = ["src", "dst", "t_send_ms", "t_recv_ms", "msg"]


def _peer(row, key):
    value = row.get(key)
    return None if value is None or value != value else int(value)  # NaN != NaN.


def match_messages(df):
    """Pairs each deliver with the send it carries.

    A send is one copy in flight from (sender, receiver) with those bytes (hash "h"). A deliver
    takes the oldest copy in flight with its sender, receiver and hash; a drop removes one; a dup
    (the network duplicating a message) adds a copy of the oldest one, sent at the same time.
    Identical bytes are common (heartbeats, retransmissions): each copy is used once, so a
    retransmitted message is drawn from its own send, not from the first one.

    Returns a DataFrame with columns src, dst, t_send_ms, t_recv_ms, msg (one row per deliver
    whose send is in the trace).
    """
    if df.empty or "kind" not in df:
        return pd.DataFrame(columns=MESSAGE_COLUMNS)
    in_flight = {}  # (src, dst, h) -> list of send rows, oldest first.
    out = []
    net = df[df.kind.isin(["send", "deliver", "drop", "dup"])]
    for row in net.to_dict("records"):
        kind = row["kind"]
        if kind == "deliver":
            key = (_peer(row, "from"), int(row["node"]), row.get("h"))
        else:
            key = (int(row["node"]), _peer(row, "to"), row.get("h"))
        if kind == "send":
            in_flight.setdefault(key, []).append(row)
            continue
        queue = in_flight.get(key)
        if not queue:
            continue  # Its send predates the trace (or the event is not about one copy).
        if kind == "dup":
            queue.insert(1, queue[0])
        elif kind == "drop":
            queue.pop(0)
        else:
            sent = queue.pop(0)
            msg = row.get("msg")
            out.append({"src": key[0], "dst": key[1], "t_send_ms": sent["t_ms"],
                        "t_recv_ms": row["t_ms"], "msg": msg if isinstance(msg, str) else ""})
    return pd.DataFrame(out, columns=MESSAGE_COLUMNS)


def plot_message_diagram(df, start_ms=0.0, end_ms=None, max_messages=80, ax=None, kinds=None):
    """Draws a Lamport diagram of the messages sent within [start_ms, end_ms] between servers.

    One vertical lane per server (ax.lines), one arrow per delivered message (ax.patches), from
    its send down to its delivery. `kinds` keeps only messages whose text starts with one of
    these words (e.g. ["PreVote", "Vote", "VoteResp"]). Role changes are written on the lanes.
    """
    msgs = match_messages(df)
    if end_ms is None:
        end_ms = start_ms + 50.0
    nodes = servers(df)
    x = {n: i for i, n in enumerate(nodes)}
    msgs = msgs[(msgs.t_send_ms >= start_ms) & (msgs.t_send_ms <= end_ms)
                & msgs.src.isin(nodes) & msgs.dst.isin(nodes)]
    if kinds is not None:
        msgs = msgs[msgs.msg.str.split(" ").str[0].isin(kinds)]
    msgs = msgs.head(max_messages)
    if ax is None:
        _, ax = plt.subplots(figsize=(2 + 1.6 * len(nodes), 8))
    for n in nodes:
        ax.axvline(x[n], color="0.8", zorder=0)
    for m in msgs.itertuples(index=False):
        ax.add_patch(FancyArrowPatch((x[m.src], m.t_send_ms), (x[m.dst], m.t_recv_ms),
                                     arrowstyle="->", mutation_scale=8, lw=0.8,
                                     color="tab:blue"))
        if m.msg:
            ax.text((x[m.src] + x[m.dst]) / 2, (m.t_send_ms + m.t_recv_ms) / 2,
                    m.msg.split(" ")[0], fontsize=6, ha="center", color="tab:blue", clip_on=True)
    if "kind" in df:
        roles = df[(df.kind == "role") & (df.t_ms >= start_ms) & (df.t_ms <= end_ms)]
        for r in roles.itertuples(index=False):
            if int(r.node) in x:
                ax.text(x[int(r.node)] + 0.05, r.t_ms, f"{r.role} t{int(r.term)}", fontsize=7,
                        color=ROLE_COLORS.get(r.role, "k") if r.role != "follower" else "0.4",
                        va="center", clip_on=True)
    ax.set_xticks(range(len(nodes)))
    ax.set_xticklabels([f"n{n}" for n in nodes])
    ax.set_xlim(-0.5, len(nodes) - 0.5)
    ax.set_ylim(end_ms, start_ms)
    ax.set_ylabel("virtual time (ms)")
    ax.set_title("Messages (time flows down)")
    return ax


# ---------------------------------------------------------------------------------------------
# Roles, terms, elections

SPAN_COLUMNS = ["node", "role", "term", "start_ms", "end_ms"]


def leader_timeline(df):
    """Returns one row per (node, role change): node, t_ms, role, term."""
    if df.empty or "kind" not in df:
        return pd.DataFrame(columns=["node", "t_ms", "role", "term"])
    roles = df[df.kind == "role"]
    cols = [c for c in ["node", "t_ms", "role", "term"] if c in roles]
    return roles[cols].reset_index(drop=True)


def role_spans(df):
    """Returns each server's roles as spans: node, role, term, start_ms, end_ms.

    A role lasts until the node's next role change, its crash or the end of the trace. A crashed
    node is "down" until it restarts; it restarts as a follower of the term it had persisted (a
    restart emits no role event). Nodes start as followers of term 0.
    """
    if df.empty or "kind" not in df:
        return pd.DataFrame(columns=SPAN_COLUMNS)
    end = float(df.t_ms.max())
    life = df[df.kind.isin(["role", "crash", "restart", "term"])]
    out = []
    for node in servers(df):
        role, term, since = "follower", 0, 0.0
        for e in life[life.node == node].to_dict("records"):
            kind = e["kind"]
            if kind == "term":  # A new term, maybe without a role change (a higher term seen).
                if role != "down":
                    out.append({"node": node, "role": role, "term": term, "start_ms": since,
                                "end_ms": e["t_ms"]})
                    since = e["t_ms"]
                term = int(e["term"])
                continue
            if kind == "restart":
                if role == "down":
                    out.append({"node": node, "role": "down", "term": term, "start_ms": since,
                                "end_ms": e["t_ms"]})
                    role, since = "follower", e["t_ms"]
                continue
            if role != "down":
                out.append({"node": node, "role": role, "term": term, "start_ms": since,
                            "end_ms": e["t_ms"]})
            if kind == "crash":
                role, since = "down", e["t_ms"]
            elif role != "down":
                role, term, since = e["role"], int(e["term"]), e["t_ms"]
        out.append({"node": node, "role": role, "term": term, "start_ms": since, "end_ms": end})
    spans = pd.DataFrame(out, columns=SPAN_COLUMNS)
    return spans[spans.end_ms > spans.start_ms].reset_index(drop=True)


def plot_leader_timeline(df, ax=None):
    """Draws, per node, the spans during which it was leader, labelled with the term.

    A bar ends when the node steps down or crashes (crashes are drawn as crosses).
    """
    spans = role_spans(df)
    if ax is None:
        _, ax = plt.subplots(figsize=(12, 3))
    for s in spans[spans.role == "leader"].itertuples(index=False):
        ax.barh(s.node, s.end_ms - s.start_ms, left=s.start_ms, color=ROLE_COLORS["leader"])
        ax.text(s.start_ms, s.node, f"t{s.term}", fontsize=7, va="center")
    if "kind" in df:
        for crash in df[df.kind == "crash"].itertuples(index=False):
            ax.plot(crash.t_ms, crash.node, "kx")
    ax.set_yticks(servers(df))
    ax.set_xlabel("virtual time (ms)")
    ax.set_ylabel("node")
    ax.set_title("Leaders by term (x = crash)")
    return ax


def plot_roles(df, ax=None, tax=None):
    """Draws each server's role over time (one lane per server, one bar per span in ax.patches)
    and, on `tax`, each node's term as a step line (one per server in tax.lines).

    Without axes it makes both, the term panel below the roles. Returns (ax, tax).
    """
    spans = role_spans(df)
    if ax is None:
        _, (ax, tax) = plt.subplots(2, 1, figsize=(12, 5), sharex=True,
                                    gridspec_kw={"height_ratios": [3, 2]})
    for s in spans.itertuples(index=False):
        ax.barh(s.node, s.end_ms - s.start_ms, left=s.start_ms, height=0.6,
                color=ROLE_COLORS.get(s.role, "tab:red"))
    ax.set_yticks(servers(df))
    ax.set_yticklabels([f"n{n}" for n in servers(df)])
    ax.set_title("Role over time (grey follower, olive pre-candidate, purple candidate, "
                 "orange leader, black down)")
    if tax is not None:
        for node, rows in spans.groupby("node"):
            xs = list(rows.start_ms) + [rows.end_ms.iloc[-1]]
            ys = list(rows.term) + [rows.term.iloc[-1]]
            tax.step(xs, ys, where="post", label=f"n{node}")
        tax.set_ylabel("term")
        tax.legend(loc="upper left", fontsize=7, ncol=len(servers(df)))
        tax.set_xlabel("virtual time (ms)")
    else:
        ax.set_xlabel("virtual time (ms)")
    return ax, tax


def first_election_window(df, margin_ms=2.0):
    """Returns (start_ms, end_ms) around the first election.

    It starts just before the first node leaves the follower role and ends once the first leader
    has reached every other live server: the last first delivery, after its election, of a
    message from the leader to each peer. The old fixed 40 ms window cut elections with slow
    links or split votes before the leader was known.
    """
    roles = leader_timeline(df)
    if roles.empty:
        return 0.0, float(df.t_ms.max()) if not df.empty else 0.0
    start = max(0.0, float(roles.t_ms.min()) - margin_ms)
    leaders = roles[roles.role == "leader"]
    if leaders.empty:
        return start, float(df.t_ms.max())
    first = leaders.iloc[0]
    elected, leader = float(first.t_ms), int(first.node)
    msgs = match_messages(df)
    after = msgs[(msgs.src == leader) & (msgs.t_send_ms >= elected)
                 & msgs.dst.isin(servers(df))]
    firsts = after.groupby("dst").t_recv_ms.min()
    end = float(firsts.max()) if not firsts.empty else elected
    return start, end + margin_ms


# ---------------------------------------------------------------------------------------------
# Logs and commits

_ENTRY_RE = re.compile(r"^Append t(\d+) prev=(\d+)@\d+ \[([^\]]*)\](?: \((\d+) entries\))?")
_ACK_RE = re.compile(r"^AppendResp t\d+ ok match=(\d+)")
_REJECT_RE = re.compile(r"^AppendResp t\d+ reject prev=\d+ last=(\d+)")


def append_batches(df):
    """Returns one row per Append sent: node, to, t_ms, prev, entries (batch size), last."""
    cols = ["node", "to", "t_ms", "prev", "entries", "last"]
    if df.empty or "msg" not in df:
        return pd.DataFrame(columns=cols)
    sends = df[(df.kind == "send") & df.msg.fillna("").str.startswith("Append t")]
    out = []
    for r in sends.itertuples(index=False):
        m = _ENTRY_RE.match(r.msg)
        if not m:
            continue
        prev = int(m.group(2))
        n = int(m.group(4)) if m.group(4) else len(m.group(3).split())
        out.append({"node": int(r.node), "to": int(r.to), "t_ms": r.t_ms, "prev": prev,
                    "entries": n, "last": prev + n})
    return pd.DataFrame(out, columns=cols)


def log_progress(df):
    """Returns each server's known last log index over time: node, t_ms, last, source.

    Derived from the messages (a trace has no log event): a leader's log reaches the last entry
    it sends ("send"); a follower's reaches the match index it acknowledges ("ack") or the last
    index it reports when it rejects ("reject", which can go down after a truncation).
    """
    cols = ["node", "t_ms", "last", "source"]
    if df.empty or "msg" not in df:
        return pd.DataFrame(columns=cols)
    out = [{"node": b.node, "t_ms": b.t_ms, "last": b.last, "source": "send"}
           for b in append_batches(df).itertuples(index=False) if b.entries > 0]
    resp = df[(df.kind == "send") & df.msg.fillna("").str.startswith("AppendResp")]
    for r in resp.itertuples(index=False):
        ok, rej = _ACK_RE.match(r.msg), _REJECT_RE.match(r.msg)
        if ok:
            out.append({"node": int(r.node), "t_ms": r.t_ms, "last": int(ok.group(1)),
                        "source": "ack"})
        elif rej:
            out.append({"node": int(r.node), "t_ms": r.t_ms, "last": int(rej.group(1)),
                        "source": "reject"})
    prog = pd.DataFrame(out, columns=cols).sort_values(["node", "t_ms"], kind="stable") \
        .reset_index(drop=True)
    # Acknowledgements arrive reordered: an older, smaller match is no news. Only a reject (the
    # follower's own report of its last index) moves the line down.
    known, node_at, lasts = 0, None, []
    for r in prog.itertuples(index=False):
        if r.node != node_at:
            known, node_at = 0, r.node
        known = r.last if r.source == "reject" else max(known, r.last)
        lasts.append(known)
    prog["last"] = lasts
    return prog


def fault_spans(df, what="partition"):
    """Returns the spans of one fault kind: start_ms, end_ms, detail (first fault to its heal)."""
    cols = ["start_ms", "end_ms", "detail"]
    if df.empty or "kind" not in df or "what" not in df:
        return pd.DataFrame(columns=cols)
    end = float(df.t_ms.max())
    out, open_span = [], None
    for e in df[df.kind.isin(["fault", "heal"])].to_dict("records"):
        if e["kind"] == "fault" and e["what"] == what and open_span is None:
            open_span = {"start_ms": e["t_ms"], "detail": e.get("detail", "")}
        elif e["kind"] == "heal" and e["what"] in (what, "all") and open_span is not None:
            out.append({**open_span, "end_ms": e["t_ms"]})
            open_span = None
    if open_span is not None:
        out.append({**open_span, "end_ms": end})
    return pd.DataFrame(out, columns=cols)


def plot_log_matrix(df, ax=None, max_commit_markers=400):
    """Draws each server's last log index over time (one line per server, ax.lines), its commit
    index as markers on the same colour (one collection per server, ax.collections), partitions
    as grey bands (ax.patches) and crashes as crosses."""
    if ax is None:
        _, ax = plt.subplots(figsize=(12, 4))
    for s in fault_spans(df, "partition").itertuples(index=False):
        ax.axvspan(s.start_ms, s.end_ms, color="0.9", zorder=0)
        ax.text(s.start_ms, 0, str(s.detail)[:40], fontsize=6, va="bottom", color="0.4",
                clip_on=True)
    prog = log_progress(df)
    commits = df[df.kind == "commit"] if "kind" in df else df.iloc[0:0]
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, node in enumerate(servers(df)):
        color = colors[i % len(colors)]
        rows = prog[prog.node == node]
        ax.step(list(rows.t_ms), list(rows["last"]), where="post", color=color, lw=1,
                label=f"n{node} log")
        c = commits[commits.node == node]
        step = max(1, len(c) // max_commit_markers)
        ax.scatter(c.t_ms.iloc[::step], c["index"].iloc[::step], s=6, marker="o", color=color,
                   zorder=3)
    if "kind" in df:
        for crash in df[df.kind == "crash"].itertuples(index=False):
            ax.axvline(crash.t_ms, color="k", ls=":", lw=0.8)
    ax.set_xlabel("virtual time (ms)")
    ax.set_ylabel("log index")
    ax.set_title("Log per node (lines: last entry; dots: commit index; grey: partition; "
                 "dotted: crash)")
    ax.legend(loc="upper left", fontsize=7)
    return ax


def plot_commit_progress(df, ax=None):
    """Draws each node's commit index over time."""
    if ax is None:
        _, ax = plt.subplots(figsize=(12, 3))
    if "kind" in df and "index" in df:
        commits = df[df.kind == "commit"]
        for node, rows in commits.groupby("node"):
            ax.step(rows.t_ms, rows["index"], where="post", label=f"n{node}")
        ax.legend(loc="upper left", fontsize=7)
    ax.set_xlabel("virtual time (ms)")
    ax.set_ylabel("commit index")
    ax.set_title("Commit progress")
    return ax


def summary(df):
    """Returns counts of events by kind, as a Series."""
    if df.empty:
        return pd.Series(dtype=int)
    return df.kind.value_counts().sort_index()


# ---------------------------------------------------------------------------------------------
# Checker verdicts

_CONFLICT_RE = re.compile(r"^\s+\[(\d+)\.\.(\d*)\] p(\d+) (.*)$")
_KEY_RE = re.compile(r'^key "([^"]+)" is not linearizable')


def parse_kv_verdict(text):
    """Parses `orrery check --model kv` (or `orrery sim`) output.

    Returns {"valid": bool or None, "key": the first non-linearizable key or None, "ops": list of
    {"invoke_index", "complete_index" (None when open), "process", "text"}} for the operations
    the checker names in its counterexample.
    """
    valid = None
    if re.search(r"^linearizability: valid|^valid", text, re.M):
        valid = True
    if re.search(r"^invalid:|linearizability: invalid", text, re.M):
        valid = False
    key, ops = None, []
    for line in text.splitlines():
        k = _KEY_RE.match(line)
        if k and key is None:
            key = k.group(1)
            continue
        if key is not None and not ops and k:
            break
        m = _CONFLICT_RE.match(line)
        if m and key is not None:
            ops.append({"invoke_index": int(m.group(1)),
                        "complete_index": int(m.group(2)) if m.group(2) else None,
                        "process": int(m.group(3)), "text": m.group(4)})
        elif ops and line.startswith("key "):
            break
    return {"valid": valid, "key": key, "ops": ops}


_CYCLE_RE = re.compile(r"^\s+(T\d+(?: -[a-z]+\([^)]*\)-> T\d+)+)\s*$")
_EDGE_RE = re.compile(r"-([a-z]+)\(([^)]*)\)-> (T\d+)")


def parse_elle_cycles(text):
    """Parses the cycles of `orrery check --model list-append` output.

    Returns a list of {"anomaly", "edges": [(from, kind, key, to), ...]} in the order printed.
    """
    cycles, anomaly = [], None
    for line in text.splitlines():
        head = re.match(r"^([A-Za-z0-9-]+) \(\d+ found", line)
        if head:
            anomaly = head.group(1)
            continue
        m = _CYCLE_RE.match(line)
        if not m:
            continue
        first = re.match(r"\s*(T\d+)", line).group(1)
        edges, at = [], first
        for kind, key, to in _EDGE_RE.findall(m.group(1)):
            edges.append((at, kind, key, to))
            at = to
        cycles.append({"anomaly": anomaly, "edges": edges})
    return cycles


def plot_cycle(cycle, ax=None):
    """Draws one Elle cycle: transactions on a circle (ax.texts), one arrow per dependency edge
    (ax.patches) labelled with its kind and key."""
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4))
    txns = []
    for a, _, _, b in cycle["edges"]:
        for t in (a, b):
            if t not in txns:
                txns.append(t)
    pos = {t: (math.cos(2 * math.pi * i / len(txns) + math.pi / 2),
               math.sin(2 * math.pi * i / len(txns) + math.pi / 2)) for i, t in enumerate(txns)}
    for t, (px, py) in pos.items():
        ax.text(px, py, t, ha="center", va="center", fontsize=10,
                bbox=dict(boxstyle="circle", fc="white", ec="k"))
    colors = {"rw": "tab:red", "wr": "tab:blue", "ww": "tab:green"}
    for a, kind, key, b in cycle["edges"]:
        ax.add_patch(FancyArrowPatch(pos[a], pos[b], connectionstyle="arc3,rad=0.25",
                                     arrowstyle="-|>", mutation_scale=14, shrinkA=18, shrinkB=18,
                                     color=colors.get(kind, "k")))
        mx, my = (pos[a][0] + pos[b][0]) / 2, (pos[a][1] + pos[b][1]) / 2
        ax.text(mx * 1.25 + 0.15 * (pos[b][1] - pos[a][1]),
                my * 1.25 - 0.15 * (pos[b][0] - pos[a][0]), f"{kind}({key})", fontsize=8,
                ha="center", color=colors.get(kind, "k"))
    ax.set_xlim(-1.6, 1.6)
    ax.set_ylim(-1.6, 1.6)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(cycle.get("anomaly") or "cycle")
    return ax


def plot_history(ops, highlight=(), ax=None, title="History", start_ms=None, end_ms=None):
    """Draws a client history: one lane per process, one bar per operation from call to completion
    (green ok, red fail, orange info; ax.patches). Operations whose invoke_index is in `highlight`
    are outlined and labelled."""
    if ax is None:
        _, ax = plt.subplots(figsize=(12, 3))
    highlight = set(highlight)
    colors = {"ok": "tab:green", "fail": "tab:red", "info": "tab:orange"}
    shown = ops
    if start_ms is not None:
        shown = shown[shown.t_complete_ms.fillna(float("inf")) >= start_ms]
    if end_ms is not None:
        shown = shown[shown.t_invoke_ms <= end_ms]
    right = end_ms if end_ms is not None else (ops.t_complete_ms.max() if len(ops) else 0)
    for op in shown.itertuples(index=False):
        stop = op.t_complete_ms if op.t_complete_ms == op.t_complete_ms else right
        hot = op.invoke_index in highlight
        ax.barh(op.process, max(stop - op.t_invoke_ms, 0.2), left=op.t_invoke_ms, height=0.6,
                color=colors.get(op.type, "0.5"), alpha=1.0 if hot else 0.35,
                edgecolor="k" if hot else "none", lw=1.5)
        if hot:
            res = "" if op.result is None else f" -> {op.result}"
            arg = "" if op.value is None else f" {op.value}"
            ax.text(op.t_invoke_ms, op.process + 0.38, f"[{op.invoke_index}] {op.f} "
                    f"{op.key}{arg}{res}", fontsize=7)
    ax.set_yticks(sorted(set(ops.process)))
    ax.set_yticklabels([f"p{p}" for p in sorted(set(ops.process))])
    ax.set_xlabel("virtual time (ms)")
    ax.set_title(title)
    if start_ms is not None or end_ms is not None:
        ax.set_xlim(start_ms, end_ms)
    return ax


def serving_node(df, process, t_invoke_ms, t_complete_ms):
    """Returns (server, t_ms) of the last successful reply delivered to client `process` within
    [t_invoke_ms, t_complete_ms], or (None, None)."""
    client = CLIENT_BASE + int(process)
    d = df[(df.kind == "deliver") & (df.node == client) & (df.t_ms >= t_invoke_ms)
           & (df.t_ms <= t_complete_ms) & df.msg.fillna("").str.contains(r"^Reply c\d+#\d+ ok")]
    if d.empty:
        return None, None
    last = d.iloc[-1]
    return int(last["from"]), float(last.t_ms)


def role_at(spans, node, t_ms):
    """The (role, term) of `node` at `t_ms` according to role_spans, or (None, None)."""
    s = spans[(spans.node == node) & (spans.start_ms <= t_ms) & (spans.end_ms > t_ms)]
    if s.empty:
        return None, None
    return s.iloc[0].role, int(s.iloc[0].term)


# ---------------------------------------------------------------------------------------------
# Performance figures

def parse_sim_summary(text):
    """Parses `orrery sim` output into a dict: ok, failed, info, simulated_s, wall_s, speedup,
    events, verdict lines (dict of checker -> verdict)."""
    out = {"verdicts": {}}
    m = re.search(r"^ops: (\d+) ok, (\d+) failed, (\d+) indeterminate", text, re.M)
    if m:
        out.update(ok=int(m.group(1)), failed=int(m.group(2)), info=int(m.group(3)))
    m = re.search(r"^simulated: ([\d.]+)s in ([\d.]+)s wall \((\d+)x\), (\d+) events", text, re.M)
    if m:
        out.update(simulated_s=float(m.group(1)), wall_s=float(m.group(2)),
                   speedup=int(m.group(3)), events=int(m.group(4)))
    for name, verdict in re.findall(r"^(invariants|liveness|linearizability|list-append "
                                    r"checker|bank checker|set checker): (\S+)", text, re.M):
        out["verdicts"][name] = verdict
    return out


def parse_bench_sim(text):
    """Parses `orrery bench sim` output: events_per_s, x_real_time, seeds_per_minute, ..."""
    out = {}
    m = re.search(r"([\d.]+) simulated s in ([\d.]+) wall s: (\d+)x real time", text)
    if m:
        out.update(standard_sim_s=float(m.group(1)), standard_wall_s=float(m.group(2)),
                   standard_x=int(m.group(3)))
    m = re.search(r"(\d+) events: (\d+) events/s; (\d+) client ops", text)
    if m:
        out.update(events=int(m.group(1)), events_per_s=int(m.group(2)), ops=int(m.group(3)))
    m = re.search(r"(\d+) seeds in ([\d.]+) wall s: (\d+) seeds/minute \((\d+) failed\), "
                  r"(\d+)x real time", text)
    if m:
        out.update(smoke_seeds=int(m.group(1)), seeds_per_minute=int(m.group(3)),
                   smoke_x=int(m.group(5)))
    return out


def parse_bench_storage(text):
    """Parses `orrery bench storage` output: one dict per result line (engine, workload, ops,
    seconds, ops_per_s, us_per_op)."""
    out = []
    for m in re.finditer(r"^(\w+)\s+(\w+)\s+(\d+) ops\s+([\d.]+) s\s+(\d+) ops/s\s+([\d.]+) us/op",
                         text, re.M):
        out.append({"engine": m.group(1), "workload": m.group(2), "ops": int(m.group(3)),
                    "seconds": float(m.group(4)), "ops_per_s": int(m.group(5)),
                    "us_per_op": float(m.group(6))})
    return out


_TXN_RE = re.compile(r"^\s+(T\d+) = p(\d+) (\w+) (\[.*\])\s*$")


def parse_elle_txns(text):
    """Parses the transactions a list-append verdict spells out ("T15 = p1 ok [[...]]").

    Returns {name: {"process", "type", "ops"}} where ops is the completed transaction's value as
    in the history (a list of [f, key, value])."""
    out = {}
    for line in text.splitlines():
        m = _TXN_RE.match(line)
        if m:
            out[m.group(1)] = {"process": int(m.group(2)), "type": m.group(3),
                               "ops": json.loads(m.group(4))}
    return out
