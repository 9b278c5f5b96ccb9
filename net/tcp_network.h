// TcpNetwork: the Network contract over TCP, for one server node.
//
// Every node listens on two ports:
//  - the *peer* port, where other nodes open their links. A peer connection carries frames one
//    way, from the dialler to us; it opens with a hello (role peer) naming the dialler's NodeId,
//    and every later frame is delivered to the handler as a message from that node;
//  - the *client* port, where clients connect. A client connection carries frames both ways. It
//    opens with the client's hello; we answer with a hello carrying the client's endpoint id, and
//    every later frame is delivered as a message from that id. Send(client_id, bytes) writes on
//    that connection. When it closes, messages to the id are dropped (the client reconnects and
//    retries, as it would after any lost message).
//
// Client endpoint ids (all >= kFirstClientId, so IsClient() holds):
//  - a client may ask for a fixed id in [kFirstClientId, kEphemeralClientBase): it gets it unless
//    another live connection of this node holds it, in which case the connection is refused.
//    Jepsen workers use this so their ids are the same at every node;
//  - a client that asks for id 0 is assigned kEphemeralClientBase * node + n for the next free
//    n in [1, kEphemeralClientBase), so ids assigned by different nodes never collide.
//
// Outbound traffic to peers goes through one OutboundLink per peer (reconnects with backoff,
// bounded queue that drops on overflow). Messages to ourselves are posted to the loop and
// delivered on a later turn. The handler is only ever called on the io_context's thread, never
// inline in Send.
//
// A malformed frame, a bad hello, a frame before the hello, or no hello within hello_timeout
// closes that one connection; the event is logged and counted and the node keeps serving.
//
// SetBlocked(ids) drops all traffic to and from those endpoints (without closing connections),
// so a real-cluster nemesis can cut links the way the simulator's partitions do.
//
// Tracing: each Send records "send" (to, len, h) on the sender; each delivery records "deliver"
// (from, len, h) on the receiver; each dropped message records "drop" (to or from, len, why).
// "h" is the Hash64 of the bytes; "msg" is added when the tracer is rendering and a renderer is
// configured. REQUIRES: used from its io_context's thread only.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "core/network.h"
#include "core/random.h"
#include "core/status.h"
#include "core/trace.h"
#include "net/connection.h"
#include "net/logger.h"
#include "net/outbound_link.h"

namespace orrery::net {

// Ephemeral client ids are kEphemeralClientBase * node + n; named ids sit below the base.
inline constexpr uint32_t kEphemeralClientBase = 1'000'000;
// The most inbound connections (peer and client) one node holds at once.
inline constexpr size_t kDefaultInboundConnectionsMax = 1024;
// How long an inbound connection may stay silent before its hello (so idle sockets cannot
// hold the inbound slots forever).
inline constexpr Duration kDefaultHelloTimeout = Duration::Seconds(10);

struct TcpNetworkOptions {
    NodeId self;
    std::string peer_listen = "127.0.0.1:0";  // Where peers connect; port 0 picks a free port.
    std::string client_listen;                 // Where clients connect; "" means no listener.
    std::map<NodeId, std::string> peers;       // Peer port address of each node (self ignored).
    QueueLimits queue;                         // Bounds of each peer link and client connection.
    Duration backoff_initial = kDefaultBackoffInitial;
    Duration backoff_max = kDefaultBackoffMax;
    size_t inbound_connections_max = kDefaultInboundConnectionsMax;
    Duration hello_timeout = kDefaultHelloTimeout;
    // Renders message bytes for the trace's "msg" field (optional).
    std::function<std::string(std::string_view bytes)> render;
};

// Counters of one TcpNetwork, monotonic over its life.
struct NetStats {
    uint64_t sent = 0;                // Messages accepted by Send for an existing route.
    uint64_t delivered = 0;           // Messages handed to the handler.
    uint64_t dropped_full = 0;        // Dropped because a bounded queue was full.
    uint64_t dropped_blocked = 0;     // Dropped by SetBlocked, either direction.
    uint64_t dropped_no_route = 0;    // To an unknown node or a client that is not connected.
    uint64_t dropped_no_handler = 0;  // Arrived before SetHandler.
    uint64_t dropped_too_large = 0;   // Payload above kMaxPayloadBytes (a caller's bug; logged).
    uint64_t accepted = 0;            // Inbound connections accepted.
    uint64_t refused = 0;             // Inbound connections refused (limit, bad or taken id).
    uint64_t malformed = 0;           // Connections closed for a malformed frame or hello.
};

class TcpNetwork final : public Network {
public:
    // Binds the listeners (so the ports are known when this returns) and starts accepting.
    // Peer links dial lazily, on the first Send to each peer. The random, logger and tracer
    // must outlive the network.
    static Result<std::unique_ptr<TcpNetwork>> Create(boost::asio::io_context& io,
                                                      TcpNetworkOptions options, Random& random,
                                                      Logger& log, Tracer& tracer);
    ~TcpNetwork() override;
    TcpNetwork(const TcpNetwork&) = delete;
    TcpNetwork& operator=(const TcpNetwork&) = delete;

