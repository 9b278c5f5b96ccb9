// ClusterConfig parsing and rendering. See cluster_config.h.
#include "net/cluster_config.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

namespace orrery::net {

namespace {

// Upper bound on nodes in one config: ids are below kFirstClientId anyway.
constexpr size_t kMaxConfigNodes = kFirstClientId;

Status CheckAddress(const nlohmann::json& node, const char* field, std::string* out) {
    auto it = node.find(field);
    if (it == node.end() || !it->is_string()) {
        return Status::InvalidArgument(fmt::format("node needs a string \"{}\" address", field));
    }
    *out = it->get<std::string>();
    ORRERY_ASSIGN_OR_RETURN(HostPort hp, ParseHostPort(*out));
    if (hp.port == 0) return Status::InvalidArgument(fmt::format("{} port 0 in {}", field, *out));
    return Status::Ok();
}

Status AddNode(const nlohmann::json& node, ClusterConfig* config) {
    if (!node.is_object()) return Status::InvalidArgument("each node must be an object");
    auto id = node.find("id");
    if (id == node.end() || !id->is_number_unsigned()) {
        return Status::InvalidArgument("node needs an unsigned integer \"id\"");
    }
    uint64_t raw = id->get<uint64_t>();
    if (raw < 1 || raw >= kFirstClientId) {
        return Status::InvalidArgument(fmt::format("node id {} outside [1, {})", raw, kFirstClientId));
    }
    NodeAddresses addresses;
    ORRERY_RETURN_IF_ERROR(CheckAddress(node, "peer", &addresses.peer));
    ORRERY_RETURN_IF_ERROR(CheckAddress(node, "client", &addresses.client));
    if (node.contains("pg")) ORRERY_RETURN_IF_ERROR(CheckAddress(node, "pg", &addresses.pg));
    if (node.contains("cql")) ORRERY_RETURN_IF_ERROR(CheckAddress(node, "cql", &addresses.cql));
    if (node.contains("metrics")) {
        ORRERY_RETURN_IF_ERROR(CheckAddress(node, "metrics", &addresses.metrics));
    }
    NodeId node_id(static_cast<uint32_t>(raw));
    if (!config->nodes.emplace(node_id, std::move(addresses)).second) {
        return Status::InvalidArgument(fmt::format("node id {} appears twice", raw));
    }
    return Status::Ok();
}

// The leaderless mode's top-level fields (see cluster_config.h), checked against the nodes.
Status ParseMode(const nlohmann::json& doc, ClusterConfig* config) {
    if (auto mode = doc.find("mode"); mode != doc.end()) {
        if (!mode->is_string()) return Status::InvalidArgument("\"mode\" must be a string");
        ORRERY_ASSIGN_OR_RETURN(config->mode, ParseClusterMode(mode->get<std::string>()));
    }
    bool leaderless = config->mode == ClusterMode::kLeaderless;
    for (const char* field : {"rf", "consistency"}) {
        if (doc.contains(field) && !leaderless) {
            return Status::InvalidArgument(
                fmt::format("\"{}\" belongs to the leaderless mode (\"mode\": \"leaderless\")", field));
        }
    }
    if (auto rf = doc.find("rf"); rf != doc.end()) {
        if (!rf->is_number_unsigned() || rf->get<uint64_t>() < 1 ||
            rf->get<uint64_t>() > config->nodes.size()) {
            return Status::InvalidArgument(
                fmt::format("\"rf\" must be an integer in 1..{} (the nodes)", config->nodes.size()));
        }
        config->rf = static_cast<uint32_t>(rf->get<uint64_t>());
    } else if (leaderless && config->rf > config->nodes.size()) {
        config->rf = static_cast<uint32_t>(config->nodes.size());  // Fewer nodes than the default.
    }
    if (auto c = doc.find("consistency"); c != doc.end()) {
        // The names of node::ParseConsistency (net/ may not include node/).
        static const std::set<std::string> kLevels = {"one", "quorum", "all", "serial"};
        if (!c->is_string() || kLevels.count(c->get<std::string>()) == 0) {
            return Status::InvalidArgument(
                "\"consistency\" must be one of \"one\", \"quorum\", \"all\", \"serial\"");
        }
        config->consistency = c->get<std::string>();
    }
    return Status::Ok();
}

}  // namespace

std::string_view ClusterModeName(ClusterMode mode) {
    return mode == ClusterMode::kLeaderless ? "leaderless" : "raft";
}

Result<ClusterMode> ParseClusterMode(std::string_view name) {
    if (name == "raft") return ClusterMode::kRaft;
    if (name == "leaderless") return ClusterMode::kLeaderless;
    return Status::InvalidArgument(fmt::format("unknown mode '{}' (raft, leaderless)", name));
}

Result<HostPort> ParseHostPort(std::string_view address) {
    size_t colon = address.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
        return Status::InvalidArgument(fmt::format("address '{}' is not host:port", address));
    }
    std::string_view host = address.substr(0, colon);
    std::string_view port_text = address.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (host.empty() || port_text.empty() || ec != std::errc() ||
        end != port_text.data() + port_text.size() || port > 65535) {
        return Status::InvalidArgument(fmt::format("address '{}' is not host:port", address));
    }
    return HostPort{std::string(host), static_cast<uint16_t>(port)};
}

