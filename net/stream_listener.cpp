// StreamListener and StreamConnection: raw byte streams on the node's event loop. See
// stream_listener.h.
#include "net/stream_listener.h"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>

#include "net/cluster_config.h"

namespace orrery::net {
namespace {

constexpr int kStreamListenBacklog = 64;

std::string RemoteOf(const boost::asio::ip::tcp::socket& socket) {
    boost::system::error_code ec;
    auto endpoint = socket.remote_endpoint(ec);
    if (ec) return "?";
    return fmt::format("{}:{}", endpoint.address().to_string(), endpoint.port());
}

}  // namespace

StreamConnection::StreamConnection(boost::asio::ip::tcp::socket socket, size_t bytes_max,
                                   std::string label)
    : socket_(std::move(socket)), bytes_max_(bytes_max), label_(std::move(label)) {
    boost::system::error_code ignored;
    socket_.set_option(boost::asio::ip::tcp::no_delay(true), ignored);  // Request/response.
}

void StreamConnection::Start(BytesFn on_bytes, CloseFn on_close) {
    ORRERY_ASSERT(on_bytes && on_close, "StreamConnection::Start needs both callbacks");
    on_bytes_ = std::move(on_bytes);
    on_close_ = std::move(on_close);
    ReadMore();
}

void StreamConnection::ReadMore() {
    if (ended_ || closing_) return;
    socket_.async_read_some(
        boost::asio::buffer(read_buf_),
        [self = shared_from_this()](const boost::system::error_code& ec, size_t n) {
            if (self->ended_ || self->closing_) return;
            if (ec) {
                self->End(ec == boost::asio::error::eof
                              ? Status::Ok()
                              : Status::IOError(fmt::format("read: {}", ec.message())));
                return;
            }
            // The owner may Close() or Detach() inside on_bytes; ReadMore checks.
            if (self->on_bytes_) self->on_bytes_(std::string_view(self->read_buf_.data(), n));
            self->ReadMore();
        });
}

void StreamConnection::Write(std::string_view bytes) {
    if (ended_ || closing_ || bytes.empty()) return;
    if (queued_bytes() + bytes.size() > bytes_max_) {
        End(Status::Busy(fmt::format(
            "{}: more than {} bytes queued for a client that does not read", label_, bytes_max_)));
        return;
    }
    queued_.append(bytes);
    if (writing_.empty()) WriteMore();
}

void StreamConnection::WriteMore() {
    if (ended_) return;
    if (queued_.empty()) {
        if (closing_) End(Status::Ok());
        return;
    }
    writing_ = std::move(queued_);
    queued_.clear();
    boost::asio::async_write(
        socket_, boost::asio::buffer(writing_),
        [self = shared_from_this()](const boost::system::error_code& ec, size_t) {
            if (self->ended_) return;
            self->writing_.clear();
            if (ec) {
                self->End(Status::IOError(fmt::format("write: {}", ec.message())));
                return;
            }
            self->WriteMore();
        });
}

void StreamConnection::Close() {
    if (ended_ || closing_) return;
    closing_ = true;  // The read in flight finds it and stops; End closes the socket.
    if (writing_.empty()) WriteMore();
}

void StreamConnection::Detach() {
    on_bytes_ = nullptr;
    on_close_ = nullptr;
    ended_ = true;
    boost::system::error_code ignored;
    socket_.close(ignored);
}

void StreamConnection::End(Status why) {
    if (ended_) return;
    ended_ = true;
    boost::system::error_code ignored;
    socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    on_bytes_ = nullptr;
    CloseFn on_close = std::move(on_close_);
    on_close_ = nullptr;
    if (!on_close) return;
    // Never inline: End may run inside the owner's Write or Close.
    boost::asio::post(socket_.get_executor(),
                      [self = shared_from_this(), on_close = std::move(on_close),
                       why = std::move(why)] { on_close(why); });
}

StreamListener::StreamListener(boost::asio::io_context& io, StreamListenerOptions options,
                               AcceptFn on_accept, Logger& log)
    : options_(std::move(options)),
      on_accept_(std::move(on_accept)),
      log_(log),
      acceptor_(io),
      alive_(std::make_shared<char>(0)) {}

Result<std::unique_ptr<StreamListener>> StreamListener::Create(boost::asio::io_context& io,
                                                               StreamListenerOptions options,
                                                               AcceptFn on_accept, Logger& log) {
    ORRERY_ASSERT(on_accept != nullptr, "StreamListener needs an accept callback");
    std::string address = options.listen;
    ORRERY_ASSIGN_OR_RETURN(HostPort hp, ParseHostPort(address));
    std::unique_ptr<StreamListener> l(
        new StreamListener(io, std::move(options), std::move(on_accept), log));
    boost::system::error_code ec;
    boost::asio::ip::tcp::resolver resolver(io);
    auto results = resolver.resolve(hp.host, std::to_string(hp.port), ec);
    if (ec || results.empty()) {
        return Status::InvalidArgument(fmt::format("resolve {}: {}", address, ec.message()));
    }
    boost::asio::ip::tcp::endpoint endpoint = results.begin()->endpoint();
    l->acceptor_.open(endpoint.protocol(), ec);
    if (!ec) l->acceptor_.set_option(boost::asio::ip::tcp::acceptor::reuse_address(true), ec);
    if (!ec) l->acceptor_.bind(endpoint, ec);
    if (!ec) l->acceptor_.listen(kStreamListenBacklog, ec);
    if (ec) return Status::IOError(fmt::format("listen on {}: {}", address, ec.message()));
    l->Accept();
    return l;
}

StreamListener::~StreamListener() {
    alive_.reset();
    boost::system::error_code ignored;
    acceptor_.close(ignored);
}

uint16_t StreamListener::port() const {
    boost::system::error_code ec;
    auto endpoint = acceptor_.local_endpoint(ec);
    return ec ? 0 : endpoint.port();
}

void StreamListener::Accept() {
    acceptor_.async_accept([this, alive = std::weak_ptr<char>(alive_)](
                               const boost::system::error_code& ec,
                               boost::asio::ip::tcp::socket socket) {
        if (alive.expired() || ec == boost::asio::error::operation_aborted) return;
        if (ec) {
            log_.Warn("accept on port {}: {}", port(), ec.message());
        } else {
            ++accepted_;
            std::string label = RemoteOf(socket);
            on_accept_(std::make_shared<StreamConnection>(std::move(socket), options_.bytes_max,
                                                          std::move(label)));
        }
        Accept();
    });
}

}  // namespace orrery::net
