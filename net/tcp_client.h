// TcpClient: the Network contract for a client process (a CLI, a Jepsen worker, a benchmark).
//
// A client is an endpoint like any node: it Sends bytes to a server NodeId and its handler
// receives the replies, with `from` set to the server. Underneath, it keeps one OutboundLink
// (role kClient) per server it has talked to, dialling that server's *client* port, and reads the
// replies from the same connection. Links reconnect with backoff and queue (boundedly) while down.
//
// Its endpoint id: with a requested id in [kFirstClientId, kEphemeralClientBase), every node
// knows the client by that id. With 0 each node assigns one (see tcp_network.h), and self()
// returns the id from the most recent hello answer: fine for a client that talks to one node,
// ambiguous for one that talks to several, which should request an id.
// REQUIRES: used from its io_context's thread only.
#pragma once

#include <boost/asio/io_context.hpp>

#include <map>
#include <memory>
#include <string>

#include "core/network.h"
#include "core/random.h"
#include "core/trace.h"
#include "net/outbound_link.h"

namespace orrery::net {

struct TcpClientOptions {
    std::map<NodeId, std::string> servers;  // The client-port address of each node.
    uint32_t requested_id = 0;              // 0: let each node assign one.
    QueueLimits queue;
    Duration backoff_initial = kDefaultBackoffInitial;
    Duration backoff_max = kDefaultBackoffMax;
};

class TcpClient final : public Network {
public:
    // The random, logger and tracer must outlive the client.
    TcpClient(boost::asio::io_context& io, TcpClientOptions options, Random& random, Logger& log,
              Tracer& tracer);
    ~TcpClient() override;
    TcpClient(const TcpClient&) = delete;
    TcpClient& operator=(const TcpClient&) = delete;

    // The requested id, or the id of the latest hello answer; NodeId(0) before the first one.
    NodeId self() const override { return self_; }

    // Sends to a server in the options; anything else is dropped (and counted).
    void Send(NodeId to, std::string bytes) override;
    void SetHandler(Handler handler) override { handler_ = std::move(handler); }

    // Starts dialling `server` now instead of on the first Send. kNotFound if it is unknown.
    Status Connect(NodeId server);

    // True once `server` has answered this connection's hello.
    bool connected(NodeId server) const;

    // Messages dropped because the destination was not a configured server.
    uint64_t dropped_no_route() const { return dropped_no_route_; }
    // Counters of the link to `server` (zeros if there is none yet).
    LinkStats link_stats(NodeId server) const;

private:
    OutboundLink* LinkTo(NodeId server);

    boost::asio::io_context& io_;
    TcpClientOptions options_;
    Random& random_;
    Logger& log_;
    Tracer& tracer_;
    Handler handler_;
    NodeId self_;
    std::map<NodeId, std::unique_ptr<OutboundLink>> links_;
    uint64_t dropped_no_route_ = 0;
};

}  // namespace orrery::net
