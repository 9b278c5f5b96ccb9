// A keep-alive HTTP/1.1 POST client. See http_client.h.
#include "net/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>

#include <cctype>

#include "core/assert.h"

namespace orrery::net {
namespace {

// A body longer than this is not a reply the bench reads: the response is refused.
constexpr size_t kMaxBodyBytes = 1 << 20;

std::string Lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

}  // namespace

Result<std::optional<size_t>> CompleteResponseLength(std::string_view buffered) {
    size_t head_end = buffered.find("\r\n\r\n");
    if (head_end == std::string_view::npos) {
        if (buffered.size() > kMaxHeadBytes) {
            return Status::InvalidArgument("response head too large");
        }
        return std::optional<size_t>();
    }
    if (head_end + 4 > kMaxHeadBytes) return Status::InvalidArgument("response head too large");
    std::string_view head = buffered.substr(0, head_end + 2);  // Every line ends in CRLF.
    std::optional<size_t> length;
    // Header lines start after the status line; the first CRLF ends it.
    for (size_t at = head.find("\r\n") + 2; at < head.size();) {
        size_t eol = head.find("\r\n", at);
        std::string_view line = head.substr(at, eol - at);
        at = eol + 2;
        size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        std::string name = Lower(line.substr(0, colon));
        std::string_view value = line.substr(colon + 1);
        while (value.starts_with(' ')) value.remove_prefix(1);
        if (name == "transfer-encoding") {
            return Status::InvalidArgument("a Transfer-Encoding response is not supported");
        }
        if (name != "content-length") continue;
        size_t n = 0;
        for (char c : value) {
            if (!std::isdigit(static_cast<unsigned char>(c))) {
                return Status::InvalidArgument("bad Content-Length");
            }
            n = n * 10 + static_cast<size_t>(c - '0');
            if (n > kMaxBodyBytes) return Status::InvalidArgument("Content-Length too large");
        }
        if (value.empty()) return Status::InvalidArgument("bad Content-Length");
        length = n;
    }
    if (!length) return Status::InvalidArgument("a response without Content-Length");
    size_t total = head_end + 4 + *length;
    if (buffered.size() < total) return std::optional<size_t>();
    return std::optional<size_t>(total);
}

struct HttpClient::State {
    explicit State(boost::asio::io_context& io) : socket(io), timer(io) {}
    boost::asio::ip::tcp::socket socket;
    boost::asio::steady_timer timer;
    HttpClient* owner = nullptr;  // Null once the client is destroyed.
    bool connected = false;
    uint64_t op = 0;              // Callbacks of an earlier op see another value and return.
    std::string in;               // Bytes received and not yet consumed.
    std::array<char, 16384> buf{};

    bool Live(uint64_t of) const { return owner != nullptr && op == of; }
};

HttpClient::HttpClient(boost::asio::io_context& io, HostPort address,
                       std::chrono::milliseconds timeout)
    : io_(io), address_(std::move(address)), timeout_(timeout),
      state_(std::make_shared<State>(io)) {
    state_->owner = this;
}

HttpClient::~HttpClient() {
    state_->owner = nullptr;  // Pending callbacks return without touching this object.
    boost::system::error_code ignored;
    state_->timer.cancel();
    state_->socket.close(ignored);
}

void HttpClient::Post(std::string path, std::string body, Done done) {
    ORRERY_ASSERT(!busy(), "HttpClient::Post while a request is outstanding");
    ORRERY_ASSERT(done != nullptr);
    done_ = std::move(done);
    request_ = fmt::format("POST {} HTTP/1.1\r\nHost: {}:{}\r\nContent-Type: application/json\r\n"
                           "Content-Length: {}\r\n\r\n{}",
                           path, address_.host, address_.port, body.size(), body);
    std::shared_ptr<State> s = state_;
    uint64_t op = ++s->op;
    s->timer.expires_after(timeout_);
    s->timer.async_wait([s, op](const boost::system::error_code& ec) {
        if (ec || !s->Live(op)) return;
        s->owner->Finish(Status::Timeout(fmt::format("no reply within {} ms",
                                                     s->owner->timeout_.count())),
                         /*keep_connection=*/false);
    });
    if (s->connected) return Send();
    boost::system::error_code ec;
    auto host = boost::asio::ip::make_address(address_.host, ec);
    if (ec) {  // Reported from the loop, not from inside Post.
        boost::asio::post(io_, [s, op, host = address_.host] {
            if (s->Live(op)) s->owner->Finish(Status::IOError("bad host " + host), false);
        });
        return;
    }
    ++connects_;
    s->socket.async_connect({host, address_.port}, [s, op](const boost::system::error_code& e) {
        if (!s->Live(op)) return;
        if (e) return s->owner->Finish(Status::IOError("connect: " + e.message()), false);
        boost::system::error_code ignored;
        s->socket.set_option(boost::asio::ip::tcp::no_delay(true), ignored);
        s->connected = true;
        s->owner->Send();
    });
}

void HttpClient::Send() {
    std::shared_ptr<State> s = state_;
    uint64_t op = s->op;
    boost::asio::async_write(s->socket, boost::asio::buffer(request_),
                             [s, op](const boost::system::error_code& e, size_t) {
                                 if (!s->Live(op)) return;
                                 if (e) {
                                     return s->owner->Finish(
                                         Status::IOError("write: " + e.message()), false);
                                 }
                                 s->owner->ReadMore();
                             });
}

void HttpClient::ReadMore() {
    std::shared_ptr<State> s = state_;
    Result<std::optional<size_t>> length = CompleteResponseLength(s->in);
    if (!length.ok()) return Finish(length.status(), /*keep_connection=*/false);
    if (length->has_value()) {
        Result<HttpReply> reply = ParseResponse(std::string_view(s->in).substr(0, **length));
        s->in.erase(0, **length);
        bool ok = reply.ok();
        return Finish(std::move(reply), /*keep_connection=*/ok);
    }
    uint64_t op = s->op;
    s->socket.async_read_some(boost::asio::buffer(s->buf),
                              [s, op](const boost::system::error_code& e, size_t n) {
                                  if (!s->Live(op)) return;
                                  s->in.append(s->buf.data(), n);
                                  if (e) {
                                      return s->owner->Finish(
                                          Status::IOError("read: " + e.message()), false);
                                  }
                                  s->owner->ReadMore();
                              });
}

void HttpClient::Finish(Result<HttpReply> reply, bool keep_connection) {
    ORRERY_ASSERT(busy(), "HttpClient::Finish without a request");
    ++state_->op;  // Whatever else is pending for this op now returns.
    state_->timer.cancel();
    if (!keep_connection) {
        boost::system::error_code ignored;
        state_->socket.close(ignored);
        state_->connected = false;
        state_->in.clear();
    }
    if (!reply.ok() && reply.status().Is(Code::kInvalidArgument)) {
        reply = Status::IOError("malformed response: " + reply.status().message());
    }
    Done done = std::move(done_);
    done_ = nullptr;
    done(std::move(reply));
}

}  // namespace orrery::net
