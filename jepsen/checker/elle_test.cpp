// Elle-style checking against hand-written histories, one per anomaly class.
#include "jepsen/checker/elle.h"

#include "jepsen/checker/generate.h"
#include "jepsen/checker/test_util.h"

namespace orrery::jepsen::checker {
namespace {

using Names = std::vector<std::string>;

TEST_CASE("list-append histories show their anomaly classes", "[jepsen]") {
    struct Case {
        const char* file;
        Names anomalies;
    };
    const Case kCases[] = {
        {"la_valid.jsonl", {}},
        {"la_g0.jsonl", {"G0"}},
        {"la_g1a.jsonl", {"G1a"}},
        {"la_g1b.jsonl", {"G1b", "G-single"}},
        {"la_g1c.jsonl", {"G1c"}},
        {"la_g_single.jsonl", {"G-single"}},
        {"la_g2_item.jsonl", {"G2-item"}},
        {"la_incompatible_order.jsonl", {"incompatible-order"}},
        {"la_duplicate_append.jsonl", {"duplicate-append", "duplicate-elements"}},
        // Elle's vectors (testdata/elle_vectors.txt shows the reports).
        {"elle_la_g0.jsonl", {"G0"}},
        {"elle_la_g1a.jsonl", {"G1a"}},
        {"elle_la_g1b.jsonl", {"G1b", "G-single"}},
        {"elle_la_g1c.jsonl", {"G1c"}},
        {"elle_la_g_single.jsonl", {"G-single"}},
        {"elle_la_g2_item.jsonl", {"G2-item"}},
        {"elle_la_lost_update.jsonl", {"G2-item", "lost-update"}},
        {"elle_la_double_append.jsonl", {}},
        {"elle_la_internal.jsonl", {"G0", "G1c", "internal"}},
        {"elle_la_internal_reads.jsonl", {"internal"}},
        {"elle_la_dirty_update.jsonl", {"G1a", "dirty-update"}},
        {"elle_la_dirty_update_info.jsonl", {"G1a", "dirty-update"}},
        {"elle_la_duplicate_elements.jsonl", {"G1c", "duplicate-elements"}},
        {"elle_la_incompatible_order.jsonl", {"G1c", "incompatible-order"}},
        {"elle_la_unread_writes.jsonl", {"G0", "G-single"}},
        {"elle_la_empty_read_two_appends.jsonl", {}},
    };
    for (const Case& c : kCases) {
        INFO(c.file);
        CheckReport report = CheckFile("list-append", c.file);
        INFO(report.text);
        CHECK(report.anomalies == c.anomalies);
        CHECK(report.verdict == (c.anomalies.empty() ? Verdict::kValid : Verdict::kInvalid));
    }
}

TEST_CASE("rw-register histories show their anomaly classes", "[jepsen]") {
    struct Case {
        const char* file;
        Names anomalies;
    };
    const Case kCases[] = {
        {"rw_valid.jsonl", {}},
        {"rw_g0.jsonl", {"G0", "G1c"}},
        {"rw_g1a.jsonl", {"G1a"}},
        {"rw_g1b.jsonl", {"G1b"}},
        {"rw_g1c.jsonl", {"G1c"}},
        {"rw_g_single.jsonl", {"G-single"}},
        // Adya calls a lost update G-single; without the order of the two writes the
        // inference sees both anti-dependencies, so the cycle is reported as G2-item.
        {"rw_lost_update.jsonl", {"G2-item", "lost-update"}},
        {"elle_rw_g1a.jsonl", {"G1a"}},
        {"elle_rw_g1b.jsonl", {"G1b"}},
        {"elle_rw_g1c.jsonl", {"G1c"}},
        {"elle_rw_g_single.jsonl", {"G-single"}},
        {"elle_rw_g2_item.jsonl", {"G2-item"}},
        {"elle_rw_write_skew.jsonl", {"G2-item"}},
        {"elle_rw_lost_update.jsonl", {"G2-item", "lost-update"}},
        {"elle_rw_internal.jsonl", {"internal"}},
        {"elle_rw_internal_own_write.jsonl", {"internal"}},
        {"elle_rw_writes_follow_reads.jsonl", {"G-single"}},
    };
    for (const Case& c : kCases) {
        INFO(c.file);
        CheckReport report = CheckFile("rw-register", c.file);
        INFO(report.text);
        CHECK(report.anomalies == c.anomalies);
    }
}

TEST_CASE("cycles print as chains of labelled edges", "[jepsen]") {
    CheckReport single = CheckFile("list-append", "la_g_single.jsonl");
    CHECK(single.text.find("  T0 -rw(x)-> T1 -wr(y)-> T0\n") != std::string::npos);
    CheckReport g2 = CheckFile("list-append", "la_g2_item.jsonl");
    CHECK(g2.text.find("  T0 -rw(y)-> T1 -rw(x)-> T0\n") != std::string::npos);
}

TEST_CASE("process order turns a stale session read into a cycle", "[jepsen]") {
    // p0 appends 1 to x, then (its next txn) reads x empty: fine for serializability, but not
    // for strong session serializability.
    History h;
    auto txn = [&](int64_t p, OpType t, nlohmann::json v) {
        Op op;
        op.process = p;
        op.type = t;
        op.f = "txn";
        op.value = std::move(v);
        h.Append(op);
    };
    txn(0, OpType::kInvoke, R"([["append","x",1]])"_json);
    txn(0, OpType::kOk, R"([["append","x",1]])"_json);
    txn(0, OpType::kInvoke, R"([["r","x",null]])"_json);
    txn(0, OpType::kOk, R"([["r","x",[]]])"_json);
    txn(1, OpType::kInvoke, R"([["r","x",null]])"_json);
    txn(1, OpType::kOk, R"([["r","x",[1]]])"_json);
    CheckOptions plain, session;
    session.process_order = true;
    Result<CheckReport> a = CheckHistory("list-append", h, SourceLines{}, plain);
    Result<CheckReport> b = CheckHistory("list-append", h, SourceLines{}, session);
    REQUIRE((a.ok() && b.ok()));
    CHECK(a->verdict == Verdict::kValid);
    CHECK(b->anomalies == Names{"G-single-process"});
}

TEST_CASE("Tarjan's components need no recursion on a 200,000-node cycle", "[jepsen]") {
    constexpr int32_t kNodes = 200'000;
    DepGraph g(kNodes);
    for (int32_t i = 0; i < kNodes; ++i) g.Add({i, (i + 1) % kNodes, DepKind::kWW, 0, 0, 0, false});
    g.Add({5, 6, DepKind::kRW, 0, 0, 0, false});
    g.Finalize();
    auto components = g.Components(Bit(DepKind::kWW));
    REQUIRE(components.size() == 1);
    CHECK(components[0].size() == static_cast<size_t>(kNodes));
    CHECK(g.Components(Bit(DepKind::kRW)).empty());
    // The ww ring is G0; the rw edge beside 5 -> 6 closes a second cycle with one rw edge.
    CycleSearchResult cycles = FindCycles(g, CycleSearchLimits{});
    REQUIRE(cycles.cycles.size() == 2);
    CHECK(cycles.cycles[0].anomaly == "G0");
    CHECK(cycles.cycles[0].edges.size() == static_cast<size_t>(kNodes));
    CHECK(cycles.cycles[1].anomaly == "G-single");
    CHECK(cycles.cycles[1].edges.size() == static_cast<size_t>(kNodes));
}

TEST_CASE("the shortest cycle is chosen inside a component", "[jepsen]") {
    // 0 -> 1 -> 2 -> 3 -> 0 and a shortcut 2 -> 0: the cycle 0 -> 1 -> 2 -> 0 is reported.
    DepGraph g(4);
    g.Add({0, 1, DepKind::kWW, 0, 0, 0, false});
    g.Add({1, 2, DepKind::kWW, 0, 0, 0, false});
    g.Add({2, 3, DepKind::kWW, 0, 0, 0, false});
    g.Add({3, 0, DepKind::kWW, 0, 0, 0, false});
    g.Add({2, 0, DepKind::kWW, 0, 0, 0, false});
    g.Finalize();
    CycleSearchResult cycles = FindCycles(g, CycleSearchLimits{});
    REQUIRE(cycles.cycles.size() == 1);
    CHECK(cycles.cycles[0].edges.size() == 3);
}

TEST_CASE("generated serializable list-append histories have no anomalies", "[jepsen]") {
    Random rng(11);
    ListAppendGenOptions gen;
    gen.txns = 3000;
    History h = GenerateListAppendHistory(rng, gen);
    Result<CheckReport> report = CheckHistory("list-append", h, SourceLines{}, CheckOptions{});
    REQUIRE(report.ok());
    INFO(report->text);
    CHECK(report->verdict == Verdict::kValid);
    CHECK(report->text.find("3000 transactions") != std::string::npos);
}

}  // namespace
}  // namespace orrery::jepsen::checker
