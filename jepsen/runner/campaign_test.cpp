// The smoke campaign: 500 seeds with every fault kind enabled must all pass (Raft invariants
// after every event, liveness after healing, a linearizable history). Every fault kind must
// also have had an effect somewhere in the campaign, so the test cannot pass vacuously.
//
// Kept in its own binary (jepsen_campaign_test) because it is the slow one: run it with
// `ctest -R campaign`. Its wall time and throughput are printed for the report.
#include "jepsen/runner/campaign.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <chrono>

namespace orrery::jepsen::runner {

TEST_CASE("smoke campaign: 500 seeds with every fault kind pass", "[jepsen][campaign]") {
    CampaignOptions c;
    c.profile = "smoke";
    c.first_seed = 1;
    c.last_seed = 500;
    auto start = std::chrono::steady_clock::now();
    c.wall_seconds = [start] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    auto summary = RunCampaign(c);
    REQUIRE(summary.ok());
    fmt::print("{}", RenderCampaignSummary(*summary));
    INFO(RenderCampaignSummary(*summary));
    CHECK(summary->seeds_run == 500);
    CHECK(summary->failed_seeds() == 0);
    for (const char* kind : {"links", "disks", "partition", "crash", "pause", "clock", "buggify"}) {
        INFO(kind);
        CHECK(summary->faults_by_kind[kind] > 0);
    }
    for (const char* effect : {"messages-dropped", "messages-duplicated", "crashes", "pauses",
                               "sectors-lost", "sectors-garbage", "dir-ops-lost", "read-errors"}) {
        INFO(effect);
        CHECK(summary->effects[effect] > 0);
    }
    CHECK(summary->ops_ok > 500 * 20);
}

}  // namespace orrery::jepsen::runner
