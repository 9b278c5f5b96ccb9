#!/usr/bin/python3
"""End-to-end test of the CQL front end with the real Cassandra Python driver (Debian's
python3-cassandra): a three-node `orrery cluster start` on free ports, each node serving CQL at
127.0.0.N:PORT (a config.json with "cql" addresses, as `cluster start --cql-port-base` writes
one), then the driver with its DEFAULT options (it offers protocol v66, is refused as by
Cassandra 3.11 and downgrades to v4 by itself, reads system.local/peers and the schema) and
again with schema_metadata_enabled=False: DDL, USE, prepared and simple statements, paging,
pipelined async requests, a BATCH, errors, and a read through another node; and raw frames no
driver sends (a v5 STARTUP, an unknown prepared id, a hostile length) on their own connections. The cluster is
stopped on every path (finally, and on SIGTERM from ctest's timeout).

Usage: cql_e2e_test.py ORRERY_BINARY
"""
import json
import logging
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

from cassandra import InvalidRequest
from cassandra.cluster import Cluster, ExecutionProfile, EXEC_PROFILE_DEFAULT
from cassandra.policies import WhiteListRoundRobinPolicy
from cassandra.protocol import SyntaxException
from cassandra.query import BatchStatement, SimpleStatement

NODES = 3
checks = {"passed": 0, "failed": 0}


def check(name, cond, detail=""):
    if cond:
        checks["passed"] += 1
        print("ok   %s" % name)
    else:
        checks["failed"] += 1
        print("FAIL %s %s" % (name, detail))


def free_ports(n, hosts):
    """n ports free on 127.0.0.1, and the last one free on every host of `hosts` too."""
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for host in hosts:  # The CQL port is bound on each node's own host.
        with socket.socket() as s:
            s.bind((host, ports[-1]))
    for s in socks:
        s.close()
    return ports


def write_config(path):
    hosts = ["127.0.0.%d" % (i + 1) for i in range(NODES)]
    p = free_ports(2 * NODES + 1, hosts[1:])
    nodes = [{"id": i + 1, "peer": "127.0.0.1:%d" % p[i], "client": "127.0.0.1:%d" % p[NODES + i],
              "cql": "%s:%d" % (hosts[i], p[-1])} for i in range(NODES)]
    with open(path, "w") as f:
        json.dump({"nodes": nodes}, f)
    return p[-1]


def connect(port, host="127.0.0.1", retries=50, **kwargs):
    """A connected (cluster, session); the first try may meet a cluster still electing."""
    last = None
    for _ in range(retries):
        cluster = Cluster([host], port=port, connect_timeout=5, **kwargs)
        try:
            return cluster, cluster.connect()
        except Exception as e:  # NoHostAvailable while the leader is elected.
            last = e
            cluster.shutdown()
            time.sleep(0.2)
    raise RuntimeError("could not connect: %r" % (last,))


def until_ok(f, what, tries=50):
    last = None
    for _ in range(tries):
        try:
            return f()
        except Exception as e:
            last = e
            time.sleep(0.2)
    raise RuntimeError("%s never succeeded: %r" % (what, last))


