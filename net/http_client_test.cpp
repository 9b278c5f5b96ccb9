// The keep-alive POST client: responses delimited by Content-Length (whole, split, or two in
// one read), one connection for many requests, a reconnect after the server closes, a timeout
// when it never answers, and the responses it refuses.
#include "net/http_client.h"

#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>

#include <deque>

#include "net/loop_for_test.h"

namespace orrery::net {
namespace {

TEST_CASE("a response's length comes from its Content-Length", "[http]") {
    std::string whole = HttpResponse(200, "OK", "application/json", "{}");
    auto n = CompleteResponseLength(whole);
    REQUIRE(n.ok());
    CHECK(**n == whole.size());
    CHECK(**CompleteResponseLength(whole + "HTTP/1.1 200") == whole.size());  // The next one waits.
    CHECK(!CompleteResponseLength(whole.substr(0, whole.size() - 1))->has_value());
    CHECK(!CompleteResponseLength("HTTP/1.1 200 OK\r\nContent-").value().has_value());
    CHECK(!CompleteResponseLength("HTTP/1.1 200 OK\r\n\r\n").ok());  // No Content-Length.
    CHECK(!CompleteResponseLength("HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n").ok());
    CHECK(!CompleteResponseLength("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n").ok());
    CHECK(**CompleteResponseLength("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n") == 38);
    CHECK(!CompleteResponseLength(std::string(kMaxHeadBytes + 1, 'x')).ok());
}

// A server on a free port that answers each request head with the next scripted bytes (after
// reading the request's body), on the test's io_context; an empty script entry closes the
// connection, "hang" answers nothing.
class ScriptedServer {
public:
    explicit ScriptedServer(boost::asio::io_context& io, std::deque<std::string> script)
        : io_(io), acceptor_(io, {boost::asio::ip::make_address("127.0.0.1"), 0}),
          script_(std::move(script)) {
        Accept();
    }
    HostPort address() const { return {"127.0.0.1", acceptor_.local_endpoint().port()}; }
    int accepted = 0;
    std::vector<std::string> bodies;

private:
    struct Conn {
        explicit Conn(boost::asio::io_context& io) : socket(io) {}
        boost::asio::ip::tcp::socket socket;
        std::string in;
    };
    void Accept() {
        auto c = std::make_shared<Conn>(io_);
        acceptor_.async_accept(c->socket, [this, c](const boost::system::error_code& ec) {
            if (ec) return;
            ++accepted;
            Serve(c);
            Accept();
        });
    }
    void Serve(std::shared_ptr<Conn> c) {
        boost::asio::async_read_until(
            c->socket, boost::asio::dynamic_buffer(c->in), "\r\n\r\n",
            [this, c](const boost::system::error_code& ec, size_t head) {
                if (ec) return;
                size_t at = c->in.find("Content-Length: ");
                size_t length = std::stoul(c->in.substr(at + 16));
                size_t missing = head + length - std::min(c->in.size(), head + length);
                boost::asio::async_read(
                    c->socket, boost::asio::dynamic_buffer(c->in),
                    boost::asio::transfer_exactly(missing),
                    [this, c, head, length](const boost::system::error_code& e, size_t) {
                        if (e) return;
                        bodies.push_back(c->in.substr(head, length));
                        c->in.erase(0, head + length);
                        Answer(c);
                    });
            });
    }
    void Answer(std::shared_ptr<Conn> c) {
        std::string next = script_.empty() ? std::string() : script_.front();
        if (!script_.empty()) script_.pop_front();
        if (next == "hang") return Serve(c);
        if (next.empty()) return c->socket.close();
        auto out = std::make_shared<std::string>(std::move(next));
        boost::asio::async_write(c->socket, boost::asio::buffer(*out),
                                 [this, c, out](const boost::system::error_code& e, size_t) {
                                     if (!e) Serve(c);
                                 });
    }

    boost::asio::io_context& io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::deque<std::string> script_;
};

// Posts `body` and runs the loop until the reply.
Result<HttpReply> PostAndWait(boost::asio::io_context& io, HttpClient& client, std::string body) {
    std::optional<Result<HttpReply>> got;
    client.Post("/v3/kv/put", std::move(body), [&](Result<HttpReply> r) { got = std::move(r); });
    REQUIRE(client.busy());
    REQUIRE(RunUntil(io, [&] { return got.has_value(); }));
    CHECK(!client.busy());
    return std::move(*got);
}

TEST_CASE("the client keeps one connection for many requests and reconnects after a close",
          "[http]") {
    boost::asio::io_context io;
    ScriptedServer server(io, {HttpResponse(200, "OK", "application/json", "one"),
                               HttpResponse(404, "Not Found", "text/plain", "two"),
                               "", HttpResponse(200, "OK", "application/json", "three")});
    HttpClient client(io, server.address(), std::chrono::milliseconds(2000));
    auto one = PostAndWait(io, client, "{\"a\":1}");
    REQUIRE(one.ok());
    CHECK(one->status == 200);
    CHECK(one->body == "one");
    auto two = PostAndWait(io, client, "{}");
    REQUIRE(two.ok());
    CHECK(two->status == 404);  // Any status is the caller's to judge.
    CHECK(two->body == "two");
    CHECK(client.connects() == 1);
    CHECK(server.accepted == 1);
    auto closed = PostAndWait(io, client, "{}");  // The server closes without an answer.
    CHECK(closed.status().Is(Code::kIOError));
    auto three = PostAndWait(io, client, "{}");
    REQUIRE(three.ok());
    CHECK(three->body == "three");
    CHECK(client.connects() == 2);
    CHECK(server.bodies == std::vector<std::string>{"{\"a\":1}", "{}", "{}", "{}"});
}

TEST_CASE("the client times out on a silent server and refuses an undelimited response",
          "[http]") {
    boost::asio::io_context io;
    ScriptedServer server(io, {"hang", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                               HttpResponse(200, "OK", "application/json", "ok")});
    HttpClient client(io, server.address(), std::chrono::milliseconds(300));
    auto silent = PostAndWait(io, client, "{}");
    CHECK(silent.status().Is(Code::kTimeout));
    auto chunked = PostAndWait(io, client, "{}");
    CHECK(chunked.status().Is(Code::kIOError));
    auto ok = PostAndWait(io, client, "{}");
    REQUIRE(ok.ok());
    CHECK(ok->body == "ok");
    CHECK(client.connects() == 3);  // A timeout and a malformed reply each close the connection.
}

TEST_CASE("a client with nothing listening fails its request", "[http]") {
    boost::asio::io_context io;
    uint16_t port = 0;
    {
        boost::asio::ip::tcp::acceptor probe(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
        port = probe.local_endpoint().port();
    }
    HttpClient client(io, {"127.0.0.1", port}, std::chrono::milliseconds(1000));
    auto r = PostAndWait(io, client, "{}");
    CHECK(r.status().Is(Code::kIOError));
    CHECK(r.status().message().starts_with("connect:"));
}

}  // namespace
}  // namespace orrery::net
