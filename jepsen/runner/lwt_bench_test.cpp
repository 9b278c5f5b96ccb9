// The simulated LWT benchmark (lwt_bench.h): one seed gives one set of figures, and the
// one-round-trip optimisation saves what it claims to save.
#include <catch2/catch.hpp>

#include "jepsen/runner/lwt_bench.h"

namespace orrery::jepsen::runner {
namespace {

LwtBenchOptions Short(uint32_t shared_keys = 0) {
    LwtBenchOptions o;
    o.clients = 6;
    o.shared_keys = shared_keys;
    o.duration = Duration::Seconds(2);
    o.warmup = Duration::Millis(500);
    o.seed = 7;
    return o;
}

std::vector<LwtPhaseResult> Run(const LwtBenchOptions& o) {
    double fake_wall = 0;
    return RunLwtBench(o, [&] { return fake_wall += 1; }).value();
}

const LwtPhaseResult& Row(const std::vector<LwtPhaseResult>& rows, LwtPhase phase) {
    for (const LwtPhaseResult& r : rows) {
        if (r.phase == phase) return r;
    }
    FAIL("no row for " << LwtPhaseName(phase));
    return rows.front();
}

TEST_CASE("lwt bench: the same options and seed give the same figures", "[lwt-bench]") {
    for (uint32_t keys : {0u, 3u}) {
        std::vector<LwtPhaseResult> a = Run(Short(keys)), b = Run(Short(keys));
        REQUIRE(a.size() == 3);
        REQUIRE(b.size() == 3);
        for (size_t i = 0; i < a.size(); ++i) {
            CHECK(a[i].phase == b[i].phase);
            CHECK(a[i].ok == b[i].ok);
            CHECK(a[i].cas_failed == b[i].cas_failed);
            CHECK(a[i].failed == b[i].failed);
            CHECK(a[i].unknown == b[i].unknown);
            CHECK(a[i].latencies_us == b[i].latencies_us);
            CHECK(a[i].messages == b[i].messages);
            CHECK(a[i].promises == b[i].promises);
            CHECK(a[i].accepts == b[i].accepts);
            CHECK(a[i].ops() > 0);
        }
        // The table (wall time aside) is the same text too.
        for (auto* rows : {&a, &b}) {
            for (LwtPhaseResult& r : *rows) r.wall_seconds = 0;
        }
        CHECK(RenderLwtTable(a, true) == RenderLwtTable(b, true));
    }
    // Another seed is another run.
    LwtBenchOptions other = Short();
    other.seed = 8;
    CHECK(Run(other)[0].latencies_us != Run(Short())[0].latencies_us);
}

TEST_CASE("lwt bench: own keys, no faults: every op answered, 1rtt skips the prepare",
          "[lwt-bench]") {
    std::vector<LwtPhaseResult> rows = Run(Short());
    const LwtPhaseResult& on = Row(rows, LwtPhase::kCasOneRoundTrip);
    const LwtPhaseResult& off = Row(rows, LwtPhase::kCasTwoRoundTrips);
    const LwtPhaseResult& put = Row(rows, LwtPhase::kQuorumPut);
    for (const LwtPhaseResult* r : {&on, &off, &put}) {
        INFO(LwtPhaseName(r->phase));
        CHECK(r->failed == 0);
        CHECK(r->unknown == 0);
        CHECK(r->cas_failed == 0);  // One writer per key: its cas always finds its own value.
        CHECK(r->ok > 100);
        // A QUORUM put or a cas needs at least one round trip to the replicas.
        CHECK(r->LatencyMs(0.5) >= 2.0);
    }
    // Off: every cas prepares, and a quorum of the three replicas promises (all three, when
    // no fault delays one). On: a repeat proposer skips phase 1 after its first round.
    CHECK(off.promises >= 2 * off.ops());
    CHECK(on.promises * 10 < on.ops());
    CHECK(on.accepts >= 2 * on.ops());
    // Fewer messages per op, more ops, and a lower median: half the round trips.
    CHECK(static_cast<double>(on.messages) / static_cast<double>(on.ops()) <
          static_cast<double>(off.messages) / static_cast<double>(off.ops()));
    CHECK(on.ops() > off.ops());
    CHECK(on.LatencyMs(0.5) < off.LatencyMs(0.5));
    // A plain put needs no Paxos at all.
    CHECK(put.promises == 0);
    CHECK(put.accepts == 0);
}

TEST_CASE("lwt bench: shared keys contend: cas finds other values, rounds still finish",
          "[lwt-bench]") {
    std::vector<LwtPhaseResult> rows = Run(Short(/*shared_keys=*/2));
    const LwtPhaseResult& on = Row(rows, LwtPhase::kCasOneRoundTrip);
    CHECK(on.ops() > 0);
    CHECK(on.cas_failed > 0);  // Six clients on two keys: somebody moved the value on.
    // Rival coordinators take the keys from each other: the shortcut is lost, so phase 1 runs
    // for a good share of the ops, unlike the own-key case above.
    CHECK(on.promises * 10 >= on.ops());
}

TEST_CASE("lwt bench: bad options are refused", "[lwt-bench]") {
    LwtBenchOptions o = Short();
    o.rf = 6;
    CHECK(ValidateLwtBench(o).message().find("--rf") != std::string::npos);
    o = Short();
    o.clients = 0;
    CHECK_FALSE(ValidateLwtBench(o).ok());
    o = Short();
    o.duration = Duration(0);
    CHECK_FALSE(ValidateLwtBench(o).ok());
    o = Short();
    o.engine = "paper";
    CHECK_FALSE(ValidateLwtBench(o).ok());
}

}  // namespace
}  // namespace orrery::jepsen::runner