Result<ClusterConfig> ClusterConfig::Parse(std::string_view json) {
    nlohmann::json doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return Status::InvalidArgument("cluster config is not valid JSON");
    if (!doc.is_object() || !doc.contains("nodes") || !doc["nodes"].is_array()) {
        return Status::InvalidArgument("cluster config needs a \"nodes\" array");
    }
    const nlohmann::json& nodes = doc["nodes"];
    if (nodes.empty() || nodes.size() > kMaxConfigNodes) {
        return Status::InvalidArgument(
            fmt::format("cluster config needs 1 to {} nodes", kMaxConfigNodes));
    }
    ClusterConfig config;
    for (const nlohmann::json& node : nodes) {
        ORRERY_RETURN_IF_ERROR(AddNode(node, &config).WithContext("cluster config"));
    }
    ORRERY_RETURN_IF_ERROR(ParseMode(doc, &config).WithContext("cluster config"));
    return config;
}

Result<ClusterConfig> ClusterConfig::Load(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        std::string why = std::strerror(errno);
        Status s(errno == ENOENT ? Code::kNotFound : Code::kIOError,
                 fmt::format("read {}: {}", path, why));
        return s;
    }
    std::stringstream text;
    text << in.rdbuf();
    ORRERY_ASSIGN_OR_RETURN(ClusterConfig config, Parse(text.str()));
    return config;
}

ClusterConfig ClusterConfig::Localhost(int n, uint16_t client_base, uint16_t peer_base,
                                       uint16_t pg_base, uint16_t cql_base,
                                       uint16_t metrics_base) {
    ORRERY_ASSERT(n >= 1 && static_cast<size_t>(n) < kMaxConfigNodes, "bad node count {}", n);
    ClusterConfig config;
    for (int i = 1; i <= n; ++i) {
        config.nodes[NodeId(static_cast<uint32_t>(i))] = NodeAddresses{
            fmt::format("127.0.0.1:{}", peer_base + i - 1),
            fmt::format("127.0.0.1:{}", client_base + i - 1),
            pg_base == 0 ? std::string() : fmt::format("127.0.0.1:{}", pg_base + i - 1),
            cql_base == 0 ? std::string()
                          : fmt::format("127.0.{}.{}:{}", i / 256, i % 256, cql_base),
            metrics_base == 0 ? std::string() : fmt::format("127.0.0.1:{}", metrics_base + i - 1)};
    }
    return config;
}

std::string ClusterConfig::ToJson() const {
    std::string out = "{";
    if (mode == ClusterMode::kLeaderless) {
        out += fmt::format("\"mode\": \"leaderless\", \"rf\": {}, \"consistency\": \"{}\",\n ", rf,
                           consistency);
    }
    out += "\"nodes\": [\n";
    size_t i = 0;
    for (const auto& [id, a] : nodes) {
        std::string pg = a.pg.empty() ? "" : fmt::format(", \"pg\": \"{}\"", a.pg);
        if (!a.cql.empty()) pg += fmt::format(", \"cql\": \"{}\"", a.cql);
        if (!a.metrics.empty()) pg += fmt::format(", \"metrics\": \"{}\"", a.metrics);
        out += fmt::format("  {{\"id\": {}, \"peer\": \"{}\", \"client\": \"{}\"{}}}{}\n",
                           id.value(), a.peer, a.client, pg, ++i < nodes.size() ? "," : "");
    }
    return out + "]}\n";
}

std::map<NodeId, std::string> ClusterConfig::PeerAddresses() const {
    std::map<NodeId, std::string> out;
    for (const auto& [id, a] : nodes) out[id] = a.peer;
    return out;
}

std::map<NodeId, std::string> ClusterConfig::ClientAddresses() const {
    std::map<NodeId, std::string> out;
    for (const auto& [id, a] : nodes) out[id] = a.client;
    return out;
}

}  // namespace orrery::net
