// Tests of the client protocol codec: round trips, channel framing, and that every corruption of
// a datagram is rejected (the network flips bits in the simulator).
#include "node/client_protocol.h"

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

namespace orrery::node {
namespace {

ClientRequest RandomRequest() {
    ClientRequest r;
    r.client_id = *rc::gen::arbitrary<uint64_t>();
    r.seq = *rc::gen::arbitrary<uint64_t>();
    // The ops without a snapshot field (the txn-* ops have their own tests).
    r.op = *rc::gen::element(RequestOp::kGet, RequestOp::kPut, RequestOp::kDelete, RequestOp::kCas,
                             RequestOp::kScan, RequestOp::kStatus, RequestOp::kRepair);
    r.key = *rc::gen::arbitrary<std::string>();
    r.value = *rc::gen::arbitrary<std::string>();
    r.expected = *rc::gen::arbitrary<std::string>();
    r.end = *rc::gen::arbitrary<std::string>();
    r.limit = *rc::gen::inRange<uint32_t>(0, kMaxScanLimit + 1);
    return r;
}

ClientReply RandomReply() {
    ClientReply r;
    r.client_id = *rc::gen::arbitrary<uint64_t>();
    r.seq = *rc::gen::arbitrary<uint64_t>();
    r.code = static_cast<ReplyCode>(*rc::gen::inRange(0, 5));
    r.leader_hint = *rc::gen::arbitrary<uint32_t>();
    r.value = *rc::gen::arbitrary<std::string>();
    r.message = *rc::gen::arbitrary<std::string>();
    r.pairs = *rc::gen::container<std::vector<std::pair<std::string, std::string>>>(
        *rc::gen::inRange(0, 5), rc::gen::arbitrary<std::pair<std::string, std::string>>());
    if (*rc::gen::arbitrary<bool>()) {
        r.status = ServerStatus{static_cast<uint8_t>(*rc::gen::inRange(0, 5)),
                                *rc::gen::arbitrary<uint64_t>(), *rc::gen::arbitrary<uint64_t>(),
                                *rc::gen::arbitrary<uint64_t>(), *rc::gen::arbitrary<uint64_t>(),
                                *rc::gen::arbitrary<uint32_t>(), *rc::gen::arbitrary<uint64_t>()};
    }
    return r;
}

}  // namespace

TEST_CASE("requests and replies survive encoding", "[node]") {
    rc::prop("request round trip", [] {
        ClientRequest r = RandomRequest();
        auto m = DecodeClientMessage(EncodeRequest(r));
        RC_ASSERT(m.ok());
        RC_ASSERT(m->request.has_value() && !m->reply.has_value());
        RC_ASSERT(*m->request == r);
    });
    rc::prop("reply round trip", [] {
        ClientReply r = RandomReply();
        auto m = DecodeClientMessage(EncodeReply(r));
        RC_ASSERT(m.ok());
        RC_ASSERT(m->reply.has_value() && !m->request.has_value());
        RC_ASSERT(*m->reply == r);
    });
}

TEST_CASE("client messages with bad bytes are rejected", "[node]") {
    rc::prop("a bit flip, a truncation or trailing garbage never decodes", [] {
        std::string bytes = *rc::gen::arbitrary<bool>() ? EncodeRequest(RandomRequest())
                                                         : EncodeReply(RandomReply());
        size_t bit = *rc::gen::inRange<size_t>(0, bytes.size() * 8);
        std::string flipped = bytes;
        flipped[bit / 8] = static_cast<char>(flipped[bit / 8] ^ (1 << (bit % 8)));
        RC_ASSERT(!DecodeClientMessage(flipped).ok());
        RC_ASSERT(!DecodeClientMessage(bytes.substr(0, *rc::gen::inRange<size_t>(0, bytes.size()))).ok());
        RC_ASSERT(!DecodeClientMessage(bytes + *rc::gen::nonEmpty<std::string>()).ok());
    });
    rc::prop("random bytes never crash the decoder", [](const std::string& junk) {
        DecodeClientMessage(junk).status().IgnoreError();
        DescribeDatagram(junk);
    });
}

TEST_CASE("datagrams carry a channel byte", "[node]") {
    ClientRequest r;
    r.client_id = 1001;
    r.seq = 4;
    r.op = RequestOp::kPut;
    r.key = "k1";
    r.value = "7";
    std::string dgram = Frame(Channel::kClient, EncodeRequest(r));
    auto un = Unframe(dgram);
    REQUIRE(un.ok());
    CHECK(un->first == Channel::kClient);
    CHECK(!Unframe("").ok());
    CHECK(!Unframe("\x07xyz").ok());
    CHECK(DescribeDatagram(dgram) == "Put c1001#4 k1=7");
    ClientReply rep;
    rep.client_id = 1001;
    rep.seq = 4;
    rep.code = ReplyCode::kNotLeader;
    rep.leader_hint = 3;
    CHECK(DescribeDatagram(Frame(Channel::kClient, EncodeReply(rep))) ==
          "Reply c1001#4 not-leader leader=n3");
    ClientRequest cas = r;
    cas.client_id = 9;
    cas.seq = 2;
    cas.op = RequestOp::kCas;
    cas.key = "x";
    cas.value = "2";
    cas.expected = "1";
    CHECK(DescribeDatagram(Frame(Channel::kClient, EncodeRequest(cas))) == "Cas c9#2 x 1->2");
}

}  // namespace orrery::node
