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

TEST_CASE("nemesis events round-trip and are left out of pairing", "[jepsen]") {
    History h;
    Op kill = MakeOp(kNemesisProcess, OpType::kInfo, "kill", "n3");
    kill.key = "";
    h.Append(kill);
    h.Append(MakeOp(1, OpType::kInvoke, "write", 3));
    Op restart = MakeOp(kNemesisProcess, OpType::kInfo, "restart", "n3");
    restart.key = "";
    h.Append(restart);
    h.Append(MakeOp(1, OpType::kOk, "write", 3));
    std::string text = h.Render();
    CHECK(text.find("\"process\":\"nemesis\",\"type\":\"info\",\"f\":\"kill\"") !=
          std::string::npos);
    auto parsed = History::Parse(text);
    REQUIRE(parsed.ok());
    CHECK(parsed->Render() == text);
    CHECK(IsNemesis(parsed->ops()[0]));
    CHECK_FALSE(IsNemesis(parsed->ops()[1]));
    auto pairs = parsed->Pair();
    REQUIRE(pairs.ok());
    CHECK(*pairs == std::vector<int64_t>{-1, 3, -1, 1});
}

TEST_CASE("only \"nemesis\" and non-negative integers are processes", "[jepsen]") {
    CHECK(History::Parse("{\"type\":\"info\",\"process\":\"client\",\"f\":\"kill\"}")
              .status().code() == Code::kInvalidArgument);
    CHECK(History::Parse("{\"type\":\"info\",\"process\":-1,\"f\":\"read\"}")
              .status().code() == Code::kInvalidArgument);
    auto invoke = History::Parse("{\"type\":\"invoke\",\"process\":\"nemesis\",\"f\":\"kill\"}");
    REQUIRE_FALSE(invoke.ok());
    CHECK(invoke.status().message().find("must be of type \"info\"") != std::string::npos);
}

}  // namespace
}  // namespace orrery::jepsen
