"""Tests of orrery_trace.py on traces and histories the test makes with the orrery binary.

Run: /usr/bin/python3 notebooks/test_orrery_trace.py BUILD/tools/orrery (ctest: notebooks_module).
Without matplotlib/pandas (Debian's python3-matplotlib, python3-pandas) it exits 77 (skipped).
"""
import os
import sys
import tempfile
import unittest

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd
except ImportError as e:  # pragma: no cover - the ctest entry treats 77 as skipped.
    print(f"skipping: {e}")
    sys.exit(77)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import orrery_trace as ot  # noqa: E402

BINARY = os.environ.get("ORRERY_BINARY", "")
if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
    BINARY = sys.argv.pop(1)
TMP = tempfile.TemporaryDirectory(prefix="orrery-notebooks-test-")


def sim(name, *args, ok=(0,)):
    """Runs `orrery sim` with a trace and a history in TMP; returns (trace, history, stdout)."""
    trace = os.path.join(TMP.name, f"{name}.trace.jsonl")
    hist = os.path.join(TMP.name, f"{name}.history.jsonl")
    _, out = ot.run_orrery(BINARY, "sim", *args, "--trace", trace, "--history", hist, check=ok)
    return trace, hist, out


def synthetic(events):
    rows = [dict(e, t=e["t"]) for e in events]
    df = pd.DataFrame(rows)
    df["t_ms"] = df.t / 1000.0
    return df


class MatchingOnSyntheticTraces(unittest.TestCase):
    def test_a_retransmission_is_drawn_from_its_own_send(self):
        df = synthetic([
            {"t": 0, "node": 1, "kind": "send", "to": 2, "h": "7", "msg": "Heartbeat t1"},
            {"t": 1000, "node": 1, "kind": "drop", "to": 2, "h": "7", "reason": "loss"},
            {"t": 10000, "node": 1, "kind": "send", "to": 2, "h": "7", "msg": "Heartbeat t1"},
            {"t": 12000, "node": 2, "kind": "deliver", "from": 1, "h": "7", "msg": "Heartbeat t1"},
            {"t": 20000, "node": 1, "kind": "send", "to": 2, "h": "7", "msg": "Heartbeat t1"},
            {"t": 23000, "node": 2, "kind": "deliver", "from": 1, "h": "7", "msg": "Heartbeat t1"},
        ])
        m = ot.match_messages(df)
        self.assertEqual(list(m.t_send_ms), [10.0, 20.0])
        self.assertEqual(list(m.t_recv_ms), [12.0, 23.0])

    def test_a_duplicate_shares_its_send_and_a_third_deliver_has_none(self):
        df = synthetic([
            {"t": 0, "node": 1, "kind": "send", "to": 2, "h": "9", "msg": "Append t1"},
            {"t": 0, "node": 1, "kind": "dup", "to": 2, "h": "9"},
            {"t": 3000, "node": 2, "kind": "deliver", "from": 1, "h": "9", "msg": "Append t1"},
            {"t": 5000, "node": 2, "kind": "deliver", "from": 1, "h": "9", "msg": "Append t1"},
            {"t": 6000, "node": 2, "kind": "deliver", "from": 1, "h": "9", "msg": "Append t1"},
        ])
        m = ot.match_messages(df)
        self.assertEqual(list(m.t_send_ms), [0.0, 0.0])

    def test_a_crashed_leader_is_down_until_restart_then_follower(self):
        df = synthetic([
            {"t": 0, "node": 1, "kind": "note", "text": "x"},
            {"t": 0, "node": 2, "kind": "note", "text": "x"},
            {"t": 5000, "node": 1, "kind": "role", "role": "leader", "term": 1},
            {"t": 9000, "node": 1, "kind": "crash", "incarnation": 0},
            {"t": 15000, "node": 1, "kind": "restart", "incarnation": 1},
            {"t": 30000, "node": 1, "kind": "role", "role": "candidate", "term": 2},
        ])
        spans = ot.role_spans(df)
        n1 = spans[spans.node == 1][["role", "start_ms", "end_ms"]].values.tolist()
        self.assertEqual(n1, [["follower", 0.0, 5.0], ["leader", 5.0, 9.0], ["down", 9.0, 15.0],
                              ["follower", 15.0, 30.0]])


