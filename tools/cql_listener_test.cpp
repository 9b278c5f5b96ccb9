// The topology a CQL node reports (tools/cql_listener.h): host ids, tokens and peers, as pure
// functions of the cluster config, so every node tells the driver the same cluster.
#include "tools/cql_listener.h"

#include <catch2/catch.hpp>

#include <set>

namespace orrery::tools {
namespace {

TEST_CASE("CQL host ids are UUIDs made from the node id", "[tools][cql]") {
    CHECK(CqlHostId(NodeId(1)) == "6f727279-0000-4000-8000-000000000001");
    CHECK(CqlHostId(NodeId(999)) == "6f727279-0000-4000-8000-0000000003e7");
}

TEST_CASE("CQL tokens interleave over the int64 range and never collide", "[tools][cql]") {
    std::set<int64_t> all;
    for (size_t node = 0; node < 5; ++node) {
        auto tokens = CqlTokens(node, 5);
        REQUIRE(tokens.size() == static_cast<size_t>(kCqlTokensPerNode));
        CHECK(tokens == CqlTokens(node, 5));  // Deterministic.
        for (const auto& t : tokens) all.insert(std::stoll(t));
    }
    CHECK(all.size() == 5u * kCqlTokensPerNode);
    CHECK(*all.begin() == std::numeric_limits<int64_t>::min());  // Slot 0.
    CHECK(*all.rbegin() > std::numeric_limits<int64_t>::max() / 2);
}

TEST_CASE("CqlTopology: self from --cql-host, peers from their cql host or else client host",
          "[tools][cql]") {
    net::ClusterConfig config = net::ClusterConfig::Localhost(3, 9601, 9701, 0, 9042);
    config.nodes.at(NodeId(3)).cql.clear();
    config.nodes.at(NodeId(3)).client = "10.0.0.3:9603";
    node::cql::Topology t = CqlTopology(config, NodeId(2), "127.0.0.2", 9042);
    CHECK(t.self.host_id == CqlHostId(NodeId(2)));
    CHECK(t.self.rpc_address == "127.0.0.2");
    CHECK(t.self.tokens == CqlTokens(1, 3));
    REQUIRE(t.peers.size() == 2);
    CHECK(t.peers[0].host_id == CqlHostId(NodeId(1)));
    CHECK(t.peers[0].rpc_address == "127.0.0.1");
    CHECK(t.peers[0].rpc_port == 9042);
    CHECK(t.peers[1].rpc_address == "10.0.0.3");  // No cql address: its client host.
    CHECK(t.peers[1].rpc_port == 9042);           // And this node's port.
}

}  // namespace
}  // namespace orrery::tools
