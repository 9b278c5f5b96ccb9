// The Raft message codec: round trips, and every single-bit flip is rejected (never misapplied).
#include <catch2/catch.hpp>

#include "raft/message.h"

namespace orrery::raft {
namespace {

Message SampleAppend() {
    Message m = MakeMessage(MsgType::kAppend);
    m.term = Term(3);
    m.prev_index = LogIndex(4);
    m.prev_term = Term(2);
    m.commit = LogIndex(4);
    m.entries = {Entry{Term(3), LogIndex(5), EntryType::kNormal, "x=1"},
                 Entry{Term(3), LogIndex(6), EntryType::kNoop, ""}};
    return m;
}

TEST_CASE("messages round trip and render", "[raft]") {
    Message m = SampleAppend();
    std::string bytes = EncodeMessage(m);
    Result<Message> back = DecodeMessage(bytes);
    REQUIRE(back.ok());
    CHECK(back->entries == m.entries);
    CHECK(back->prev_index == m.prev_index);
    CHECK(DescribeMessage(bytes) == "Append t3 prev=4@2 [5@3 6@3] commit=4");

    Message snap = MakeMessage(MsgType::kSnapshot);
    snap.term = Term(3);
    snap.snap_index = LogIndex(100);
    snap.snap_term = Term(2);
    snap.snap_config.voters = {NodeId(1), NodeId(2)};
    snap.total_bytes = 10;
    snap.offset = 4;
    snap.chunk_no = 1;
    snap.chunk_count = 3;
    snap.chunk = "abcd";
    Result<Message> s2 = DecodeMessage(EncodeMessage(snap));
    REQUIRE(s2.ok());
    CHECK(s2->snap_config == snap.snap_config);
    CHECK(s2->chunk == "abcd");
    CHECK(DescribeDecoded(*s2) == "Snapshot t3 idx=100@2 chunk 2/3");

    Message resp = MakeMessage(MsgType::kAppendResp);
    resp.term = Term(3);
    resp.reject_index = LogIndex(7);
    resp.hint_index = LogIndex(5);
    resp.hint_term = Term(2);
    CHECK(DescribeMessage(EncodeMessage(resp)) == "AppendResp t3 reject prev=7 conflict=5@2");
    resp.hint_term = Term(0);  // The follower's log ends at 4.
    CHECK(DescribeMessage(EncodeMessage(resp)) == "AppendResp t3 reject prev=7 last=4");
    resp.hint_index = LogIndex(0);  // No hint: a newer term's answer to a stale leader.
    CHECK(DescribeMessage(EncodeMessage(resp)) == "AppendResp t3 reject prev=7 stale term");
}

TEST_CASE("every single bit flip in a message is rejected", "[raft]") {
    std::string bytes = EncodeMessage(SampleAppend());
    for (size_t bit = 0; bit < bytes.size() * 8; ++bit) {
        std::string flipped = bytes;
        flipped[bit / 8] = static_cast<char>(flipped[bit / 8] ^ (1 << (bit % 8)));
        Result<Message> m = DecodeMessage(flipped);
        INFO("bit " << bit);
        CHECK(m.status().code() == Code::kCorruption);
    }
}

TEST_CASE("truncated and garbage messages are rejected", "[raft]") {
    std::string bytes = EncodeMessage(SampleAppend());
    for (size_t n = 0; n < bytes.size(); ++n) {
        CHECK_FALSE(DecodeMessage(std::string_view(bytes).substr(0, n)).ok());
    }
    CHECK_FALSE(DecodeMessage(std::string(64, '\xff')).ok());
    CHECK(DescribeMessage("junk").starts_with("<corrupt:"));
}

}  // namespace
}  // namespace orrery::raft