@unittest.skipUnless(BINARY, "needs the orrery binary (argument or ORRERY_BINARY)")
class OnRealTraces(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Seed 6 with partitions and crashes: a partition, the leader n4 crashing at about 509 ms,
        # and a first election taking about 25 ms from the first pre-vote (checked below).
        cls.trace, cls.hist, _ = sim("faults", "--seed", "6", "--nodes", "5", "--clients", "3",
                                     "--faults", "partition,crash", "--duration", "3s")
        cls.df = ot.load_trace(cls.trace)
        cls.calm, _, _ = sim("calm", "--seed", "3", "--nodes", "3", "--clients", "2",
                             "--faults", "none", "--duration", "2s")

    def tearDown(self):
        plt.close("all")

    def test_every_deliver_has_its_own_send_and_a_link_delay(self):
        df = ot.load_trace(self.calm)
        m = ot.match_messages(df)
        self.assertEqual(len(m), int((df.kind == "deliver").sum()))
        delay = m.t_recv_ms - m.t_send_ms
        self.assertGreater(delay.min(), 0)
        # Links take 1-10 ms without faults. Matching every heartbeat to the first one made
        # these delays grow with the run (seconds by the end).
        self.assertLess(delay.max(), 20.0)
        heartbeats = m[m.msg.str.startswith("Heartbeat")]
        self.assertGreater(len(heartbeats), 50)
        self.assertEqual(len(set(zip(heartbeats.src, heartbeats.dst, heartbeats.t_send_ms))),
                         len(heartbeats))

    def test_a_crashed_leader_bar_ends_at_its_crash(self):
        spans = ot.role_spans(self.df)
        crashes = self.df[self.df.kind == "crash"]
        led = [(int(c.node), c.t_ms) for c in crashes.itertuples(index=False)
               if ot.role_at(spans, int(c.node), c.t_ms - 1e-3)[0] == "leader"]
        self.assertTrue(led, "the scenario needs a leader that crashes")
        node, t_crash = led[0]
        ax = ot.plot_leader_timeline(self.df)
        bars = [p for p in ax.patches if abs(p.get_y() + p.get_height() / 2 - node) < 1e-9]
        self.assertTrue(bars)
        before = [p for p in bars if p.get_x() < t_crash]
        self.assertAlmostEqual(max(p.get_x() + p.get_width() for p in before), t_crash)
        down = spans[(spans.node == node) & (spans.role == "down")]
        self.assertAlmostEqual(down.start_ms.iloc[0], t_crash)

    def test_the_first_election_window_holds_the_whole_election(self):
        start, end = ot.first_election_window(self.df)
        roles = ot.leader_timeline(self.df)
        first = roles[roles.role == "leader"].iloc[0]
        self.assertLessEqual(start, roles.t_ms.min())
        # The old window (first role change - 30 ms, + 40 ms) ended before this leader.
        self.assertGreater(first.t_ms, roles.t_ms.min() + 10)
        self.assertGreater(end, first.t_ms)
        m = ot.match_messages(self.df)
        votes = m[m.msg.str.startswith("VoteResp") & (m.dst == first.node)
                  & (m.t_recv_ms <= first.t_ms)]
        self.assertTrue(len(votes) >= 2)
        self.assertTrue((votes.t_send_ms >= start).all())
        reached = m[(m.src == first.node) & (m.t_send_ms >= first.t_ms)
                    & m.dst.isin(ot.servers(self.df))].groupby("dst").t_recv_ms.min()
        self.assertEqual(len(reached), 4)
        self.assertTrue((reached <= end).all())

    def test_figure_01_lanes_and_arrows(self):
        start, end = ot.first_election_window(self.df)
        ax = ot.plot_message_diagram(self.df, start, end, max_messages=1000)
        self.assertEqual(len(ax.lines), 5)  # one lane per server
        m = ot.match_messages(self.df)
        srv = ot.servers(self.df)
        expected = m[(m.t_send_ms >= start) & (m.t_send_ms <= end) & m.src.isin(srv)
                     & m.dst.isin(srv)]
        self.assertGreater(len(expected), 10)
        self.assertEqual(len(ax.patches), len(expected))  # one arrow per delivered message
        labels = {t.get_text() for t in ax.texts}
        self.assertIn("Vote", labels)
        self.assertIn("VoteResp", labels)
        self.assertTrue(any(t.startswith("leader t") for t in labels))
        only_votes = ot.plot_message_diagram(self.df, start, end, kinds=["Vote", "VoteResp"],
                                             max_messages=1000)
        self.assertEqual(len(only_votes.patches),
                         int(expected.msg.str.split(" ").str[0].isin(["Vote", "VoteResp"]).sum()))

        ax, tax = ot.plot_roles(self.df)
        spans = ot.role_spans(self.df)
        self.assertEqual(len(ax.patches), len(spans))  # one bar per role span
        self.assertEqual(len(tax.lines), 5)  # one term line per server
        self.assertEqual(set(spans.role), {"follower", "pre-candidate", "candidate", "leader",
                                           "down"})

    def test_figure_02_lanes_commits_and_partitions(self):
        ax = ot.plot_log_matrix(self.df)
        crashes = int((self.df.kind == "crash").sum())
        parts = ot.fault_spans(self.df, "partition")
        self.assertGreaterEqual(len(parts), 1)
        self.assertEqual(len(ax.lines), 5 + crashes)  # a log line per server, a line per crash
        self.assertEqual(len(ax.collections), 5)  # commit markers per server
        self.assertEqual(len(ax.patches), len(parts))  # partition bands
        prog = ot.log_progress(self.df)
        commits = self.df[self.df.kind == "commit"]
        for node in ot.servers(self.df):
            # A node cannot commit what it does not hold (at the end, once the run healed).
            self.assertGreaterEqual(prog[prog.node == node]["last"].iloc[-1],
                                    commits[commits.node == node]["index"].max())

    def test_history_ops_pair_every_call(self):
        hist = ot.load_history(self.hist)
        ops = ot.history_ops(hist)
        self.assertEqual(len(ops), int((hist.type == "invoke").sum()))
        done = ops.dropna(subset=["latency_ms"])
        self.assertTrue((done.latency_ms > 0).all())
        self.assertEqual(set(ops.type) - {"ok", "fail", "info"}, set())

    def test_a_stale_read_verdict_names_operations_of_the_history(self):
        _, hist, out = sim("stale", "--seed", "88", "--nodes", "5", "--clients", "5", "--faults",
                           "partition=flap,drop=0.02,dup=0.02,reorder=0.1,crash,pause,drift=500,"
                           "every=500ms", "--duration", "2812500us", "--bug", "raft.stale-read",
                           ok=(1,))
        v = ot.parse_kv_verdict(out)
        self.assertFalse(v["valid"])
        self.assertIsNotNone(v["key"])
        self.assertGreaterEqual(len(v["ops"]), 2)
        ops = ot.history_ops(ot.load_history(hist))
        for op in v["ops"]:
            row = ops[ops.invoke_index == op["invoke_index"]]
            self.assertEqual(len(row), 1)
            self.assertEqual(int(row.process.iloc[0]), op["process"])
            self.assertEqual(row.key.iloc[0], v["key"])
        ax = ot.plot_history(ops, highlight=[o["invoke_index"] for o in v["ops"]])
        self.assertEqual(len(ax.patches), len(ops))
        self.assertEqual(len(ax.texts), len(v["ops"]))

    def test_elle_cycles_close_and_draw_one_arrow_per_edge(self):
        _, hist, out = sim("skew", "--seed", "1", "--workload", "list-append", "--faults",
                           "partition", "--duration", "2s", "--bug", "mvcc.snapshot-only", ok=(1,))
        cycles = ot.parse_elle_cycles(out)
        self.assertGreaterEqual(len(cycles), 1)
        for c in cycles:
            self.assertEqual(c["edges"][0][0], c["edges"][-1][3])
            ax = ot.plot_cycle(c)
            self.assertEqual(len(ax.patches), len(c["edges"]))
        _, _, fine = sim("ssi", "--seed", "1", "--workload", "list-append", "--faults",
                         "partition", "--duration", "2s")
        self.assertEqual(ot.parse_elle_cycles(fine), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
