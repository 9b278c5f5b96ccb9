// Linearizability checker against hand-written histories with known verdicts.
#include "jepsen/checker/linearizability.h"

#include "jepsen/checker/generate.h"
#include "jepsen/checker/linear_search.h"
#include "jepsen/checker/test_util.h"

namespace orrery::jepsen::checker {
namespace {

TEST_CASE("register histories get their known verdicts", "[jepsen]") {
    struct Case {
        const char* file;
        Verdict verdict;
    };
    const Case kCases[] = {
        {"register_sequential.jsonl", Verdict::kValid},
        {"register_stale_read.jsonl", Verdict::kInvalid},
        {"register_lost_write.jsonl", Verdict::kInvalid},
        {"register_cas_cannot_fit.jsonl", Verdict::kInvalid},
        {"register_concurrent_reorder.jsonl", Verdict::kValid},
        {"register_info_happened.jsonl", Verdict::kValid},
        {"register_info_never.jsonl", Verdict::kValid},
        {"register_info_flipflop.jsonl", Verdict::kInvalid},
        {"register_failed_ops.jsonl", Verdict::kValid},
        {"kv_valid.jsonl", Verdict::kValid},
        {"kv_one_key_stale.jsonl", Verdict::kInvalid},
    };
    for (const Case& c : kCases) {
        INFO(c.file);
        CheckReport report = CheckFile("register", c.file);
        INFO(report.text);
        CHECK(report.verdict == c.verdict);
        CHECK((report.verdict == Verdict::kInvalid) ==
              (report.anomalies == std::vector<std::string>{"nonlinearizable"}));
    }
}

TEST_CASE("a stale read is explained by exactly the two ops that conflict", "[jepsen]") {
    // Write 1 [0..1], write 2 [2..3], read -> 1 [4..5]. Write 2 completed before the read began,
    // so the read must see 2 (or a later write), whatever the register held before position 2:
    // write 1 is not needed to prove the violation, and the report leaves it out.
    CheckReport report = CheckFile("register", "register_stale_read.jsonl");
    CHECK(report.text ==
          "invalid: register model, 1 key: 0 linearizable, 1 not, 0 unknown (3 search steps)\n"
          "key \"x\" is not linearizable (already at history position 5, and whatever it held "
          "before position 2). These completed operations conflict:\n"
          "  [2..3] p1 write 2  (0.030ms..0.040ms)\n"
          "  [4..5] p2 read -> 1  (0.050ms..0.060ms)\n");
}

TEST_CASE("a violation that needs the initial state is explained from the start", "[jepsen]") {
    // A read of 5 from a register nobody wrote fails only because the register starts at null:
    // from an unknown state it would be legal, so there is no window and no "whatever it held".
    // Each op is named with its real time, its client and the server that answered.
    History h;
    h.Append(Op{-1, 1500, 0, OpType::kInvoke, "read", "x", nullptr, "", 1002, 0});
    h.Append(Op{-1, 2750, 0, OpType::kOk, "read", "x", 5, "", 1002, 3});
    Result<CheckReport> report = CheckHistory("register", h, SourceLines{}, CheckOptions{});
    REQUIRE(report.ok());
    CHECK(report->text ==
          "invalid: register model, 1 key: 0 linearizable, 1 not, 0 unknown (1 search steps)\n"
          "key \"x\" is not linearizable (already at history position 1). These completed "
          "operations conflict:\n"
          "  [0..1] p0 read -> 5  (c1002, 1.500ms..2.750ms, answered by n3)\n");
    // The history file keeps who ran and answered each op.
    auto parsed = History::Parse(h.Render());
    REQUIRE(parsed.ok());
    CHECK(parsed->ops()[1].node == 1002);
    CHECK(parsed->ops()[1].server == 3);
}

TEST_CASE("a violation deep in a long history is explained by a short window", "[jepsen]") {
    // Before windows, the explanation relaxed at most 256 operations of the failing prefix and
    // listed the rest: thousands of lines, after minutes of searching.
    Random rng(11);
    RegisterGenOptions gen;
    gen.ops = 4000;
    gen.concurrency = 6;
    gen.keys = 1;  // 2% of operations end as info, as by default.
    History h = GenerateRegisterHistory(rng, gen);
    std::optional<int64_t> at = InjectStaleRead(h, /*not_before=*/7000);  // Of ~8,000 events.
    REQUIRE(at.has_value());
    Result<CheckReport> report = CheckHistory("register", h, SourceLines{}, CheckOptions{});
    REQUIRE(report.ok());
    INFO(report->text);
    CHECK(report->verdict == Verdict::kInvalid);
    size_t completed_listed = 0;
    std::string text = report->text;
    size_t unknown_at = text.find("whatever these did");
    for (size_t at = text.find("\n  ["); at != std::string::npos && at < unknown_at;
         at = text.find("\n  [", at + 1)) {
        ++completed_listed;
    }
    CHECK(completed_listed >= 2);
    CHECK(completed_listed <= 8);
    CHECK(text.find(fmt::format("already at history position {}", *at)) != std::string::npos);
}

TEST_CASE("the explanation drops ops that are not part of the contradiction", "[jepsen]") {
    // Key b's stale read needs writes 1 and 2 of b; key a is linearizable and not mentioned.
    CheckReport report = CheckFile("kv", "kv_one_key_stale.jsonl");
    CHECK(report.text.find("key \"b\"") != std::string::npos);
    CHECK(report.text.find("key \"a\"") == std::string::npos);
    CHECK(report.text.find("before position 4). These completed operations conflict:\n"
                           "  [4..5] p0 put 2  (0.050ms..0.060ms)\n"
                           "  [8..9] p2 get -> 1  (0.090ms..0.100ms)\n") != std::string::npos);
}

TEST_CASE("an exhausted search budget gives unknown, not a wrong verdict", "[jepsen]") {
    Random rng(7);
    RegisterGenOptions gen;
    gen.ops = 200;
    gen.concurrency = 8;
    History h = GenerateRegisterHistory(rng, gen);
    CheckOptions tiny;
    tiny.budget_steps = 10;
    Result<CheckReport> report = CheckHistory("register", h, SourceLines{}, tiny);
    REQUIRE(report.ok());
    CHECK(report->verdict == Verdict::kUnknown);
    CHECK(report->text.find("budget of 10 steps exhausted") != std::string::npos);
    Result<CheckReport> full = CheckHistory("register", h, SourceLines{}, CheckOptions{});
    REQUIRE(full.ok());
    CHECK(full->verdict == Verdict::kValid);
}

TEST_CASE("the search handles empty and info-only histories", "[jepsen]") {
    RegisterModel model;
    CHECK(SearchLinearization(model, {}, 10).verdict == Verdict::kValid);
    // A write that may never happen and a read of the initial value: linearizable.
    std::vector<LinOp> ops = {{0, kNeverReturns, {ModelOp::Kind::kWrite, 1, 0}, 0},
                              {1, 2, {ModelOp::Kind::kRead, 0, 0}, 1}};
    CHECK(SearchLinearization(model, ops, 100).verdict == Verdict::kValid);
    // A read of a value that nothing writes: not linearizable.
    ops[1].op.a = 5;
    CHECK(SearchLinearization(model, ops, 100).verdict == Verdict::kInvalid);
}

}  // namespace
}  // namespace orrery::jepsen::checker
