"""Reading Orrery traces and drawing them.

A trace is JSON Lines (see core/trace.h): one event per line with "t" (microseconds of virtual
time), "node", "kind" and the event's fields. This module turns a trace into pandas frames and
draws three pictures students use to follow a run:

* a message (Lamport) diagram: one vertical line per node, one arrow per delivered message;
* a term and leader timeline: who led in which term, and when;
* commit progress: each node's commit index over time.

The notebooks in this folder call these functions; they are plain functions so they can be
tested and reused from a script.
"""
import json

import matplotlib.pyplot as plt
import pandas as pd


def load_trace(path):
    """Returns the trace at `path` as a DataFrame, one row per event, with t_ms added."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                event = json.loads(line)
            except json.JSONDecodeError as e:
                raise ValueError(f"{path}:{number}: malformed trace line: {e}") from None
            if "h" in event:
                event["h"] = str(event["h"])  # 64-bit hashes do not survive float64 columns.
            rows.append(event)
    df = pd.DataFrame(rows)
    if df.empty:
        return df
    df["t_ms"] = df["t"] / 1000.0
    return df


def match_messages(df):
    """Pairs each deliver with its send: same sender, receiver and byte hash, first unmatched.

    Returns a DataFrame with columns src, dst, t_send_ms, t_recv_ms, msg.
    """
    if df.empty or "kind" not in df:
        return pd.DataFrame(columns=["src", "dst", "t_send_ms", "t_recv_ms", "msg"])
    def peer(row, key):
        value = row.get(key)
        return None if value is None or value != value else int(value)  # NaN != NaN.

    pending = {}
    out = []
    for row in df.to_dict("records"):
        if row["kind"] == "send":
            key = (int(row["node"]), peer(row, "to"), row.get("h"))
            pending.setdefault(key, []).append(row)
        elif row["kind"] == "deliver":
            key = (peer(row, "from"), int(row["node"]), row.get("h"))
            queue = pending.get(key)
            if queue:
                sent = queue[0]  # Duplicates share the send: keep it for the next copy too.
                msg = row.get("msg")
                out.append({"src": key[0], "dst": key[1], "t_send_ms": sent["t_ms"],
                            "t_recv_ms": row["t_ms"], "msg": msg if isinstance(msg, str) else ""})
    return pd.DataFrame(out, columns=["src", "dst", "t_send_ms", "t_recv_ms", "msg"])


def plot_message_diagram(df, start_ms=0.0, end_ms=None, max_messages=80, ax=None):
    """Draws a Lamport diagram of the messages sent within [start_ms, end_ms]."""
    msgs = match_messages(df)
    if end_ms is None:
        end_ms = start_ms + 50.0
    msgs = msgs[(msgs.t_send_ms >= start_ms) & (msgs.t_send_ms <= end_ms)].head(max_messages)
    nodes = sorted(set(df.loc[df.node > 0, "node"]))
    x = {n: i for i, n in enumerate(nodes)}
    if ax is None:
        _, ax = plt.subplots(figsize=(2 + 1.6 * len(nodes), 8))
    for n in nodes:
        ax.axvline(x[n], color="0.8", zorder=0)
    for m in msgs.itertuples(index=False):
        if m.src not in x or m.dst not in x:
            continue
        ax.annotate("", xy=(x[m.dst], m.t_recv_ms), xytext=(x[m.src], m.t_send_ms),
                    arrowprops=dict(arrowstyle="->", lw=0.8, color="tab:blue"))
        if m.msg:
            ax.text((x[m.src] + x[m.dst]) / 2, (m.t_send_ms + m.t_recv_ms) / 2,
                    m.msg.split(" ")[0], fontsize=6, ha="center", color="tab:blue", clip_on=True)
    ax.set_xticks(range(len(nodes)))
    ax.set_xticklabels([f"n{n}" for n in nodes])
    ax.set_ylim(end_ms, start_ms)
    ax.set_ylabel("virtual time (ms)")
    ax.set_title("Messages (time flows down)")
    return ax


def leader_timeline(df):
    """Returns one row per (node, role change): node, t_ms, role, term."""
    if df.empty or "kind" not in df:
        return pd.DataFrame(columns=["node", "t_ms", "role", "term"])
    roles = df[df.kind == "role"]
    cols = [c for c in ["node", "t_ms", "role", "term"] if c in roles]
    return roles[cols].reset_index(drop=True)


def plot_leader_timeline(df, ax=None):
    """Draws, per node, the spans during which it was leader, labelled with the term."""
    tl = leader_timeline(df)
    if ax is None:
        _, ax = plt.subplots(figsize=(12, 3))
    end = df.t_ms.max() if not df.empty else 0
    for node, rows in tl.groupby("node"):
        rows = rows.sort_values("t_ms")
        for i, r in enumerate(rows.itertuples(index=False)):
            stop = rows.t_ms.iloc[i + 1] if i + 1 < len(rows) else end
            if r.role == "leader":
                ax.barh(node, stop - r.t_ms, left=r.t_ms, color="tab:orange")
                ax.text(r.t_ms, node, f"t{r.term}", fontsize=7, va="center")
    for crash in df[df.kind == "crash"].itertuples(index=False) if "kind" in df else []:
        ax.plot(crash.t_ms, crash.node, "kx")
    ax.set_xlabel("virtual time (ms)")
    ax.set_ylabel("node")
    ax.set_title("Leaders by term (x = crash)")
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
