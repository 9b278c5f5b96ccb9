#!/usr/bin/env python3
"""End-to-end test of the metrics endpoint (`orrery node --metrics-port`, docs/24-metrics.md).

A three-node `orrery cluster start` on free ports, each node serving PostgreSQL and metrics; KV
writes through `orrery kv` and statements through psql (one of them failing); then every node's
GET /metrics is read by a strict parser of the Prometheus text format (below: every line must be
a HELP, a TYPE or a sample; every sample's family is typed before it; histogram buckets are
cumulative and end in +Inf equal to _count), and the expected series must be there with
plausible values. Then `orrery cluster status --metrics`, with every node up and with one killed.
The cluster is stopped on every path.
Usage: metrics_e2e_test.py ORRERY_BINARY
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

NODES = 3
checks = {"passed": 0, "failed": 0}


def check(what, ok, detail=""):
    checks["passed" if ok else "failed"] += 1
    print(("ok   " if ok else "FAIL ") + what + ("" if ok or not detail else ": " + str(detail)[:2000]))


def free_ports(n):
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


# The text format, version 0.0.4, as Prometheus reads it.
NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
VALUE = r"(?:[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[-+]Inf|NaN)"
SAMPLE = re.compile(r"^(%s)(?:\{(%s(?:,%s)*)?\})? (%s)(?: -?[0-9]+)?$" % (NAME, LABEL, LABEL, VALUE))
HELP = re.compile(r"^# HELP (%s) .*$" % NAME)
TYPE = re.compile(r"^# TYPE (%s) (counter|gauge|histogram|summary|untyped)$" % NAME)
LABEL_PAIR = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"')


def parse(text):
    """Returns (types, samples); raises ValueError naming the first bad line."""
    types, samples = {}, []
    for number, line in enumerate(text.split("\n"), 1):
        if line == "":
            continue
        m = TYPE.match(line)
        if m:
            if m.group(1) in types:
                raise ValueError("line %d: second TYPE for %s" % (number, m.group(1)))
            types[m.group(1)] = m.group(2)
            continue
        if HELP.match(line):
            continue
        if line.startswith("#"):
            raise ValueError("line %d: a comment that is neither HELP nor TYPE: %r" % (number, line))
        m = SAMPLE.match(line)
        if not m:
            raise ValueError("line %d: not a sample: %r" % (number, line))
        name, labels, value = m.group(1), dict(LABEL_PAIR.findall(m.group(2) or "")), float(m.group(3))
        family = name
        for suffix in ("_bucket", "_sum", "_count"):
            if name.endswith(suffix) and types.get(name[: -len(suffix)]) == "histogram":
                family = name[: -len(suffix)]
        if family not in types:
            raise ValueError("line %d: sample of %s before its TYPE" % (number, family))
        samples.append((name, labels, value))
    # Histograms: per label set, cumulative buckets ending in +Inf == _count.
    for family, kind in types.items():
        if kind != "histogram":
            continue
        series = {}
        for name, labels, value in samples:
            if name == family + "_bucket":
                key = tuple(sorted((k, v) for k, v in labels.items() if k != "le"))
                series.setdefault(key, []).append((labels["le"], value))
        for key, buckets in series.items():
            counts = [v for _, v in buckets]
            if counts != sorted(counts) or buckets[-1][0] != "+Inf":
                raise ValueError("%s%s: buckets not cumulative or not ending in +Inf" % (family, key))
            total = [v for n, l, v in samples
                     if n == family + "_count" and tuple(sorted(l.items())) == key]
            if total != [buckets[-1][1]]:
                raise ValueError("%s%s: +Inf bucket %s but _count %s" % (family, key, buckets[-1][1], total))
    return types, samples


def value(samples, name, **labels):
    found = [v for n, l, v in samples if n == name and all(l.get(k) == x for k, x in labels.items())]
    return sum(found) if found else None


def get(url, method="GET"):
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode()


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, timeout=60, **kw)


def main():
    orrery = sys.argv[1]
    d = tempfile.mkdtemp(prefix="metrics-e2e-")
    ports = free_ports(4 * NODES)
    nodes = [{"id": i + 1, "peer": "127.0.0.1:%d" % ports[i],
              "client": "127.0.0.1:%d" % ports[NODES + i],
              "pg": "127.0.0.1:%d" % ports[2 * NODES + i],
              "metrics": "127.0.0.1:%d" % ports[3 * NODES + i]} for i in range(NODES)]
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump({"nodes": nodes}, f)
    metrics = [n["metrics"] for n in nodes]

    def stop(*_):
        raise SystemExit("stopped by a signal")

    signal.signal(signal.SIGTERM, stop)
    try:
        out = run([orrery, "cluster", "start", "--dir", d])
        print(out.stdout, end="")
        if out.returncode != 0:
            for i in range(1, NODES + 1):
                subprocess.run(["tail", "-5", os.path.join(d, "n%d.log" % i)])
            raise SystemExit("cluster start exited %d: %s" % (out.returncode, out.stderr))
        for m in metrics:
            check("start reports metrics on " + m, "metrics on " + m in out.stdout)
        # A leader, then work: KV puts and gets, and psql statements, one of them an error.
        for _ in range(100):
            if run([orrery, "cluster", "status", "--dir", d]).returncode == 0:
                break
            time.sleep(0.2)
        for i in range(5):
            r = run([orrery, "kv", "--cluster", d, "put", "k%d" % i, "v%d" % i])
            check("kv put k%d" % i, r.returncode == 0, r.stdout + r.stderr)
        run([orrery, "kv", "--cluster", d, "get", "k1"])
        pg_port = nodes[0]["pg"].split(":")[1]
        psql = ["psql", "-X", "-h", "127.0.0.1", "-p", pg_port, "-U", "orrery", "-d", "orrery", "-q"]
        r = run(psql + ["-c", "CREATE TABLE t (id INT PRIMARY KEY, v TEXT)", "-c",
                        "INSERT INTO t VALUES (1, 'one')"])
        check("psql DDL and DML", r.returncode == 0, r.stderr)
        r = run(psql + ["-c", "SELECT * FROM missing"])
        check("psql reports the unknown table", r.returncode != 0 and "missing" in r.stderr, r.stderr)

        scrapes = []
        for m in metrics:
            status, headers, body = get("http://%s/metrics" % m)
            check("GET %s/metrics is 200" % m, status == 200, status)
            check("content type is the text format 0.0.4",
                  headers.get("Content-Type", "").startswith("text/plain; version=0.0.4"),
                  headers.get("Content-Type"))
            try:
                types, samples = parse(body)
                check("the scrape of %s parses strictly" % m, True)
            except ValueError as e:
                check("the scrape of %s parses strictly" % m, False, e)
                types, samples = {}, []
            scrapes.append((types, samples))
            for family in ("orrery_up", "orrery_raft_term", "orrery_raft_role", "orrery_raft_commit_index",
                           "orrery_raft_applied_index", "orrery_apply_lag_entries",
                           "orrery_requests_total", "orrery_replies_total", "orrery_request_seconds",
                           "orrery_sql_statements_total", "orrery_engine_disk_bytes",
                           "orrery_fsync_seconds", "orrery_connections_total",
                           "orrery_statement_errors_total"):
                check("%s has %s" % (m, family), family in types, sorted(types))
            check("%s is up" % m, value(samples, "orrery_up") == 1)
            check("%s has a term" % m, (value(samples, "orrery_raft_term") or 0) >= 1)
            check("%s synced its disk" % m, (value(samples, "orrery_fsync_seconds_count") or 0) > 0)
            check("%s: applied <= commit" % m,
                  value(samples, "orrery_raft_applied_index") <= value(samples, "orrery_raft_commit_index"))
        leaders = [value(s, "orrery_raft_role", role="leader") for _, s in scrapes]
        check("exactly one node reports itself leader", leaders.count(1) == 1, leaders)
        puts = sum(value(s, "orrery_replies_total", op="put", code="ok") or 0 for _, s in scrapes)
        check("the leader answered the five puts ok", puts >= 5, puts)
        timed = sum(value(s, "orrery_request_seconds_count", op="put") or 0 for _, s in scrapes)
        check("and timed them", timed >= 5, timed)
        first = scrapes[0][1]
        check("node 1 counted its psql connections",
              (value(first, "orrery_connections_total", protocol="pg") or 0) >= 2)
        check("node 1 counted the failed statement",
              (value(first, "orrery_statement_errors_total", protocol="pg") or 0) >= 1)
        check("node 1 counted statements", (value(first, "orrery_statements_total", protocol="pg") or 0) >= 3)

        status, _, _ = get("http://%s/nope" % metrics[0])
        check("an unknown path is 404", status == 404, status)
        status, headers, _ = get("http://%s/metrics" % metrics[0], method="POST")
        check("POST is 405 with Allow", status == 405 and headers.get("Allow") == "GET, HEAD", status)

        r = run([orrery, "cluster", "status", "--metrics", "--dir", d])
        lines = r.stdout.strip().split("\n")
        check("status --metrics exits 0 with every node up", r.returncode == 0, r.stdout + r.stderr)
        check("status --metrics prints a header and a line per node",
              len(lines) == NODES + 1 and lines[0].startswith("node") and
              all(re.match(r"^n%d +yes +(leader|follower) +[0-9]+ " % (i + 1), lines[i + 1])
                  for i in range(NODES)), r.stdout)
        check("status --metrics names one leader", sum(" leader " in l for l in lines) == 1, r.stdout)

        run([orrery, "cluster", "kill", "3", "--dir", d])
        r = run([orrery, "cluster", "status", "--metrics", "--dir", d])
        check("status --metrics exits 1 with a node killed", r.returncode == 1, r.returncode)
        check("and says why for that node",
              re.search(r"^n3 +\(unavailable: no process: not asked\)$", r.stdout, re.M) is not None, r.stdout)
        check("and counts it", "1 of 3 nodes gave no metrics" in r.stderr, r.stderr)
    finally:
        run([orrery, "cluster", "stop", "--dir", d])
        shutil.rmtree(d, ignore_errors=True)
    print("%d passed, %d failed" % (checks["passed"], checks["failed"]))
    return 0 if checks["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
