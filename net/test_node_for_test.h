// Test fixture: a TcpNetwork with its own logger (captured, not printed), random and inbox.
// Tests only.
#pragma once

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "net/tcp_client.h"
#include "net/tcp_network.h"

namespace orrery::net {

struct Received {
    NodeId from;
    std::string bytes;
};

// One server endpoint on loopback, listening on free ports for peers and clients.
class TestNode {
public:
    TestNode(boost::asio::io_context& io, uint32_t id, TcpNetworkOptions options = {})
        : log_(fmt::format("n{}", id), LogLevel::kDebug,
               [this](std::string_view line) { log_lines.emplace_back(line); }),
          random_(id) {
        options.self = NodeId(id);
        if (options.peer_listen.empty()) options.peer_listen = "127.0.0.1:0";
        if (options.client_listen.empty()) options.client_listen = "127.0.0.1:0";
        auto made = TcpNetwork::Create(io, std::move(options), random_, log_, tracer_);
        REQUIRE(made.ok());
        net = std::move(made).value();
        net->SetHandler([this](NodeId from, std::string_view bytes) {
            inbox.push_back(Received{from, std::string(bytes)});
        });
    }

    // Address of this node's peer or client port.
    std::string peer_address() const { return fmt::format("127.0.0.1:{}", net->peer_port()); }
    std::string client_address() const {
        return fmt::format("127.0.0.1:{}", net->client_port());
    }

    // True iff some captured log line contains `text`.
    bool Logged(std::string_view text) const {
        for (const auto& line : log_lines) {
            if (line.find(text) != std::string::npos) return true;
        }
        return false;
    }

    std::vector<std::string> log_lines;  // Declared before log_, which writes to it.
    std::vector<Received> inbox;

private:
    Logger log_;
    Random random_;
    NullTracer tracer_;

public:
    std::unique_ptr<TcpNetwork> net;  // Declared last: destroyed before what it uses.
};

// Tells every node where every other node's peer port is.
inline void Introduce(const std::vector<TestNode*>& nodes) {
    for (TestNode* a : nodes) {
        for (TestNode* b : nodes) {
            if (a != b) a->net->SetPeerAddress(b->net->self(), b->peer_address());
        }
    }
}

// A client process endpoint with an inbox.
class TestClient {
public:
    TestClient(boost::asio::io_context& io, std::map<NodeId, std::string> servers,
               uint32_t requested_id = 0)
        : log_("client", LogLevel::kDebug, [](std::string_view) {}), random_(99) {
        TcpClientOptions options;
        options.servers = std::move(servers);
        options.requested_id = requested_id;
        client = std::make_unique<TcpClient>(io, std::move(options), random_, log_, tracer_);
        client->SetHandler([this](NodeId from, std::string_view bytes) {
            inbox.push_back(Received{from, std::string(bytes)});
        });
    }

    std::vector<Received> inbox;

private:
    Logger log_;
    Random random_;
    NullTracer tracer_;

public:
    std::unique_ptr<TcpClient> client;  // Declared last: destroyed before what it uses.
};

}  // namespace orrery::net
