// The gossip codec: round trips, and untrusted bytes never decode to a wrong message.
#include <catch2/catch.hpp>
#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include "gossip/message.h"

namespace orrery::gossip {
namespace {

Message Sample() {
    Message m;
    m.type = MsgType::kPingReq;
    m.incarnation = 7;
    m.seq = 300;
    m.target = NodeId(4);
    m.updates = {{NodeId(2), State::kSuspect, 3}, {NodeId(5), State::kLeft, 1}};
    return m;
}

TEST_CASE("gossip messages round trip", "[gossip]") {
    Message m = Sample();
    Result<Message> back = DecodeMessage(EncodeMessage(m));
    REQUIRE(back.ok());
    CHECK(*back == m);
    CHECK(DescribeMessage(EncodeMessage(m)) ==
          "PingReq i7 seq=300 target=n4 [n2 suspect i3, n5 left i1]");
}

TEST_CASE("gossip decoding rejects every flipped bit and every truncation", "[gossip]") {
    std::string bytes = EncodeMessage(Sample());
    for (size_t bit = 0; bit < bytes.size() * 8; ++bit) {
        std::string bad = bytes;
        bad[bit / 8] = static_cast<char>(bad[bit / 8] ^ (1 << (bit % 8)));
        CHECK(DecodeMessage(bad).status().Is(Code::kCorruption));
    }
    for (size_t n = 0; n < bytes.size(); ++n) {
        CHECK(DecodeMessage(bytes.substr(0, n)).status().Is(Code::kCorruption));
    }
    CHECK(DescribeMessage("junk") == "<corrupt: gossip message too short>");
}

TEST_CASE("gossip decoding never trusts a count it was given", "[gossip]") {
    rc::prop("arbitrary bytes decode to corruption or to a message that re-encodes the same",
             [](const std::string& bytes) {
                 Result<Message> m = DecodeMessage(bytes);
                 if (m.ok()) RC_ASSERT(EncodeMessage(*m) == bytes);
             });
    rc::prop("encoded messages decode back", [](uint64_t inc, uint64_t seq, uint8_t n) {
        Message m;
        m.type = MsgType::kAck;
        m.incarnation = inc;
        m.seq = seq;
        m.target = NodeId(3);
        for (uint8_t i = 0; i < n % 40; ++i) {
            m.updates.push_back({NodeId(1u + i), static_cast<State>(i % 4), inc + i});
        }
        Result<Message> back = DecodeMessage(EncodeMessage(m));
        RC_ASSERT(back.ok());
        RC_ASSERT(*back == m);
    });
}

}  // namespace
}  // namespace orrery::gossip
