// Bank and set checkers against hand-written histories.
#include "jepsen/checker/bank.h"
#include "jepsen/checker/set_checker.h"
#include "jepsen/checker/test_util.h"

namespace orrery::jepsen::checker {
namespace {

using Names = std::vector<std::string>;

TEST_CASE("bank reads must sum to the total and stay non-negative", "[jepsen]") {
    CheckOptions total100;
    total100.total = 100;
    CHECK(CheckFile("bank", "bank_valid.jsonl", total100).verdict == Verdict::kValid);
    CHECK(CheckFile("bank", "bank_valid.jsonl").verdict == Verdict::kValid);  // Inferred total.
    CheckOptions total90;
    total90.total = 90;
    CHECK(CheckFile("bank", "bank_valid.jsonl", total90).anomalies == Names{"wrong-total"});
    CHECK(CheckFile("bank", "bank_wrong_total.jsonl", total100).anomalies == Names{"wrong-total"});
    CHECK(CheckFile("bank", "bank_negative.jsonl", total100).anomalies ==
          Names{"negative-balance"});
}

TEST_CASE("sets must keep every acknowledged add and invent nothing", "[jepsen]") {
    CheckReport valid = CheckFile("set", "set_valid.jsonl");
    CHECK(valid.verdict == Verdict::kValid);
    CHECK(valid.text.find("1 recovered") != std::string::npos);  // The info add of 2.
    CheckReport lost = CheckFile("set", "set_lost.jsonl");
    CHECK(lost.anomalies == Names{"lost"});
    CHECK(lost.text.find("lost: 2\n") != std::string::npos);  // 3 completed after the read began.
    CHECK(CheckFile("set", "set_unexpected.jsonl").anomalies == Names{"unexpected"});
    CHECK(CheckFile("set", "set_no_read.jsonl").verdict == Verdict::kUnknown);
}

TEST_CASE("verdicts map to the documented exit codes", "[jepsen]") {
    CHECK(VerdictExitCode(Verdict::kValid) == 0);
    CHECK(VerdictExitCode(Verdict::kInvalid) == 1);
    CHECK(VerdictExitCode(Verdict::kUnknown) == 3);
}

}  // namespace
}  // namespace orrery::jepsen::checker