    NodeId self() const override { return options_.self; }
    void Send(NodeId to, std::string bytes) override;
    void SetHandler(Handler handler) override { handler_ = std::move(handler); }

    // Drops every message to or from the given endpoints from now on (empty set: heal).
    void SetBlocked(std::set<NodeId> blocked) { blocked_ = std::move(blocked); }
    const std::set<NodeId>& blocked() const { return blocked_; }

    // Sets or changes the peer port address of node `id`.
    void SetPeerAddress(NodeId id, std::string address);

    // The bound ports (useful when the options asked for port 0). client_port() is 0 if none.
    uint16_t peer_port() const;
    uint16_t client_port() const;

    // The client endpoints connected now, sorted.
    std::vector<NodeId> connected_clients() const;
    // Peers whose outbound link is up now, sorted.
    std::vector<NodeId> connected_peers() const;

    const NetStats& stats() const { return stats_; }
    // Counters of the link to `peer` (zeros if there is none yet).
    LinkStats link_stats(NodeId peer) const;

private:
    struct Inbound;

    TcpNetwork(boost::asio::io_context& io, TcpNetworkOptions options, Random& random,
               Logger& log, Tracer& tracer);

    Status Listen(const std::string& address, boost::asio::ip::tcp::acceptor* acceptor);
    void Accept(boost::asio::ip::tcp::acceptor* acceptor, bool client_port);
    void OnAccepted(boost::asio::ip::tcp::socket socket, bool client_port);
    void OnInboundFrame(uint64_t serial, std::string payload);
    void OnHello(uint64_t serial, Inbound& in, std::string_view payload);
    Result<NodeId> AdmitClient(uint32_t requested);
    void OnInboundClosed(uint64_t serial, const Status& why);
    void Deliver(NodeId from, std::string_view bytes);
    void SendToClient(NodeId to, std::string bytes);
    OutboundLink* LinkTo(NodeId peer);
    void TraceMessage(std::string_view kind, std::string_view peer_key, NodeId peer,
                      std::string_view bytes);
    void TraceDrop(std::string_view peer_key, NodeId peer, size_t len, std::string_view why);

    boost::asio::io_context& io_;
    TcpNetworkOptions options_;
    Random& random_;
    Logger& log_;
    Tracer& tracer_;
    Handler handler_;
    std::set<NodeId> blocked_;
    boost::asio::ip::tcp::acceptor peer_acceptor_;
    boost::asio::ip::tcp::acceptor client_acceptor_;
    std::map<NodeId, std::unique_ptr<OutboundLink>> links_;
    std::map<uint64_t, Inbound> inbound_;     // By connection serial number.
    std::map<NodeId, uint64_t> clients_;      // Client endpoint id -> connection serial.
    uint64_t next_serial_ = 1;
    uint32_t next_ephemeral_ = 1;
    NetStats stats_;
    std::shared_ptr<char> alive_;             // Completion handlers hold a weak_ptr to it.
};

}  // namespace orrery::net