def default_options(port):
    cluster, session = connect(port)
    try:
        check("default options settle on protocol v4", cluster.protocol_version == 4,
              cluster.protocol_version)
        hosts = sorted(str(h.endpoint) for h in cluster.metadata.all_hosts())
        check("the driver found every node from system.peers",
              hosts == ["127.0.0.%d:%d" % (i + 1, port) for i in range(NODES)], hosts)
        local = session.execute("SELECT cluster_name, release_version FROM system.local").one()
        check("system.local answers", local.cluster_name == "orrery", local)

        until_ok(lambda: session.execute(
            "CREATE KEYSPACE IF NOT EXISTS app WITH replication = "
            "{'class': 'SimpleStrategy', 'replication_factor': 3}"), "CREATE KEYSPACE")
        session.execute("USE app")
        check("USE sets the session's keyspace", session.keyspace == "app", session.keyspace)
        session.execute("CREATE TABLE IF NOT EXISTS kv (k int PRIMARY KEY, v text, n bigint)")
        cluster.refresh_schema_metadata()
        table = cluster.metadata.keyspaces["app"].tables.get("kv")
        check("the schema metadata shows the table",
              table is not None and list(table.columns) == ["k", "n", "v"],
              table and list(table.columns))

        insert = session.prepare("INSERT INTO kv (k, v, n) VALUES (?, ?, ?)")
        for k in range(10):
            session.execute(insert, (k, "v%d" % k, k * 1000))
        # Pipelined: many requests in flight on the connections at once.
        futures = [session.execute_async(insert, (k, "v%d" % k, k * 1000)) for k in range(10, 60)]
        for f in futures:
            f.result()
        count = session.execute("SELECT COUNT(*) FROM kv").one()[0]
        check("prepared and pipelined inserts all landed", count == 60, count)

        select = session.prepare("SELECT v, n FROM kv WHERE k = ?")
        row = session.execute(select, (42,)).one()
        check("a prepared SELECT binds and returns typed values",
              row is not None and row.v == "v42" and row.n == 42000, row)

        result = session.execute(SimpleStatement("SELECT k FROM kv", fetch_size=7))
        first_page = len(result.current_rows)
        keys = sorted(r.k for r in result)
        check("paging: a page of fetch_size rows, then the rest on demand",
              first_page == 7 and keys == list(range(60)), (first_page, len(keys)))

        batch = BatchStatement()
        batch.add(insert, (100, "b", 1))
        batch.add(SimpleStatement("INSERT INTO kv (k, v, n) VALUES (101, 'c', 2)"))
        session.execute(batch)
        rows = session.execute("SELECT k FROM kv WHERE k IN (100, 101)")
        check("a BATCH of a prepared and a simple statement", sorted(r.k for r in rows) == [100, 101])

        try:
            session.execute("SELEC nothing")
            check("a syntax error raises SyntaxException", False, "no error")
        except SyntaxException:
            check("a syntax error raises SyntaxException", True)
        try:
            session.execute("SELECT * FROM nope")
            check("an unknown table raises InvalidRequest", False, "no error")
        except InvalidRequest:
            check("an unknown table raises InvalidRequest", True)
        row = session.execute(select, (1,)).one()
        check("the session goes on after errors", row is not None and row.v == "v1", row)
    finally:
        cluster.shutdown()


def frame(stream, opcode, body, version=4):
    return struct.pack(">BBhBi", version, 0, stream, opcode, len(body)) + body


def read_frames(sock, want, timeout=5.0):
    """Up to `want` response frames as (stream, opcode, body), and whether the peer closed."""
    sock.settimeout(timeout)
    data, frames, closed = b"", [], False
    while len(frames) < want:
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            closed = True
            break
        data += chunk
        while len(data) >= 9:
            _, _, stream, opcode, length = struct.unpack(">BBhBi", data[:9])
            if len(data) < 9 + length:
                break
            frames.append((stream, opcode, data[9:9 + length]))
            data = data[9 + length:]
    if not closed and len(frames) >= want:
        try:
            sock.settimeout(0.5)
            closed = sock.recv(1) == b""
        except socket.timeout:
            pass
    return frames, closed


