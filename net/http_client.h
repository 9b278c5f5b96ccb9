// HttpClient: one persistent HTTP/1.1 connection that POSTs one request at a time, for load
// generators that talk to an HTTP API (`orrery bench cluster --compare etcd` drives etcd's JSON
// gateway with one HttpClient per closed-loop client).
//
// net/http.h's HttpGet opens a connection per request and reads to its end; a load generator
// must not pay a TCP handshake per operation, so this client keeps its connection open
// (keep-alive is HTTP/1.1's default) and delimits each response by its Content-Length. A
// response without one (chunked, or delimited by close) is refused as an error: etcd's gateway
// sends a Content-Length on the small replies the bench reads.
//
// Outcomes: the reply (any status: the caller judges it); kIOError when the connection failed or
// the response was malformed (the connection is then closed and the next Post reconnects);
// kTimeout when no whole reply came within the timeout (the request may have been applied).
//
// Invariants: at most one request is outstanding (REQUIRES !busy() for Post); `done` runs exactly
// once per Post, from the io_context's thread, never from inside Post; the destructor cancels an
// outstanding request without running its callback.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "net/cluster_config.h"
#include "net/http.h"

namespace orrery::net {

// The length of the first whole response in `buffered` (head plus Content-Length bytes of body),
// nullopt while more bytes are needed, or kInvalidArgument for a head without a usable
// Content-Length or one longer than kMaxHeadBytes.
Result<std::optional<size_t>> CompleteResponseLength(std::string_view buffered);

class HttpClient {
public:
    using Done = std::function<void(Result<HttpReply>)>;

    // A client of `address` ("host:port"); it connects on the first Post.
    HttpClient(boost::asio::io_context& io, HostPort address, std::chrono::milliseconds timeout);
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // POSTs `body` (Content-Type: application/json) to `path`. REQUIRES: !busy().
    void Post(std::string path, std::string body, Done done);
    bool busy() const { return done_ != nullptr; }
    // Connections opened so far (1 for a client whose connection never broke).
    uint64_t connects() const { return connects_; }

private:
    struct State;  // Shared with the socket's callbacks, which may outlive a call.
    void Send();
    void ReadMore();
    void Finish(Result<HttpReply> reply, bool keep_connection);

    boost::asio::io_context& io_;
    HostPort address_;
    std::chrono::milliseconds timeout_;
    std::shared_ptr<State> state_;
    Done done_;
    std::string request_;
    uint64_t connects_ = 0;
};

}  // namespace orrery::net
