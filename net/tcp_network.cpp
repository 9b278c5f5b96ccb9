// TcpNetwork: listeners, inbound connections and hellos, routing and tracing.
// See tcp_network.h for the design; outbound_link.cpp holds the dialling side.
#include "net/tcp_network.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include <chrono>

#include "core/checksum.h"
#include "net/cluster_config.h"

namespace orrery::net {

namespace {

constexpr int kListenBacklog = 128;

std::string RemoteLabel(const boost::asio::ip::tcp::socket& socket) {
    boost::system::error_code ec;
    auto endpoint = socket.remote_endpoint(ec);
    if (ec) return "?";
    return fmt::format("{}:{}", endpoint.address().to_string(), endpoint.port());
}

}  // namespace

struct TcpNetwork::Inbound {
    std::shared_ptr<Connection> conn;
    bool client_port = false;  // Accepted on the client port (else on the peer port).
    bool identified = false;   // Its hello has been accepted.
    NodeId id;                 // Valid once identified.
    std::shared_ptr<boost::asio::steady_timer> hello_deadline;  // Cancelled by the hello.
};

TcpNetwork::TcpNetwork(boost::asio::io_context& io, TcpNetworkOptions options, Random& random,
                       Logger& log, Tracer& tracer)
    : io_(io),
      options_(std::move(options)),
      random_(random),
      log_(log),
      tracer_(tracer),
      peer_acceptor_(io),
      client_acceptor_(io),
      alive_(std::make_shared<char>(0)) {}

Result<std::unique_ptr<TcpNetwork>> TcpNetwork::Create(boost::asio::io_context& io,
                                                       TcpNetworkOptions options, Random& random,
                                                       Logger& log, Tracer& tracer) {
    NodeId self = options.self;
    if (self.value() == 0 || IsClient(self)) {
        return Status::InvalidArgument(fmt::format("server node id {} outside [1, {})",
                                                   self.value(), kFirstClientId));
    }
    std::unique_ptr<TcpNetwork> net(new TcpNetwork(io, std::move(options), random, log, tracer));
    ORRERY_RETURN_IF_ERROR(net->Listen(net->options_.peer_listen, &net->peer_acceptor_)
                               .WithContext("peer listener"));
    net->Accept(&net->peer_acceptor_, /*client_port=*/false);
    if (!net->options_.client_listen.empty()) {
        ORRERY_RETURN_IF_ERROR(net->Listen(net->options_.client_listen, &net->client_acceptor_)
                                   .WithContext("client listener"));
        net->Accept(&net->client_acceptor_, /*client_port=*/true);
    }
    log.Info("listening for peers on port {}, clients on port {}", net->peer_port(),
             net->client_port());
    return net;
}

TcpNetwork::~TcpNetwork() {
    alive_.reset();  // Handlers still queued find the network gone and do nothing.
    boost::system::error_code ignored;
    peer_acceptor_.close(ignored);
    client_acceptor_.close(ignored);
    links_.clear();
    for (auto& [serial, in] : inbound_) {
        in.hello_deadline->cancel();
        in.conn->Detach();
    }
    inbound_.clear();
}

Status TcpNetwork::Listen(const std::string& address, boost::asio::ip::tcp::acceptor* acceptor) {
    ORRERY_ASSIGN_OR_RETURN(HostPort hp, ParseHostPort(address));
    boost::system::error_code ec;
    boost::asio::ip::tcp::resolver resolver(io_);
    auto results = resolver.resolve(hp.host, std::to_string(hp.port), ec);
    if (ec || results.empty()) {
        return Status::InvalidArgument(fmt::format("resolve {}: {}", address, ec.message()));
    }
    boost::asio::ip::tcp::endpoint endpoint = results.begin()->endpoint();
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) acceptor->set_option(boost::asio::ip::tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor->bind(endpoint, ec);
    if (!ec) acceptor->listen(kListenBacklog, ec);
    if (ec) return Status::IOError(fmt::format("listen on {}: {}", address, ec.message()));
    return Status::Ok();
}

void TcpNetwork::Accept(boost::asio::ip::tcp::acceptor* acceptor, bool client_port) {
    acceptor->async_accept([this, alive = std::weak_ptr<char>(alive_), acceptor, client_port](
                               const boost::system::error_code& ec,
                               boost::asio::ip::tcp::socket socket) {
        if (alive.expired() || ec == boost::asio::error::operation_aborted) return;
        if (ec) {
            log_.Warn("accept on the {} port: {}", client_port ? "client" : "peer", ec.message());
        } else {
            OnAccepted(std::move(socket), client_port);
        }
        Accept(acceptor, client_port);
    });
}

void TcpNetwork::OnAccepted(boost::asio::ip::tcp::socket socket, bool client_port) {
    std::string label = fmt::format("{} {}", client_port ? "client" : "peer", RemoteLabel(socket));
    if (inbound_.size() >= options_.inbound_connections_max) {
        ++stats_.refused;
        log_.Warn("refusing {}: already {} inbound connections", label, inbound_.size());
        boost::system::error_code ignored;
        socket.close(ignored);
        return;
    }
    ++stats_.accepted;
    uint64_t serial = next_serial_++;
    auto conn = std::make_shared<Connection>(std::move(socket), options_.queue, label);
    auto deadline = std::make_shared<boost::asio::steady_timer>(io_);
    inbound_[serial] = Inbound{conn, client_port, false, NodeId(), deadline};
    auto alive = std::weak_ptr<char>(alive_);
    deadline->expires_after(std::chrono::microseconds(options_.hello_timeout.us()));
    deadline->async_wait([this, alive, serial](const boost::system::error_code& ec) {
        if (alive.expired() || ec) return;
        auto it = inbound_.find(serial);
        if (it == inbound_.end() || it->second.identified) return;
        it->second.conn->Close(Status::Corruption(
            fmt::format("no hello within {}", options_.hello_timeout)));
    });
    conn->Start(
        [this, alive, serial](std::string payload) {
            if (!alive.expired()) OnInboundFrame(serial, std::move(payload));
        },
        [this, alive, serial](const Status& why) {
            if (!alive.expired()) OnInboundClosed(serial, why);
        });
    log_.Debug("accepted {}", label);
}

void TcpNetwork::OnInboundFrame(uint64_t serial, std::string payload) {
    auto it = inbound_.find(serial);
    ORRERY_ASSERT(it != inbound_.end(), "frame from unknown connection {}", serial);
    Inbound& in = it->second;
    if (!in.identified) {
        OnHello(serial, in, payload);
        return;
    }
    Deliver(in.id, payload);
}

void TcpNetwork::OnHello(uint64_t serial, Inbound& in, std::string_view payload) {
    in.hello_deadline->cancel();
    Result<Hello> hello = DecodeHello(payload);
    if (!hello.ok()) {
        in.conn->Close(hello.status().WithContext("first frame is not a hello"));
        return;
    }
    bool client_hello = hello->role == HelloRole::kClient;
    if (client_hello != in.client_port) {
        in.conn->Close(Status::Corruption(fmt::format(
            "{} hello on the {} port", client_hello ? "client" : "peer",
            in.client_port ? "client" : "peer")));
        return;
    }
    if (!in.client_port) {
        uint32_t id = hello->id;
        if (id == 0 || id >= kFirstClientId || NodeId(id) == options_.self) {
            in.conn->Close(Status::Corruption(fmt::format("peer hello with id {}", id)));
            return;
        }
        in.id = NodeId(id);
        in.identified = true;
        in.conn->set_label(fmt::format("{} from {}", in.id, in.conn->label()));
        log_.Info("inbound link {}", in.conn->label());
        return;
    }
    Result<NodeId> id = AdmitClient(hello->id);
    if (!id.ok()) {
        ++stats_.refused;
        in.conn->Close(id.status().WithContext("refusing client"));
        return;
    }
    in.id = *id;
    in.identified = true;
    clients_[*id] = serial;
    in.conn->set_label(fmt::format("{} at {}", in.id, in.conn->label()));
    in.conn->Send(EncodeFrame(EncodeHello(Hello{HelloRole::kClient, id->value()})));
    log_.Info("client {} connected", in.conn->label());
}

Result<NodeId> TcpNetwork::AdmitClient(uint32_t requested) {
    if (requested == 0) {
        const uint32_t base = kEphemeralClientBase * options_.self.value();
        for (uint32_t attempt = 1; attempt < kEphemeralClientBase; ++attempt) {
            NodeId id(base + next_ephemeral_);
            next_ephemeral_ = next_ephemeral_ + 1 < kEphemeralClientBase ? next_ephemeral_ + 1 : 1;
            if (clients_.count(id) == 0) return id;
        }
        return Status::Busy("every ephemeral client id is in use");
    }
    if (requested < kFirstClientId || requested >= kEphemeralClientBase) {
        return Status::InvalidArgument(fmt::format("client id {} outside [{}, {})", requested,
                                                   kFirstClientId, kEphemeralClientBase));
    }
    if (clients_.count(NodeId(requested)) != 0) {
        return Status::AlreadyExists(fmt::format("client id {} is connected already", requested));
    }
    return NodeId(requested);
}

void TcpNetwork::OnInboundClosed(uint64_t serial, const Status& why) {
    auto it = inbound_.find(serial);
    ORRERY_ASSERT(it != inbound_.end(), "close of unknown connection {}", serial);
    Inbound in = std::move(it->second);
    inbound_.erase(it);
    in.hello_deadline->cancel();
    if (in.identified && in.client_port) {
        auto c = clients_.find(in.id);
        if (c != clients_.end() && c->second == serial) clients_.erase(c);
    }
    if (why.code() == Code::kCorruption) {
        ++stats_.malformed;
        log_.Warn("closed {}: {}", in.conn->label(), why.ToString());
    } else if (!why.ok()) {
        log_.Info("closed {}: {}", in.conn->label(), why.ToString());
    } else {
        log_.Info("{} disconnected", in.conn->label());
    }
}

void TcpNetwork::Deliver(NodeId from, std::string_view bytes) {
    if (blocked_.count(from) != 0) {
        ++stats_.dropped_blocked;
        TraceDrop("from", from, bytes.size(), "blocked");
        return;
    }
    if (!handler_) {
        ++stats_.dropped_no_handler;
        TraceDrop("from", from, bytes.size(), "no_handler");
        return;
    }
    ++stats_.delivered;
    TraceMessage("deliver", "from", from, bytes);
    Handler handler = handler_;  // The handler may replace itself; keep this one alive.
    handler(from, bytes);
}

void TcpNetwork::Send(NodeId to, std::string bytes) {
    TraceMessage("send", "to", to, bytes);
    if (bytes.size() > kMaxPayloadBytes) {
        ++stats_.dropped_too_large;
        log_.Error("dropping a {}-byte message to {}: frames carry at most {} bytes",
                   bytes.size(), to, kMaxPayloadBytes);
        TraceDrop("to", to, bytes.size(), "too_large");
        return;
    }
    if (blocked_.count(to) != 0) {
        ++stats_.dropped_blocked;
        TraceDrop("to", to, bytes.size(), "blocked");
        return;
    }
    if (to == options_.self) {
        ++stats_.sent;
        boost::asio::post(io_, [this, alive = std::weak_ptr<char>(alive_), b = std::move(bytes)] {
            if (!alive.expired()) Deliver(options_.self, b);
        });
        return;
    }
    if (IsClient(to)) {
        SendToClient(to, std::move(bytes));
        return;
    }
    OutboundLink* link = LinkTo(to);
    if (link == nullptr) {
        ++stats_.dropped_no_route;
        TraceDrop("to", to, bytes.size(), "no_route");
        return;
    }
    size_t len = bytes.size();
    if (link->Send(EncodeFrame(bytes))) {
        ++stats_.sent;
    } else {
        ++stats_.dropped_full;
        TraceDrop("to", to, len, "queue_full");
    }
}

void TcpNetwork::SendToClient(NodeId to, std::string bytes) {
    auto c = clients_.find(to);
    if (c == clients_.end()) {
        ++stats_.dropped_no_route;
        TraceDrop("to", to, bytes.size(), "no_route");
        return;
    }
    if (inbound_.at(c->second).conn->Send(EncodeFrame(bytes))) {
        ++stats_.sent;
    } else {
        ++stats_.dropped_full;
        TraceDrop("to", to, bytes.size(), "queue_full");
    }
}

OutboundLink* TcpNetwork::LinkTo(NodeId peer) {
    auto it = links_.find(peer);
    if (it != links_.end()) return it->second.get();
    auto address = options_.peers.find(peer);
    if (address == options_.peers.end()) return nullptr;
    LinkOptions link_options{address->second, Hello{HelloRole::kPeer, options_.self.value()},
                             options_.queue, options_.backoff_initial, options_.backoff_max};
    auto link = std::make_unique<OutboundLink>(io_, peer, std::move(link_options), random_, log_);
    return links_.emplace(peer, std::move(link)).first->second.get();
}

void TcpNetwork::SetPeerAddress(NodeId id, std::string address) {
    options_.peers[id] = address;
    auto it = links_.find(id);
    if (it != links_.end()) it->second->SetAddress(std::move(address));
}

uint16_t TcpNetwork::peer_port() const {
    boost::system::error_code ec;
    auto endpoint = peer_acceptor_.local_endpoint(ec);
    return ec ? 0 : endpoint.port();
}

uint16_t TcpNetwork::client_port() const {
    if (!client_acceptor_.is_open()) return 0;
    boost::system::error_code ec;
    auto endpoint = client_acceptor_.local_endpoint(ec);
    return ec ? 0 : endpoint.port();
}

std::vector<NodeId> TcpNetwork::connected_clients() const {
    std::vector<NodeId> out;
    for (const auto& [id, serial] : clients_) out.push_back(id);
    return out;
}

std::vector<NodeId> TcpNetwork::connected_peers() const {
    std::vector<NodeId> out;
    for (const auto& [id, link] : links_) {
        if (link->connected()) out.push_back(id);
    }
    return out;
}

LinkStats TcpNetwork::link_stats(NodeId peer) const {
    auto it = links_.find(peer);
    return it == links_.end() ? LinkStats{} : it->second->stats();
}

void TcpNetwork::TraceMessage(std::string_view kind, std::string_view peer_key, NodeId peer,
                              std::string_view bytes) {
    uint64_t h = Hash64(bytes);
    if (tracer_.rendering() && options_.render) {
        std::string msg = options_.render(bytes);
        tracer_.Record(options_.self, kind,
                       {{peer_key, peer}, {"len", bytes.size()}, {"h", h}, {"msg", msg}});
    } else {
        tracer_.Record(options_.self, kind, {{peer_key, peer}, {"len", bytes.size()}, {"h", h}});
    }
}

void TcpNetwork::TraceDrop(std::string_view peer_key, NodeId peer, size_t len,
                           std::string_view why) {
    tracer_.Record(options_.self, "drop", {{peer_key, peer}, {"len", len}, {"why", why}});
}

}  // namespace orrery::net