def raw_client(port):
    """Frames a driver never sends: each ends only its own connection."""
    startup = struct.pack(">H", 1) + b"".join(
        struct.pack(">H", len(x)) + x for x in (b"CQL_VERSION", b"3.0.0"))
    with socket.create_connection(("127.0.0.2", port), timeout=5) as s:
        s.sendall(frame(3, 0x01, startup, version=5))
        frames, closed = read_frames(s, 1)
        message = frames[0][2][6:].decode() if frames else ""
        check("a v5 STARTUP gets Cassandra 3.11's refusal on its stream, then close",
              frames and frames[0][:2] == (3, 0x00) and
              message.startswith("Invalid or unsupported protocol version (5)") and closed,
              (frames, closed))
    with socket.create_connection(("127.0.0.2", port), timeout=5) as s:
        unknown = b"\x01" * 16
        execute = struct.pack(">H", 16) + unknown + struct.pack(">HB", 1, 0)
        s.sendall(frame(1, 0x01, startup) + frame(2, 0x0A, execute))
        frames, closed = read_frames(s, 2)
        body = frames[1][2] if len(frames) == 2 else b""
        code = struct.unpack(">i", body[:4])[0] if body else None
        check("EXECUTE of an unknown id answers Unprepared (0x2500) with the id",
              frames and frames[0][1] == 0x02 and code == 0x2500 and body.endswith(unknown)
              and not closed, (frames, closed))
        # A QUERY whose [long string] claims 2 GiB: a protocol error, and this connection ends.
        s.sendall(frame(4, 0x07, struct.pack(">i", 0x7FFFFFFF) + b"abc"))
        frames, closed = read_frames(s, 1)
        code = struct.unpack(">i", frames[0][2][:4])[0] if frames else None
        check("a malformed QUERY gets a protocol error and closes its connection",
              frames and frames[0][0] == 4 and code == 0x000A and closed, (frames, closed))


def other_node(port):
    # schema_metadata_enabled=False, and every request to node 3 only.
    profile = ExecutionProfile(load_balancing_policy=WhiteListRoundRobinPolicy(["127.0.0.3"]))
    cluster, session = connect(port, host="127.0.0.3", schema_metadata_enabled=False,
                               execution_profiles={EXEC_PROFILE_DEFAULT: profile})
    try:
        check("schema_metadata_enabled=False connects on v4", cluster.protocol_version == 4)
        row = session.execute("SELECT v FROM app.kv WHERE k = 7").one()
        check("node 3 reads what node 1 wrote", row is not None and row.v == "v7", row)
        update = session.prepare("UPDATE app.kv SET v = ? WHERE k = ?")
        session.execute(update, ("seven", 7))
        row = session.execute("SELECT v FROM app.kv WHERE k = 7").one()
        check("a prepared UPDATE through node 3", row is not None and row.v == "seven", row)
    finally:
        cluster.shutdown()


def main():
    orrery = sys.argv[1]
    logging.basicConfig(level=logging.ERROR)
    d = tempfile.mkdtemp(prefix="cql-e2e-")
    port = write_config(os.path.join(d, "config.json"))

    def stop(*_):
        raise SystemExit("stopped by a signal")

    signal.signal(signal.SIGTERM, stop)
    try:
        out = subprocess.run([orrery, "cluster", "start", "--dir", d], capture_output=True,
                             text=True, timeout=60)
        print(out.stdout, end="")
        if out.returncode != 0:
            print(out.stderr)
            for i in range(1, NODES + 1):
                subprocess.run(["tail", "-5", os.path.join(d, "n%d.log" % i)])
            raise SystemExit("cluster start exited %d" % out.returncode)
        for i in range(NODES):
            check("start reports n%d's CQL address" % (i + 1),
                  "CQL on 127.0.0.%d:%d" % (i + 1, port) in out.stdout)
        status = subprocess.run([orrery, "cluster", "status", "--dir", d], capture_output=True,
                                text=True, timeout=30).stdout
        check("status lists every CQL address",
              all("127.0.0.%d:%d" % (i + 1, port) in status for i in range(NODES)), status)
        default_options(port)
        raw_client(port)
        other_node(port)  # After the hostile frames: the nodes still serve.
    finally:
        subprocess.run([orrery, "cluster", "stop", "--dir", d], capture_output=True, timeout=60)
        subprocess.run(["rm", "-rf", d])
    print("%d passed, %d failed" % (checks["passed"], checks["failed"]))
    return 0 if checks["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
