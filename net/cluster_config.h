// ClusterConfig: who the nodes are and where they listen, read from a small JSON file.
//
//   {"nodes": [
//     {"id": 1, "peer": "127.0.0.1:9701", "client": "127.0.0.1:9601"},
//     {"id": 2, "peer": "127.0.0.1:9702", "client": "127.0.0.1:9602", "pg": "127.0.0.1:9802",
//      "cql": "127.0.0.2:9042", "metrics": "127.0.0.1:9802"}
//   ]}
//
// "peer" is where the node accepts other nodes' links; "client" is where it accepts clients;
// the optional "pg" is where `orrery cluster` has it serve PostgreSQL clients (--pg-port), the
// optional "cql" where it serves CQL drivers (--cql-host, --cql-port): a host per node, since
// the Cassandra drivers reach every node of a cluster on one port; the optional "metrics" where it
// serves its metrics over HTTP (--metrics-port, docs/24-metrics.md).
// A cluster of the leaderless mode (node/leaderless_server.h, docs/16) says so at the top level,
// with its replication factor and the consistency level of requests that name none:
//
//   {"mode": "leaderless", "rf": 3, "consistency": "quorum", "nodes": [ ... ]}
//
// Without "mode" a cluster is a Raft cluster, and "rf" and "consistency" are refused there.
// Invariants of a parsed config: at least one node; ids in [1, kFirstClientId); ids unique; every
// address is "host:port" with a non-empty host and a port in [1, 65535] (port 0, "pick one", is
// allowed only when a test builds options by hand, never in a file); in the leaderless mode
// 1 <= rf <= nodes and consistency is one of one, quorum, all, serial.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/types.h"

namespace orrery::net {

struct HostPort {
    std::string host;
    uint16_t port = 0;
};

// Parses "host:port" (an IPv6 host goes in brackets: "[::1]:9701"). kInvalidArgument if malformed.
Result<HostPort> ParseHostPort(std::string_view address);

struct NodeAddresses {
    std::string peer;    // "host:port" of the peer listener.
    std::string client;  // "host:port" of the client listener.
    std::string pg;      // "host:port" of the PostgreSQL listener; empty: none.
    std::string cql;     // "host:port" of the CQL listener; empty: none.
    std::string metrics;  // "host:port" of the metrics endpoint (HTTP); empty: none.
};

enum class ClusterMode : uint8_t { kRaft, kLeaderless };

// "raft" or "leaderless".
std::string_view ClusterModeName(ClusterMode mode);
// Parses "raft" or "leaderless"; kInvalidArgument naming both otherwise.
Result<ClusterMode> ParseClusterMode(std::string_view name);

struct ClusterConfig {
    std::map<NodeId, NodeAddresses> nodes;
    ClusterMode mode = ClusterMode::kRaft;
    uint32_t rf = 3;                    // Leaderless mode: replicas per key.
    std::string consistency = "quorum";  // Leaderless mode: the level of requests naming none.

    // Parses the JSON text above; kInvalidArgument (naming the problem) when it is not valid.
    static Result<ClusterConfig> Parse(std::string_view json);
    // Reads and parses a file; kNotFound/kIOError if unreadable.
    static Result<ClusterConfig> Load(const std::string& path);
    // A config of n nodes on 127.0.0.1: node i at client_base+i-1 and peer_base+i-1, and, when
    // pg_base is not 0, its PostgreSQL port at pg_base+i-1, and when cql_base is not 0, its CQL
    // port at 127.0.0.i:cql_base, and when metrics_base is not 0, its metrics at metrics_base+i-1.
    static ClusterConfig Localhost(int n, uint16_t client_base, uint16_t peer_base,
                                   uint16_t pg_base = 0, uint16_t cql_base = 0,
                                   uint16_t metrics_base = 0);

    // Renders the config as JSON (the format Parse reads), one node per line.
    std::string ToJson() const;
    // The peer addresses of every node, for TcpNetworkOptions::peers.
    std::map<NodeId, std::string> PeerAddresses() const;
    // The client addresses of every node, for a client endpoint.
    std::map<NodeId, std::string> ClientAddresses() const;
};

}  // namespace orrery::net
