// TcpClient: one kClient OutboundLink per server. See tcp_client.h.
#include "net/tcp_client.h"

#include <fmt/format.h>

#include "core/checksum.h"

namespace orrery::net {

TcpClient::TcpClient(boost::asio::io_context& io, TcpClientOptions options, Random& random,
                     Logger& log, Tracer& tracer)
    : io_(io),
      options_(std::move(options)),
      random_(random),
      log_(log),
      tracer_(tracer),
      self_(options_.requested_id) {}

TcpClient::~TcpClient() = default;

void TcpClient::Send(NodeId to, std::string bytes) {
    tracer_.Record(self_, "send", {{"to", to}, {"len", bytes.size()}, {"h", Hash64(bytes)}});
    OutboundLink* link = bytes.size() <= kMaxPayloadBytes ? LinkTo(to) : nullptr;
    if (link == nullptr) {
        ++dropped_no_route_;
        tracer_.Record(self_, "drop", {{"to", to}, {"len", bytes.size()}, {"why", "no_route"}});
        return;
    }
    if (!link->Send(EncodeFrame(bytes))) {
        tracer_.Record(self_, "drop", {{"to", to}, {"len", bytes.size()}, {"why", "queue_full"}});
    }
}

Status TcpClient::Connect(NodeId server) {
    OutboundLink* link = LinkTo(server);
    if (link == nullptr) return Status::NotFound(fmt::format("no address for {}", server));
    link->Start();
    return Status::Ok();
}

bool TcpClient::connected(NodeId server) const {
    auto it = links_.find(server);
    return it != links_.end() && it->second->answered();
}

LinkStats TcpClient::link_stats(NodeId server) const {
    auto it = links_.find(server);
    return it == links_.end() ? LinkStats{} : it->second->stats();
}

OutboundLink* TcpClient::LinkTo(NodeId server) {
    auto it = links_.find(server);
    if (it != links_.end()) return it->second.get();
    auto address = options_.servers.find(server);
    if (address == options_.servers.end()) return nullptr;
    LinkOptions link_options{address->second, Hello{HelloRole::kClient, options_.requested_id},
                             options_.queue, options_.backoff_initial, options_.backoff_max};
    auto link = std::make_unique<OutboundLink>(io_, server, std::move(link_options), random_, log_);
    // The link lives in links_ and is destroyed with this client, so capturing `this` is safe:
    // a destroyed link runs no callbacks.
    link->SetCallbacks(
        [this, server](std::string payload) {
            tracer_.Record(self_, "deliver",
                           {{"from", server}, {"len", payload.size()}, {"h", Hash64(payload)}});
            if (!handler_) return;
            Handler handler = handler_;
            handler(server, payload);
        },
        [this](const Hello& answer) { self_ = NodeId(answer.id); });
    return links_.emplace(server, std::move(link)).first->second.get();
}

}  // namespace orrery::net
