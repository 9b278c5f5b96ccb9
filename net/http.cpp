// The metrics endpoint's HTTP. See http.h.
#include "net/http.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>

#include <array>
#include <cctype>

#include "core/assert.h"
#include "net/cluster_config.h"

namespace orrery::net {
namespace {

// A response longer than this is not a metrics scrape: HttpGet stops reading.
constexpr size_t kMaxResponseBytes = 64 << 20;

bool IsToken(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if (u <= 32 || u >= 127 || std::string_view("()<>@,;:\\\"/[]?={}").find(c) != std::string_view::npos) {
            return false;
        }
    }
    return true;
}

}  // namespace

Result<HttpRequestHead> ParseRequestHead(std::string_view head) {
    size_t eol = head.find("\r\n");
    if (eol == std::string_view::npos) return Status::InvalidArgument("no request line");
    std::string_view line = head.substr(0, eol);
    // Request line: METHOD SP TARGET SP VERSION, exactly one space each.
    size_t sp1 = line.find(' ');
    size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
        return Status::InvalidArgument("malformed request line");
    }
    HttpRequestHead out;
    out.method = std::string(line.substr(0, sp1));
    std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    out.version = std::string(line.substr(sp2 + 1));
    if (!IsToken(out.method)) return Status::InvalidArgument("malformed method");
    if (target.empty() || target[0] != '/') return Status::InvalidArgument("target is not a path");
    if (out.version != "HTTP/1.0" && out.version != "HTTP/1.1") {
        return Status::InvalidArgument(fmt::format("unsupported version '{}'", out.version));
    }
    out.target = std::string(target.substr(0, target.find('?')));
    // Header lines: NAME ":" VALUE, until the blank line. Their values are not needed.
    std::string_view rest = head.substr(eol + 2);
    while (true) {
        size_t end = rest.find("\r\n");
        if (end == std::string_view::npos) return Status::InvalidArgument("unterminated head");
        std::string_view header = rest.substr(0, end);
        rest.remove_prefix(end + 2);
        if (header.empty()) break;
        size_t colon = header.find(':');
        if (colon == std::string_view::npos || !IsToken(header.substr(0, colon))) {
            return Status::InvalidArgument("malformed header line");
        }
    }
    return out;
}

std::string HttpResponse(int status, std::string_view reason, std::string_view content_type,
                         std::string_view body, std::string_view extra_headers) {
    return fmt::format(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n{}\r\n{}",
        status, reason, content_type, body.size(), extra_headers, body);
}

Result<HttpReply> ParseResponse(std::string_view bytes) {
    size_t head_end = bytes.find("\r\n\r\n");
    if (head_end == std::string_view::npos) return Status::InvalidArgument("no end of the response head");
    std::string_view head = bytes.substr(0, head_end + 2);
    if (!head.starts_with("HTTP/1.0 ") && !head.starts_with("HTTP/1.1 ")) {
        return Status::InvalidArgument("not an HTTP/1.x response");
    }
    std::string_view code = head.substr(9, 3);
    if (code.size() != 3 || !std::isdigit(static_cast<unsigned char>(code[0])) ||
        !std::isdigit(static_cast<unsigned char>(code[1])) ||
        !std::isdigit(static_cast<unsigned char>(code[2]))) {
        return Status::InvalidArgument("no numeric status");
    }
    HttpReply reply;
    reply.status = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
    reply.body = std::string(bytes.substr(head_end + 4));
    // Content-Length, when given, must be met (a short body is a cut connection).
    for (size_t at = head.find("\r\n"); at != std::string_view::npos && at + 2 < head.size();
         at = head.find("\r\n", at + 2)) {
        std::string_view line = head.substr(at + 2, head.find("\r\n", at + 2) - at - 2);
        std::string name(line.substr(0, line.find(':')));
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (name != "content-length" || line.find(':') == std::string_view::npos) continue;
        std::string_view value = line.substr(line.find(':') + 1);
        while (value.starts_with(' ')) value.remove_prefix(1);
        size_t length = 0;
        for (char c : value) {
            if (!std::isdigit(static_cast<unsigned char>(c))) return Status::InvalidArgument("bad Content-Length");
            length = length * 10 + static_cast<size_t>(c - '0');
            if (length > kMaxResponseBytes) return Status::InvalidArgument("Content-Length too large");
        }
        if (reply.body.size() < length) {
            return Status::InvalidArgument(fmt::format("body of {} bytes, Content-Length {}",
                                                       reply.body.size(), length));
        }
        reply.body.resize(length);
    }
    return reply;
}

Result<HttpReply> HttpGet(const std::string& address, const std::string& path,
                          std::chrono::milliseconds timeout) {
    ORRERY_ASSIGN_OR_RETURN(HostPort hp, ParseHostPort(address));
    namespace asio = boost::asio;
    boost::system::error_code ec;
    asio::ip::address host = asio::ip::make_address(hp.host, ec);
    if (ec) return Status::InvalidArgument(fmt::format("bad host '{}'", hp.host));
    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    std::string request = fmt::format("GET {} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
                                      path, address);
    std::string response;
    std::array<char, 16384> buf{};
    Status outcome = Status::Timeout(fmt::format("{}: no full answer within {} ms", address,
                                                 timeout.count()));
    bool done = false;
    std::function<void()> read_more = [&] {
        socket.async_read_some(asio::buffer(buf), [&](boost::system::error_code e, size_t n) {
            response.append(buf.data(), n);
            if (e == asio::error::eof) {
                outcome = Status::Ok();
                done = true;
            } else if (e) {
                outcome = Status::IOError(fmt::format("{}: {}", address, e.message()));
                done = true;
            } else if (response.size() > kMaxResponseBytes) {
                outcome = Status::InvalidArgument(fmt::format("{}: response too large", address));
                done = true;
            } else {
                read_more();
            }
        });
    };
    socket.async_connect({host, hp.port}, [&](boost::system::error_code e) {
        if (e) {
            outcome = Status::Unavailable(fmt::format("{}: {}", address, e.message()));
            done = true;
            return;
        }
        asio::async_write(socket, asio::buffer(request), [&](boost::system::error_code w, size_t) {
            if (w) {
                outcome = Status::IOError(fmt::format("{}: {}", address, w.message()));
                done = true;
                return;
            }
            read_more();
        });
    });
    io.run_for(timeout);
    if (!done) return outcome;  // The timeout's status.
    ORRERY_RETURN_IF_ERROR(outcome);
    return ParseResponse(response);
}

