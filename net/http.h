// The little HTTP a metrics endpoint needs: `orrery node --metrics-port` answers GET /metrics
// with the node's Prometheus scrape (node/node_metrics.h), and `orrery cluster status --metrics`
// fetches it from every node.
//
// HTTP/1.0 and 1.1, one request per connection: the server reads a request head (at most
// kMaxHeadBytes, a body is never read), answers, and closes, so a reply is delimited by the
// end of the stream as well as by Content-Length. Answers:
//   GET or HEAD /metrics      200, text/plain; version=0.0.4 (Prometheus' text format)
//   GET or HEAD /             200, a one-line pointer to /metrics
//   any other path            404
//   any other method          405, with Allow: GET, HEAD
//   a malformed head          400; a head over kMaxHeadBytes: 431
// At most max_connections at once; more are answered 503 and closed. A client that sends
// nothing is closed after the idle timeout.
//
// REQUIRES: the server is used from its io_context's thread only.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "net/logger.h"
#include "net/stream_listener.h"

namespace orrery::net {

inline constexpr size_t kMaxHeadBytes = 8192;

struct HttpRequestHead {
    std::string method;   // "GET".
    std::string target;   // "/metrics" (a query string is cut off).
    std::string version;  // "HTTP/1.1".
};

// Parses a request head: the request line and header lines, up to and including the blank line.
// kInvalidArgument for a malformed request line or header line, or a version that is not HTTP/1.x.
Result<HttpRequestHead> ParseRequestHead(std::string_view head);

// A whole response: status line, headers, blank line, body.
std::string HttpResponse(int status, std::string_view reason, std::string_view content_type,
                         std::string_view body, std::string_view extra_headers = {});

struct HttpReply {
    int status = 0;
    std::string body;
};

// Parses a response read to the end of the stream. kInvalidArgument if it is not HTTP/1.x with a
// numeric status, or the body is shorter than its Content-Length.
Result<HttpReply> ParseResponse(std::string_view bytes);

// GET http://address/path, waiting at most `timeout` in all (connect, send, read to EOF), on its
// own io_context. kUnavailable when nothing listens, kTimeout when the server is too slow.
Result<HttpReply> HttpGet(const std::string& address, const std::string& path,
                          std::chrono::milliseconds timeout);

struct HttpServerOptions {
    std::string listen;                           // "host:port"; port 0 picks one (tests).
    size_t max_connections = 16;
    std::chrono::milliseconds idle_timeout{5000};  // For a client that sends no full head.
};

class HttpServer {
public:
    // Produces the body of GET /metrics, on every request.
    using MetricsFn = std::function<std::string()>;

    static Result<std::unique_ptr<HttpServer>> Create(boost::asio::io_context& io,
                                                      HttpServerOptions options, MetricsFn metrics,
                                                      Logger& log);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    uint16_t port() const { return listener_->port(); }
    uint64_t requests() const { return requests_; }

private:
    struct Conn {
        std::shared_ptr<StreamConnection> stream;
        std::string head;
        bool answered = false;
        std::unique_ptr<boost::asio::steady_timer> idle;
    };

    HttpServer(boost::asio::io_context& io, HttpServerOptions options, MetricsFn metrics,
               Logger& log);
    void OnAccept(std::shared_ptr<StreamConnection> stream);
    void OnBytes(uint64_t id, std::string_view bytes);
    void Answer(Conn& conn, const std::string& response);
    // The full reply to one complete head.
    std::string Respond(std::string_view head);

    boost::asio::io_context& io_;
    HttpServerOptions options_;
    MetricsFn metrics_;
    Logger& log_;
    std::unique_ptr<StreamListener> listener_;
    std::map<uint64_t, Conn> conns_;
    uint64_t next_id_ = 0;
    uint64_t requests_ = 0;
};

}  // namespace orrery::net
