#!/usr/bin/python3
"""Checks the translator's system tables against the Cassandra Python driver's own code.

Usage: build/node/node_cql_translate_test '[.dump]' | python3 node/testdata/cql/driver_metadata_check.py

Reads the JSON lines the hidden test case prints (each driver query and what it answered),
decodes every cell with the driver's cqltypes (protocol v4), then runs the driver's
SchemaParserV3 over a fake connection that answers those queries, and prints the keyspaces
and tables the driver would build (as_cql_query), or the exception it raised.
"""
import json
import sys

from cassandra import cqltypes
from cassandra.metadata import SchemaParserV3


def parse_type(name):
    name = name.strip()
    if "<" not in name:
        return cqltypes._cqltypes[name]
    base, inner = name.split("<", 1)
    inner = inner[:-1]
    parts, depth, cur = [], 0, ""
    for ch in inner:
        if ch == "<":
            depth += 1
        if ch == ">":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return cqltypes._cqltypes[base].apply_parameters([parse_type(p) for p in parts])


class FakeResult:
    def __init__(self, entry):
        self.column_names = [c[0] for c in entry["columns"]]
        types = [parse_type(c[1]) for c in entry["columns"]]
        self.parsed_rows = []
        for row in entry["rows"]:
            self.parsed_rows.append(tuple(
                None if cell is None else t.from_binary(bytes.fromhex(cell), 4)
                for t, cell in zip(types, row)))


class QueryError(Exception):
    pass


class FakeConnection:
    def __init__(self, answers):
        self.answers = answers

    def wait_for_responses(self, *msgs, **kwargs):
        out = []
        for m in msgs:
            entry = self.answers.get(m.query)
            if entry is None:
                raise KeyError("not dumped: " + m.query)
            if "error" in entry:
                out.append((False, QueryError(entry["message"])))
            else:
                out.append((True, FakeResult(entry)))
        return out


def main():
    answers = {}
    for line in sys.stdin:
        line = line.strip()
        if line.startswith("{"):
            entry = json.loads(line)
            answers[entry["query"]] = entry
    for q in ["SELECT * FROM system.local WHERE key='local'", "SELECT * FROM system.peers"]:
        r = FakeResult(answers[q])
        for row in r.parsed_rows:
            print(q, "->", dict(zip(r.column_names, row)))
    print("peers_v2:", answers["SELECT * FROM system.peers_v2"].get("message"))
    conn = FakeConnection(answers)
    parser = SchemaParserV3(conn, 10)
    for ks in parser.get_all_keyspaces():
        print("keyspace", ks.name, ks.replication_strategy.export_for_schema())
        for name, table in sorted(ks.tables.items()):
            print(table.export_as_string())
    table = parser.get_table(None, "ks", "kv")
    print("get_table(ks, kv):", table.name, [c.name for c in table.partition_key],
          [c.name for c in table.clustering_key], {n: c.cql_type for n, c in table.columns.items()})


if __name__ == "__main__":
    main()
