// Tests of TcpNetwork and TcpClient over loopback: delivery, clients, reconnects, bounded
// queues, partitions. Each test picks free ports by binding port 0.
#include "net/tcp_network.h"

#include <boost/asio/post.hpp>
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <atomic>
#include <future>
#include <thread>

#include "net/loop_for_test.h"
#include "net/test_node_for_test.h"

namespace orrery::net {
namespace {

using std::chrono::milliseconds;

TEST_CASE("three transports exchange messages over loopback, in order per link", "[net]") {
    boost::asio::io_context io;
    TestNode n1(io, 1), n2(io, 2), n3(io, 3);
    Introduce({&n1, &n2, &n3});
    constexpr int kCount = 200;
    for (int i = 0; i < kCount; ++i) n1.net->Send(NodeId(2), fmt::format("m{}", i));
    n2.net->Send(NodeId(3), "two to three");
    n3.net->Send(NodeId(1), "three to one");
    n1.net->Send(NodeId(1), "one to itself");
    CHECK(n1.inbox.empty());  // Delivery is never inline in Send, not even to oneself.
    REQUIRE(RunUntil(io, [&] {
        return n2.inbox.size() == kCount && n3.inbox.size() == 1 && n1.inbox.size() == 2;
    }));
    for (int i = 0; i < kCount; ++i) {
        CHECK(n2.inbox[i].from == NodeId(1));
        CHECK(n2.inbox[i].bytes == fmt::format("m{}", i));
    }
    CHECK(n3.inbox[0].from == NodeId(2));
    CHECK(n3.inbox[0].bytes == "two to three");
    CHECK(n1.inbox[0].bytes == "one to itself");
    CHECK(n1.inbox[1].from == NodeId(3));
    CHECK(n1.net->stats().sent == kCount + 1);
    CHECK(n2.net->stats().delivered == kCount);
    CHECK(n1.net->connected_peers() == std::vector<NodeId>{NodeId(2)});
}

TEST_CASE("a large message crosses in one frame", "[net]") {
    boost::asio::io_context io;
    TestNode n1(io, 1), n2(io, 2);
    Introduce({&n1, &n2});
    std::string big(3u << 20, 'x');
    big[12345] = 'y';
    n1.net->Send(NodeId(2), big);
    n1.net->Send(NodeId(2), std::string(kMaxPayloadBytes + 1, 'z'));  // Too large: dropped.
    REQUIRE(RunUntil(io, [&] { return n2.inbox.size() == 1; }));
    CHECK(n2.inbox[0].bytes == big);
    CHECK(n1.net->stats().dropped_too_large == 1);
}

TEST_CASE("clients get endpoint ids and their replies on their own connection", "[net]") {
    boost::asio::io_context io;
    TestNode n1(io, 1);
    n1.net->SetHandler([&](NodeId from, std::string_view bytes) {
        n1.net->Send(from, fmt::format("re:{}", bytes));  // An echo server.
    });
    TestClient anonymous(io, {{NodeId(1), n1.client_address()}});
    TestClient named(io, {{NodeId(1), n1.client_address()}}, 1234);
    anonymous.client->Send(NodeId(1), "hi");
    named.client->Send(NodeId(1), "hello");
    REQUIRE(RunUntil(io, [&] { return anonymous.inbox.size() == 1 && named.inbox.size() == 1; }));
    CHECK(anonymous.inbox[0].from == NodeId(1));
    CHECK(anonymous.inbox[0].bytes == "re:hi");
    CHECK(named.inbox[0].bytes == "re:hello");
    CHECK(anonymous.client->self() == NodeId(kEphemeralClientBase * 1 + 1));
    CHECK(named.client->self() == NodeId(1234));
    CHECK(n1.net->connected_clients() ==
          std::vector<NodeId>{NodeId(1234), NodeId(kEphemeralClientBase + 1)});

    // A second client asking for a live id is refused; the first keeps working.
    TestClient impostor(io, {{NodeId(1), n1.client_address()}}, 1234);
    impostor.client->Send(NodeId(1), "me too");
    REQUIRE(RunUntil(io, [&] { return n1.net->stats().refused == 1; }));
    named.client->Send(NodeId(1), "still here");
    REQUIRE(RunUntil(io, [&] { return named.inbox.size() == 2; }));
    CHECK(impostor.inbox.empty());
    CHECK(n1.net->stats().malformed == 0);

    // When a client goes away, replies to it are dropped, not misdelivered.
    NodeId gone = anonymous.client->self();
    anonymous.client.reset();
    REQUIRE(RunUntil(io, [&] { return n1.net->connected_clients().size() == 1; }));
    n1.net->Send(gone, "anyone?");
    CHECK(n1.net->stats().dropped_no_route == 1);
}

TEST_CASE("a link reconnects after its peer restarts", "[net]") {
    boost::asio::io_context io;
    TestNode n1(io, 1);
    auto n2 = std::make_unique<TestNode>(io, 2);
    Introduce({&n1, n2.get()});
    std::string n2_peer = n2->peer_address();
    n1.net->Send(NodeId(2), "before");
    REQUIRE(RunUntil(io, [&] { return n2->inbox.size() == 1; }));

    n2.reset();  // The peer process dies...
    REQUIRE(RunUntil(io, [&] { return n1.net->link_stats(NodeId(2)).disconnects == 1; }));
    TcpNetworkOptions same_port;
    same_port.peer_listen = n2_peer;
    n2 = std::make_unique<TestNode>(io, 2, same_port);  // ...and comes back on the same port.

    // Messages sent while it was down may be lost; a message sent now must arrive.
    int sent = 0;
    REQUIRE(RunUntil(io, [&] {
        if (!n2->inbox.empty()) return true;
        n1.net->Send(NodeId(2), fmt::format("after {}", sent++));
        return false;
    }));
    CHECK(n2->inbox[0].from == NodeId(1));
    CHECK(n1.net->link_stats(NodeId(2)).connects == 2);
}

TEST_CASE("a bounded outbound queue drops on overflow and keeps what fits", "[net]") {
    boost::asio::io_context io;
    TcpNetworkOptions small_queue;
    small_queue.queue.frames_max = 8;
    TestNode n1(io, 1, small_queue), n2(io, 2);
    // Nobody listens at n2's advertised address yet: frames wait in the link's queue.
    boost::asio::ip::tcp::acceptor reserved(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    std::string dead = fmt::format("127.0.0.1:{}", reserved.local_endpoint().port());
    reserved.close();  // Now the port refuses connections.
    n1.net->SetPeerAddress(NodeId(2), dead);
    for (int i = 0; i < 20; ++i) n1.net->Send(NodeId(2), fmt::format("m{}", i));
    CHECK(n1.net->stats().dropped_full == 12);
    CHECK(n1.net->stats().sent == 8);
    REQUIRE(RunUntil(io, [&] { return n1.net->link_stats(NodeId(2)).failed_dials >= 2; }));

    n1.net->SetPeerAddress(NodeId(2), n2.peer_address());  // The peer appears.
    REQUIRE(RunUntil(io, [&] { return n2.inbox.size() == 8; }));
    RunFor(io, milliseconds(50));
    REQUIRE(n2.inbox.size() == 8);
    for (int i = 0; i < 8; ++i) CHECK(n2.inbox[i].bytes == fmt::format("m{}", i));
}

TEST_CASE("blocking a peer drops traffic both ways until healed", "[net]") {
    boost::asio::io_context io;
    TestNode n1(io, 1), n2(io, 2);
    Introduce({&n1, &n2});
    n1.net->Send(NodeId(2), "warm-up");
    n2.net->Send(NodeId(1), "warm-up");
    REQUIRE(RunUntil(io, [&] { return n1.inbox.size() == 1 && n2.inbox.size() == 1; }));

    n1.net->SetBlocked({NodeId(2)});
    n1.net->Send(NodeId(2), "cut");
    n2.net->Send(NodeId(1), "cut");
    REQUIRE(RunUntil(io, [&] { return n1.net->stats().dropped_blocked == 2; }));
    RunFor(io, milliseconds(50));
    CHECK(n1.inbox.size() == 1);
    CHECK(n2.inbox.size() == 1);

    n1.net->SetBlocked({});
    n1.net->Send(NodeId(2), "healed");
    n2.net->Send(NodeId(1), "healed");
    REQUIRE(RunUntil(io, [&] { return n1.inbox.size() == 2 && n2.inbox.size() == 2; }));
    CHECK(n1.inbox[1].bytes == "healed");
}

TEST_CASE("messages to unknown nodes and absent clients are dropped and counted", "[net]") {
    boost::asio::io_context io;
    TestNode n1(io, 1);
    n1.net->Send(NodeId(7), "nobody");
    n1.net->Send(NodeId(5000), "no such client");
    CHECK(n1.net->stats().dropped_no_route == 2);
    TestClient stray(io, {{NodeId(1), n1.client_address()}});
    stray.client->Send(NodeId(2), "not configured");
    CHECK(stray.client->dropped_no_route() == 1);
}

TEST_CASE("transports on separate event-loop threads talk to each other", "[net]") {
    boost::asio::io_context io1, io2;
    TestNode n1(io1, 1), n2(io2, 2);
    Introduce({&n1, &n2});
    std::promise<std::string> got;
    n2.net->SetHandler([&](NodeId, std::string_view bytes) { got.set_value(std::string(bytes)); });
    auto guard1 = boost::asio::make_work_guard(io1);
    auto guard2 = boost::asio::make_work_guard(io2);
    std::thread loop1([&] { io1.run(); });
    std::thread loop2([&] { io2.run(); });
    // Node code runs on its own loop: hand the Send to n1's thread.
    boost::asio::post(io1, [&] { n1.net->Send(NodeId(2), "across threads"); });
    auto result = got.get_future();
    bool arrived = result.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
    // Tear down on the loops' own threads, then stop them.
    std::promise<void> down1, down2;
    boost::asio::post(io1, [&] { n1.net.reset(); down1.set_value(); });
    boost::asio::post(io2, [&] { n2.net.reset(); down2.set_value(); });
    down1.get_future().wait();
    down2.get_future().wait();
    guard1.reset();
    guard2.reset();
    io1.stop();
    io2.stop();
    loop1.join();
    loop2.join();
    REQUIRE(arrived);
    CHECK(result.get() == "across threads");
}

}  // namespace
}  // namespace orrery::net
