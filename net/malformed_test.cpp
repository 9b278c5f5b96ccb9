// Malformed input at both ports: random bytes, an oversized length, a truncated frame, a wrong
// version, a bad or missing hello. Each must close *that* connection, be logged and counted,
// and leave the node delivering valid traffic from peers and clients.
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "core/coding.h"
#include "net/frame.h"
#include "net/loop_for_test.h"
#include "net/test_node_for_test.h"

namespace orrery::net {
namespace {

using boost::asio::ip::tcp;

// A frame with an arbitrary header, for building broken ones.
std::string RawFrame(uint32_t length, uint8_t version, std::string_view body) {
    std::string out;
    PutFixed32(&out, length);
    out.push_back(static_cast<char>(version));
    out.append(body);
    return out;
}

std::string RandomBytes(uint64_t seed, size_t n) {
    Random random(seed);
    std::string out;
    for (size_t i = 0; i < n; ++i) out.push_back(static_cast<char>(random.Uniform(256)));
    return out;
}

struct Case {
    std::string name;
    std::string bytes;      // What the attacker writes before half-closing its side.
    std::string reason;     // A piece of the logged reason.
};

std::vector<Case> Cases(bool client_port) {
    Hello hello = client_port ? Hello{HelloRole::kClient, 0} : Hello{HelloRole::kPeer, 9};
    std::string good_hello = EncodeFrame(EncodeHello(hello));
    Hello wrong_role = client_port ? Hello{HelloRole::kPeer, 9} : Hello{HelloRole::kClient, 0};
    return {
        {"random bytes", "GET / HTTP/1.1\r\n" + RandomBytes(7, 300), "frame length"},
        {"random bytes after a hello", good_hello + RandomBytes(8, 64), "corruption"},
        {"oversized length", good_hello + RawFrame(kMaxFrameLength + 1, kFrameVersion, "xx"),
         "frame length 16777217"},
        {"truncated frame", good_hello + RawFrame(100, kFrameVersion, "only ten.."),
         "stream ended inside a frame"},
        {"wrong version", RawFrame(1 + kHelloBytes, 2, EncodeHello(hello)), "frame version 2"},
        {"no hello", EncodeFrame("just data"), "first frame is not a hello"},
        {"hello of the other role", EncodeFrame(EncodeHello(wrong_role)), "hello on the"},
    };
}

// Connects a raw socket, writes the bytes, half-closes, and returns true iff the node then
// closes the connection (the read sees end of stream or a reset).
bool SendAndExpectClose(boost::asio::io_context& io, uint16_t port, const std::string& bytes) {
    tcp::socket raw(io);
    raw.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    boost::asio::write(raw, boost::asio::buffer(bytes));
    raw.shutdown(tcp::socket::shutdown_send);
    bool closed = false;
    std::string sink(256, '\0');
    auto on_read = [&](const boost::system::error_code& ec, size_t) { closed = bool(ec); };
    boost::asio::async_read(raw, boost::asio::buffer(sink), on_read);
    bool done = RunUntil(io, [&] { return closed; }, std::chrono::milliseconds(3000));
    return done;
}

void CheckStillServing(boost::asio::io_context& io, TestNode& n1, TestNode& n2,
                       TestClient& client, size_t round) {
    n2.net->Send(NodeId(1), fmt::format("peer {}", round));
    client.client->Send(NodeId(1), fmt::format("client {}", round));
    REQUIRE(RunUntil(io, [&] { return n1.inbox.size() == 2 * (round + 1); }));
    CHECK(n1.inbox[2 * round].bytes == fmt::format("peer {}", round));
    CHECK(n1.inbox[2 * round + 1].bytes == fmt::format("client {}", round));
}

void RunMalformedCases(bool client_port) {
    boost::asio::io_context io;
    TestNode n1(io, 1), n2(io, 2);
    Introduce({&n1, &n2});
    TestClient client(io, {{NodeId(1), n1.client_address()}});
    CheckStillServing(io, n1, n2, client, 0);
    uint16_t port = client_port ? n1.net->client_port() : n1.net->peer_port();
    size_t round = 1;
    for (const Case& c : Cases(client_port)) {
        INFO((client_port ? "client port: " : "peer port: ") + c.name);
        uint64_t malformed_before = n1.net->stats().malformed;
        size_t lines_before = n1.log_lines.size();
        CHECK(SendAndExpectClose(io, port, c.bytes));
        REQUIRE(RunUntil(io, [&] { return n1.net->stats().malformed == malformed_before + 1; }));
        bool logged = false;
        for (size_t i = lines_before; i < n1.log_lines.size(); ++i) {
            logged = logged || n1.log_lines[i].find(c.reason) != std::string::npos;
        }
        CHECK(logged);
        CheckStillServing(io, n1, n2, client, round++);
    }
    CHECK(n1.net->stats().delivered == 2 * round);
}

TEST_CASE("malformed input on the client port closes only that connection", "[net]") {
    RunMalformedCases(/*client_port=*/true);
}

TEST_CASE("malformed input on the peer port closes only that connection", "[net]") {
    RunMalformedCases(/*client_port=*/false);
}

TEST_CASE("a connection that never says hello is closed after the hello timeout", "[net]") {
    boost::asio::io_context io;
    TcpNetworkOptions quick;
    quick.hello_timeout = Duration::Millis(50);
    TestNode n1(io, 1, quick);
    for (uint16_t port : {n1.net->client_port(), n1.net->peer_port()}) {
        tcp::socket silent(io);
        silent.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
        uint64_t before = n1.net->stats().malformed;
        REQUIRE(RunUntil(io, [&] { return n1.net->stats().malformed == before + 1; }));
        std::string sink(16, '\0');
        boost::system::error_code ec;
        silent.read_some(boost::asio::buffer(sink), ec);
        CHECK(ec);  // Closed by the node: end of stream (or a reset).
    }
    CHECK(n1.Logged("no hello within 50.000ms"));
    // A client that does say hello in time is served.
    TestClient client(io, {{NodeId(1), n1.client_address()}});
    client.client->Send(NodeId(1), "in time");
    REQUIRE(RunUntil(io, [&] { return n1.inbox.size() == 1; }));
}

TEST_CASE("a peer that writes on its own outbound link is cut off and redialled", "[net]") {
    // n1 dials a fake "n2" that answers with bytes: the link treats that as a protocol error.
    boost::asio::io_context io;
    TestNode n1(io, 1);
    tcp::acceptor fake(io, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    n1.net->SetPeerAddress(NodeId(2), fmt::format("127.0.0.1:{}", fake.local_endpoint().port()));
    tcp::socket accepted(io);
    bool got_connection = false;
    fake.async_accept(accepted, [&](const boost::system::error_code& ec) {
        got_connection = !ec;
    });
    n1.net->Send(NodeId(2), "hello?");
    REQUIRE(RunUntil(io, [&] { return got_connection; }));
    boost::asio::write(accepted, boost::asio::buffer(EncodeFrame("unexpected")));
    REQUIRE(RunUntil(io, [&] { return n1.net->link_stats(NodeId(2)).disconnects == 1; }));
    CHECK(n1.Logged("a peer wrote on our outbound link"));
}

}  // namespace
}  // namespace orrery::net
