// History format round trips and pairing rules.
#include "jepsen/history.h"

#include <catch2/catch.hpp>

namespace orrery::jepsen {
namespace {

Op MakeOp(int64_t process, OpType type, std::string f, nlohmann::json value) {
    Op op;
    op.process = process;
    op.type = type;
    op.f = std::move(f);
    op.key = "k";
    op.value = std::move(value);
    return op;
}

TEST_CASE("histories round-trip through JSON Lines", "[jepsen]") {
    History h;
    h.Append(MakeOp(1, OpType::kInvoke, "write", 3));
    h.Append(MakeOp(2, OpType::kInvoke, "cas", nlohmann::json::array({3, 4})));
    h.Append(MakeOp(1, OpType::kOk, "write", 3));
    Op info = MakeOp(2, OpType::kInfo, "cas", nlohmann::json::array({3, 4}));
    info.error = "timeout";
    h.Append(info);
    auto parsed = History::Parse(h.Render());
    REQUIRE(parsed.ok());
    CHECK(parsed->Render() == h.Render());
    auto pairs = parsed->Pair();
    REQUIRE(pairs.ok());
    CHECK(*pairs == std::vector<int64_t>{2, 3, 0, 1});
}

TEST_CASE("pairing rejects impossible histories", "[jepsen]") {
    History h;
    h.Append(MakeOp(1, OpType::kOk, "read", nullptr));
    CHECK(h.Pair().status().code() == Code::kCorruption);
    History twice;
    twice.Append(MakeOp(1, OpType::kInvoke, "read", nullptr));
    twice.Append(MakeOp(1, OpType::kInvoke, "read", nullptr));
    CHECK(twice.Pair().status().code() == Code::kCorruption);
}

TEST_CASE("malformed history lines name the line", "[jepsen]") {
    auto r = History::Parse("{\"type\":\"invoke\",\"process\":1,\"f\":\"read\"}\nnot json\n");
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("line 2") != std::string::npos);
    CHECK(History::Parse("{\"type\":\"weird\",\"process\":1,\"f\":\"read\"}").status().code() ==
          Code::kInvalidArgument);
}

}  // namespace
}  // namespace orrery::jepsen
