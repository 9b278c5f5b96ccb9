// Tests of the cluster config file and host:port parsing.
#include "net/cluster_config.h"

#include <catch2/catch.hpp>

namespace orrery::net {
namespace {

TEST_CASE("host:port parses names, IPv4 and bracketed IPv6", "[net]") {
    auto a = ParseHostPort("127.0.0.1:9601");
    REQUIRE(a.ok());
    CHECK(a->host == "127.0.0.1");
    CHECK(a->port == 9601);
    CHECK(ParseHostPort("localhost:0")->port == 0);
    CHECK(ParseHostPort("[::1]:9701")->host == "::1");
    for (const char* bad : {"", "9601", ":9601", "host:", "host:65536", "host:9x", "host:-1"}) {
        INFO(bad);
        CHECK(ParseHostPort(bad).status().code() == Code::kInvalidArgument);
    }
}

TEST_CASE("cluster config round-trips through its JSON form", "[net]") {
    ClusterConfig five = ClusterConfig::Localhost(5, 9601, 9701);
    CHECK(five.nodes.size() == 5);
    CHECK(five.nodes.at(NodeId(3)).client == "127.0.0.1:9603");
    CHECK(five.nodes.at(NodeId(3)).peer == "127.0.0.1:9703");
    auto parsed = ClusterConfig::Parse(five.ToJson());
    REQUIRE(parsed.ok());
    CHECK(parsed->ToJson() == five.ToJson());
    CHECK(parsed->PeerAddresses().at(NodeId(5)) == "127.0.0.1:9705");
    CHECK(parsed->ClientAddresses().at(NodeId(1)) == "127.0.0.1:9601");
    CHECK(parsed->nodes.at(NodeId(1)).pg.empty());
    CHECK(five.ToJson().find("pg") == std::string::npos);  // Old files stay as they were.
}

TEST_CASE("cluster config carries an optional PostgreSQL address per node", "[net]") {
    ClusterConfig two = ClusterConfig::Localhost(2, 9601, 9701, 9801);
    CHECK(two.nodes.at(NodeId(2)).pg == "127.0.0.1:9802");
    CHECK(two.ToJson() ==
          "{\"nodes\": [\n"
          "  {\"id\": 1, \"peer\": \"127.0.0.1:9701\", \"client\": \"127.0.0.1:9601\", \"pg\": \"127.0.0.1:9801\"},\n"
          "  {\"id\": 2, \"peer\": \"127.0.0.1:9702\", \"client\": \"127.0.0.1:9602\", \"pg\": \"127.0.0.1:9802\"}\n"
          "]}\n");
    auto parsed = ClusterConfig::Parse(two.ToJson());
    REQUIRE(parsed.ok());
    CHECK(parsed->nodes.at(NodeId(1)).pg == "127.0.0.1:9801");
    CHECK(ClusterConfig::Parse(R"({"nodes": [{"id": 1, "peer": "h:1", "client": "h:2", "pg": "h"}]})")
              .status()
              .ToString() == "invalid_argument: cluster config: address 'h' is not host:port");
}

TEST_CASE("cluster config carries an optional CQL address per node, one host each", "[net]") {
    ClusterConfig three = ClusterConfig::Localhost(3, 9601, 9701, 0, 9042);
    CHECK(three.nodes.at(NodeId(1)).cql == "127.0.0.1:9042");
    CHECK(three.nodes.at(NodeId(3)).cql == "127.0.0.3:9042");
    CHECK(three.nodes.at(NodeId(3)).pg.empty());
    CHECK(three.ToJson().find("\"cql\": \"127.0.0.2:9042\"") != std::string::npos);
    auto parsed = ClusterConfig::Parse(three.ToJson());
    REQUIRE(parsed.ok());
    CHECK(parsed->nodes.at(NodeId(2)).cql == "127.0.0.2:9042");
    CHECK(ClusterConfig::Localhost(2, 9601, 9701).ToJson().find("cql") == std::string::npos);
    CHECK(ClusterConfig::Parse(R"({"nodes": [{"id": 1, "peer": "h:1", "client": "h:2", "cql": "h:0"}]})")
              .status()
              .ToString() == "invalid_argument: cluster config: cql port 0 in h:0");
}

TEST_CASE("cluster config rejects malformed files with a reason", "[net]") {
    auto err = [](const char* json) { return ClusterConfig::Parse(json).status().ToString(); };
    CHECK(err("{") == "invalid_argument: cluster config is not valid JSON");
    CHECK(err("{\"nodes\": []}") == "invalid_argument: cluster config needs 1 to 1000 nodes");
    CHECK(err("[]") == "invalid_argument: cluster config needs a \"nodes\" array");
    CHECK(err(R"({"nodes": [{"id": 0, "peer": "h:1", "client": "h:2"}]})") ==
          "invalid_argument: cluster config: node id 0 outside [1, 1000)");
    CHECK(err(R"({"nodes": [{"id": 1000, "peer": "h:1", "client": "h:2"}]})") ==
          "invalid_argument: cluster config: node id 1000 outside [1, 1000)");
    CHECK(err(R"({"nodes": [{"id": "1", "peer": "h:1", "client": "h:2"}]})") ==
          "invalid_argument: cluster config: node needs an unsigned integer \"id\"");
    CHECK(err(R"({"nodes": [{"id": 1, "client": "h:2"}]})") ==
          "invalid_argument: cluster config: node needs a string \"peer\" address");
    CHECK(err(R"({"nodes": [{"id": 1, "peer": "h:0", "client": "h:2"}]})") ==
          "invalid_argument: cluster config: peer port 0 in h:0");
    CHECK(err(R"({"nodes": [{"id": 1, "peer": "h:1", "client": "h:2"},
                            {"id": 1, "peer": "h:3", "client": "h:4"}]})") ==
          "invalid_argument: cluster config: node id 1 appears twice");
    CHECK(ClusterConfig::Load("/nonexistent/orrery.json").status().code() == Code::kNotFound);
}