// ---- HttpServer ----

Result<std::unique_ptr<HttpServer>> HttpServer::Create(boost::asio::io_context& io,
                                                       HttpServerOptions options, MetricsFn metrics,
                                                       Logger& log) {
    ORRERY_ASSERT(metrics != nullptr);
    std::unique_ptr<HttpServer> server(new HttpServer(io, std::move(options), std::move(metrics), log));
    StreamListenerOptions so;
    so.listen = server->options_.listen;
    HttpServer* self = server.get();
    ORRERY_ASSIGN_OR_RETURN(
        server->listener_,
        StreamListener::Create(
            io, so, [self](std::shared_ptr<StreamConnection> c) { self->OnAccept(std::move(c)); },
            log));
    return server;
}

HttpServer::HttpServer(boost::asio::io_context& io, HttpServerOptions options, MetricsFn metrics,
                       Logger& log)
    : io_(io), options_(std::move(options)), metrics_(std::move(metrics)), log_(log) {}

HttpServer::~HttpServer() {
    listener_.reset();
    // Detach: no callback of a connection may run into a destroyed server.
    for (auto& [id, conn] : conns_) {
        conn.stream->Detach();
        if (conn.idle) conn.idle->cancel();
    }
}

void HttpServer::OnAccept(std::shared_ptr<StreamConnection> stream) {
    uint64_t id = ++next_id_;
    Conn& conn = conns_[id];
    conn.stream = stream;
    stream->Start([this, id](std::string_view bytes) { OnBytes(id, bytes); },
                  [this, id](const Status&) {
                      auto it = conns_.find(id);
                      if (it == conns_.end()) return;
                      if (it->second.idle) it->second.idle->cancel();
                      conns_.erase(it);
                  });
    if (conns_.size() > options_.max_connections) {
        Answer(conn, HttpResponse(503, "Service Unavailable", "text/plain",
                                  "too many connections\n"));
        return;
    }
    conn.idle = std::make_unique<boost::asio::steady_timer>(io_, options_.idle_timeout);
    conn.idle->async_wait([this, id](const boost::system::error_code& ec) {
        if (ec) return;  // Cancelled: answered or closed.
        auto it = conns_.find(id);
        if (it == conns_.end() || it->second.answered) return;
        it->second.answered = true;
        it->second.stream->Close();  // Sent nothing whole in time: just close.
    });
}

void HttpServer::OnBytes(uint64_t id, std::string_view bytes) {
    auto it = conns_.find(id);
    if (it == conns_.end() || it->second.answered) return;  // Anything after the head is ignored.
    Conn& conn = it->second;
    conn.head.append(bytes);
    size_t end = conn.head.find("\r\n\r\n");
    if (end == std::string::npos) {
        if (conn.head.size() > kMaxHeadBytes) {
            Answer(conn, HttpResponse(431, "Request Header Fields Too Large", "text/plain",
                                      "request head too large\n"));
        }
        return;
    }
    if (end + 4 > kMaxHeadBytes) {
        Answer(conn, HttpResponse(431, "Request Header Fields Too Large", "text/plain",
                                  "request head too large\n"));
        return;
    }
    Answer(conn, Respond(std::string_view(conn.head).substr(0, end + 4)));
}

void HttpServer::Answer(Conn& conn, const std::string& response) {
    conn.answered = true;
    if (conn.idle) conn.idle->cancel();
    conn.stream->Write(response);
    conn.stream->Close();  // Writes the response out, then closes: one request per connection.
}

std::string HttpServer::Respond(std::string_view head) {
    ++requests_;
    auto request = ParseRequestHead(head);
    if (!request.ok()) {
        log_.Debug("metrics: bad request: {}", request.status().message());
        return HttpResponse(400, "Bad Request", "text/plain", request.status().message() + "\n");
    }
    bool head_only = request->method == "HEAD";
    if (request->method != "GET" && !head_only) {
        return HttpResponse(405, "Method Not Allowed", "text/plain", "only GET and HEAD\n",
                            "Allow: GET, HEAD\r\n");
    }
    std::string body, type = "text/plain; charset=utf-8";
    int status = 200;
    std::string_view reason = "OK";
    if (request->target == "/metrics") {
        body = metrics_();
        type = "text/plain; version=0.0.4; charset=utf-8";
    } else if (request->target == "/") {
        body = "Orrery node: metrics at /metrics\n";
    } else {
        status = 404;
        reason = "Not Found";
        body = fmt::format("no {} here: metrics at /metrics\n", request->target);
    }
    std::string response = HttpResponse(status, reason, type, body);
    // HEAD: the same head, with the Content-Length of the body it does not send.
    if (head_only) response.resize(response.size() - body.size());
    return response;
}

}  // namespace orrery::net
