// The set workload: it passes under every fault kind, its reads page past the scan limit, and
// the set checker notices when the run's own final read is made to lose one acknowledged add
// (so a passing verdict on these histories is not vacuous).
#include <catch2/catch.hpp>

#include <algorithm>

#include "jepsen/checker/check.h"
#include "jepsen/runner/campaign.h"
#include "node/client_protocol.h"

namespace orrery::jepsen::runner {
namespace {

RunResult MustRun(const RunOptions& o) {
    auto r = RunCluster(o);
    REQUIRE(r.ok());
    INFO(r->replay << "\n" << r->linearizability_report);
    REQUIRE(!r->failed());
    return std::move(*r);
}

// The last ok read among `ops`.
Op* LastOkRead(std::vector<Op>& ops) {
    Op* last = nullptr;
    for (Op& op : ops) {
        if (op.f == "read" && op.type == OpType::kOk) last = &op;
    }
    return last;
}

}  // namespace

TEST_CASE("the set workload passes smoke seeds with every fault kind", "[jepsen]") {
    for (uint64_t seed = 1; seed <= 20; ++seed) {
        RunOptions o = ProfileOptions("smoke", seed).value();
        o.workload = "set";
        RunResult r = MustRun(o);
        CHECK(r.model == "set");
        CHECK(r.linearizability == "valid");
        CHECK(r.ops.ok > 50);
    }
}

TEST_CASE("set reads page past the scan limit at one snapshot", "[jepsen]") {
    RunOptions o;
    o.seed = 5;
    o.workload = "set";
    o.duration = Duration::Seconds(45);
    RunResult r = MustRun(o);
    size_t largest = 0;
    for (const Op& op : r.history.ops()) {
        if (op.f == "read" && op.type == OpType::kOk) largest = std::max(largest, op.value.size());
    }
    CHECK(largest > node::kMaxScanLimit);
}

TEST_CASE("the set checker finds an acknowledged add removed from the final read", "[jepsen]") {
    RunOptions o = ProfileOptions("smoke", 2).value();
    o.workload = "set";
    RunResult r = MustRun(o);
    std::vector<Op> ops = r.history.ops();
    Op* final_read = LastOkRead(ops);
    REQUIRE(final_read != nullptr);
    REQUIRE(final_read->value.size() > 1);
    // Remove the first element that an add acknowledged before the final read was invoked.
    int64_t final_invoke = -1;
    for (const Op& op : ops) {
        if (op.process == final_read->process && op.index < final_read->index &&
            op.type == OpType::kInvoke) {
            final_invoke = op.index;
        }
    }
    std::vector<int64_t> acked;
    for (size_t i = 0; i < ops.size(); ++i) {
        if (ops[i].f == "add" && ops[i].type == OpType::kOk && ops[i].index < final_invoke) {
            acked.push_back(ops[i].value.get<int64_t>());
        }
    }
    REQUIRE(!acked.empty());
    nlohmann::json doctored = nlohmann::json::array();
    for (const auto& e : final_read->value) {
        if (e.get<int64_t>() != acked.front()) doctored.push_back(e);
    }
    REQUIRE(doctored.size() + 1 == final_read->value.size());
    final_read->value = doctored;
    History h;
    for (Op op : ops) h.Append(std::move(op));
    checker::SourceLines lines;
    auto report = checker::CheckHistory("set", h, lines, {});
    REQUIRE(report.ok());
    CHECK(report->verdict == checker::Verdict::kInvalid);
    CHECK(std::find(report->anomalies.begin(), report->anomalies.end(), "lost") !=
          report->anomalies.end());
}

}  // namespace orrery::jepsen::runner