TEST_CASE("cluster config carries an optional metrics address per node", "[net]") {
    ClusterConfig two = ClusterConfig::Localhost(2, 9601, 9701, 0, 0, 9801);
    CHECK(two.nodes.at(NodeId(2)).metrics == "127.0.0.1:9802");
    auto parsed = ClusterConfig::Parse(two.ToJson());
    REQUIRE(parsed.ok());
    CHECK(parsed->nodes.at(NodeId(1)).metrics == "127.0.0.1:9801");
    CHECK(ClusterConfig::Localhost(2, 9601, 9701).ToJson().find("metrics") == std::string::npos);
    CHECK(ClusterConfig::Parse(R"({"nodes": [{"id": 1, "peer": "h:1", "client": "h:2", "metrics": "h"}]})")
              .status()
              .ToString() == "invalid_argument: cluster config: address 'h' is not host:port");
}

TEST_CASE("cluster config names its mode; the leaderless mode carries rf and consistency", "[net]") {
    ClusterConfig raft = ClusterConfig::Localhost(3, 9601, 9701);
    CHECK(raft.mode == ClusterMode::kRaft);
    CHECK(raft.ToJson().find("mode") == std::string::npos);  // Raft configs read as before.

    ClusterConfig ll = ClusterConfig::Localhost(5, 9601, 9701);
    ll.mode = ClusterMode::kLeaderless;
    ll.rf = 2;
    ll.consistency = "one";
    auto parsed = ClusterConfig::Parse(ll.ToJson());
    REQUIRE(parsed.ok());
    CHECK(parsed->mode == ClusterMode::kLeaderless);
    CHECK(parsed->rf == 2);
    CHECK(parsed->consistency == "one");
    CHECK(parsed->nodes.size() == 5);

    // Defaults: rf 3 (at most the nodes) and quorum.
    auto two = ClusterConfig::Parse(R"({"mode": "leaderless", "nodes": [
        {"id": 1, "peer": "h:1", "client": "h:2"}, {"id": 2, "peer": "h:3", "client": "h:4"}]})");
    REQUIRE(two.ok());
    CHECK(two->rf == 2);
    CHECK(two->consistency == "quorum");

    auto err = [](const char* json) { return ClusterConfig::Parse(json).status().ToString(); };
    CHECK(err(R"({"mode": "paxos", "nodes": [{"id": 1, "peer": "h:1", "client": "h:2"}]})") ==
          "invalid_argument: cluster config: unknown mode 'paxos' (raft, leaderless)");
    CHECK(err(R"({"rf": 1, "nodes": [{"id": 1, "peer": "h:1", "client": "h:2"}]})") ==
          "invalid_argument: cluster config: \"rf\" belongs to the leaderless mode (\"mode\": "
          "\"leaderless\")");
    CHECK(err(R"({"mode": "leaderless", "rf": 2, "nodes": [{"id": 1, "peer": "h:1", "client": "h:2"}]})") ==
          "invalid_argument: cluster config: \"rf\" must be an integer in 1..1 (the nodes)");
    CHECK(err(R"({"mode": "leaderless", "consistency": "two", "nodes": [{"id": 1, "peer": "h:1", "client": "h:2"}]})") ==
          "invalid_argument: cluster config: \"consistency\" must be one of \"one\", \"quorum\", "
          "\"all\", \"serial\"");
    CHECK(ParseClusterMode("raft").value() == ClusterMode::kRaft);
    CHECK(ClusterModeName(ClusterMode::kLeaderless) == "leaderless");
}

}  // namespace
}  // namespace orrery::net
