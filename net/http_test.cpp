// The metrics endpoint's HTTP: the request-head and response parsers, and a live server on a
// free port answering GET, HEAD, unknown paths, other methods, garbage and oversized heads.
#include "net/http.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>

#include <future>

#include "net/loop_for_test.h"

namespace orrery::net {
namespace {

TEST_CASE("a request head is parsed, and a malformed one refused", "[http]") {
    auto head = ParseRequestHead("GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\n");
    REQUIRE(head.ok());
    CHECK(head->method == "GET");
    CHECK(head->target == "/metrics");
    CHECK(head->version == "HTTP/1.1");
    auto error = [](std::string_view text) {
        auto h = ParseRequestHead(text);
        return h.ok() ? std::string("ok") : h.status().message();
    };
    CHECK(error("GET / HTTP/1.0\r\n\r\n") == "ok");
    CHECK(error("GET /\r\n\r\n") == "malformed request line");
    CHECK(error("GET  / HTTP/1.1\r\n\r\n") == "malformed request line");
    CHECK(error("GET metrics HTTP/1.1\r\n\r\n") == "target is not a path");
    CHECK(error("GET / HTTP/2\r\n\r\n") == "unsupported version 'HTTP/2'");
    CHECK(error("G(T / HTTP/1.1\r\n\r\n") == "malformed method");
    CHECK(error("GET / HTTP/1.1\r\nno colon\r\n\r\n") == "malformed header line");
    CHECK(error("GET / HTTP/1.1\r\nHost: a\r\n") == "unterminated head");
}

TEST_CASE("a response is parsed, and a cut one refused", "[http]") {
    auto reply = ParseResponse(HttpResponse(200, "OK", "text/plain", "hello\n"));
    REQUIRE(reply.ok());
    CHECK(reply->status == 200);
    CHECK(reply->body == "hello\n");
    std::string cut = HttpResponse(200, "OK", "text/plain", "hello\n");
    cut.pop_back();
    CHECK(ParseResponse(cut).status().message() == "body of 5 bytes, Content-Length 6");
    CHECK(!ParseResponse("SSH-2.0-OpenSSH\r\n\r\n").ok());
    CHECK(!ParseResponse("HTTP/1.1 200 OK\r\n").ok());
}

// Sends raw bytes to 127.0.0.1:port from another thread and reads to the end of the stream,
// while this thread runs the server's loop.
std::string Exchange(boost::asio::io_context& io, uint16_t port, std::string bytes) {
    auto future = std::async(std::launch::async, [port, bytes] {
        boost::asio::io_context client_io;
        boost::asio::ip::tcp::socket socket(client_io);
        socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
        boost::asio::write(socket, boost::asio::buffer(bytes));
        std::string out;
        boost::system::error_code ec;
        boost::asio::read(socket, boost::asio::dynamic_buffer(out), ec);  // To EOF.
        return out;
    });
    REQUIRE(RunUntil(io, [&] {
        return future.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
    }));
    return future.get();
}

TEST_CASE("the server answers /metrics, and refuses what it does not serve", "[http]") {
    boost::asio::io_context io;
    Logger log("test", LogLevel::kError);
    int scrapes = 0;
    HttpServerOptions options;
    options.listen = "127.0.0.1:0";
    auto server = HttpServer::Create(io, options, [&] {
        ++scrapes;
        return std::string("orrery_up 1\n");
    }, log);
    REQUIRE(server.ok());
    uint16_t port = (*server)->port();

    // GET through the client the CLI uses.
    auto get = std::async(std::launch::async, [port] {
        return HttpGet(fmt::format("127.0.0.1:{}", port), "/metrics", std::chrono::seconds(5));
    });
    REQUIRE(RunUntil(io, [&] { return get.wait_for(std::chrono::seconds(0)) == std::future_status::ready; }));
    auto reply = get.get();
    REQUIRE(reply.ok());
    CHECK(reply->status == 200);
    CHECK(reply->body == "orrery_up 1\n");
    CHECK(scrapes == 1);

    std::string head = Exchange(io, port, "HEAD /metrics HTTP/1.0\r\n\r\n");
    CHECK(head.starts_with("HTTP/1.1 200 OK\r\n"));
    CHECK(head.find("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n") != std::string::npos);
    CHECK(head.find("Content-Length: 12\r\n") != std::string::npos);
    CHECK(head.ends_with("\r\n\r\n"));  // No body.

    CHECK(Exchange(io, port, "GET /nope HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 404 Not Found\r\n"));
    std::string post = Exchange(io, port, "POST /metrics HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi");
    CHECK(post.starts_with("HTTP/1.1 405 Method Not Allowed\r\n"));
    CHECK(post.find("Allow: GET, HEAD\r\n") != std::string::npos);
    CHECK(Exchange(io, port, "hello\r\n\r\n").starts_with("HTTP/1.1 400 Bad Request\r\n"));
    CHECK(Exchange(io, port, "GET / HTTP/1.1\r\nX: " + std::string(kMaxHeadBytes, 'a'))
              .starts_with("HTTP/1.1 431 "));
    CHECK(scrapes == 2);  // HEAD built the body too; the refusals did not.
    CHECK((*server)->requests() == 5);  // The oversized head never became a request.
}

TEST_CASE("a GET from a port where nothing listens is unavailable", "[http]") {
    boost::asio::io_context io;
    Logger log("test", LogLevel::kError);
    HttpServerOptions options;
    options.listen = "127.0.0.1:0";
    uint16_t port = 0;
    {
        auto server = HttpServer::Create(io, options, [] { return std::string(); }, log);
        REQUIRE(server.ok());
        port = (*server)->port();
    }  // Closed again: nothing listens on the port now.
    auto reply = HttpGet(fmt::format("127.0.0.1:{}", port), "/metrics", std::chrono::seconds(2));
    CHECK(reply.status().code() == Code::kUnavailable);
    CHECK(HttpGet("nonsense", "/", std::chrono::seconds(1)).status().code() == Code::kInvalidArgument);
}

}  // namespace
}  // namespace orrery::net
