// Tests of the KV command codec: round trips, and bad bytes are rejected, never misread.
#include "node/kv_command.h"

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

namespace orrery::node {
namespace {

Command RandomCommand() {
    Command c;
    c.op = *rc::gen::element(CommandOp::kPut, CommandOp::kDelete, CommandOp::kCas);
    c.client_id = *rc::gen::inRange<uint64_t>(1, UINT64_MAX);
    c.seq = *rc::gen::inRange<uint64_t>(1, UINT64_MAX);
    c.key = *rc::gen::nonEmpty(rc::gen::arbitrary<std::string>());
    c.value = *rc::gen::arbitrary<std::string>();
    c.expected = *rc::gen::arbitrary<std::string>();
    return c;
}

}  // namespace

TEST_CASE("a command survives encoding", "[node]") {
    rc::prop("decode(encode(c)) == c", [] {
        Command c = RandomCommand();
        auto back = DecodeCommand(EncodeCommand(c));
        RC_ASSERT(back.ok());
        RC_ASSERT(*back == c);
    });
}

TEST_CASE("a flipped bit or a cut in a command is rejected", "[node]") {
    rc::prop("every single-bit flip and every truncation fails to decode", [] {
        std::string bytes = EncodeCommand(RandomCommand());
        size_t bit = *rc::gen::inRange<size_t>(0, bytes.size() * 8);
        std::string flipped = bytes;
        flipped[bit / 8] = static_cast<char>(flipped[bit / 8] ^ (1 << (bit % 8)));
        RC_ASSERT(!DecodeCommand(flipped).ok());
        size_t cut = *rc::gen::inRange<size_t>(0, bytes.size());
        RC_ASSERT(!DecodeCommand(bytes.substr(0, cut)).ok());
    });
}

TEST_CASE("an unknown command version is NotSupported", "[node]") {
    Command c{CommandOp::kPut, 7, 1, "k", "v", ""};
    std::string bytes = EncodeCommand(c);
    bytes[0] = 9;
    // The checksum now fails first: version checks only apply to intact bytes.
    CHECK(DecodeCommand(bytes).status().Is(Code::kCorruption));
    CHECK(DescribeCommand(c) == "c7#1 put k=v");
    CHECK(DescribeCommand({CommandOp::kCas, 7, 2, "k", "2", "1"}) == "c7#2 cas k 1->2");
}

TEST_CASE("a cached reply survives encoding and rejects garbage", "[node]") {
    CommandReply r{ReplyCode::kCasFailed, "3"};
    auto back = DecodeCommandReply(EncodeCommandReply(r));
    REQUIRE(back.ok());
    CHECK(*back == r);
    CHECK(!DecodeCommandReply("").ok());
    CHECK(!DecodeCommandReply(std::string("\x09\x00", 2)).ok());
    CHECK(!DecodeCommandReply(EncodeCommandReply(r) + "x").ok());
}

}  // namespace orrery::node
