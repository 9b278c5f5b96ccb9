// A node's metrics scrape, in the simulator: KV requests counted by operation and outcome and
// timed on virtual time, the Raft and SQL families, and the summary `cluster status --metrics`
// prints, all read back through the strict text-format reader.
#include "node/node_metrics.h"

#include <catch2/catch.hpp>

#include "node/kv_client.h"
#include "node/sql_server_test_util.h"

namespace orrery::node {
namespace {

class KvClientProcess final : public sim::Process {
public:
    KvClientProcess(Env& env, KvClientOptions o) : client(env, std::move(o)) {}
    KvClient client;
};

TEST_CASE("a scrape counts and times a node's requests and reads back", "[node][metrics]") {
    testing::SqlHarness h(3);
    NodeId leader = h.Leader();
    KvClientOptions o;
    o.servers = {leader};
    NodeId id(kFirstClientId + 7);
    h.sim().AddClient(id, [o](Env& env) { return std::make_unique<KvClientProcess>(env, o); });
    KvClient& kv = static_cast<KvClientProcess*>(h.sim().process(id))->client;
    int done = 0;
    auto count = [&](const KvOutcome&) { ++done; };
    kv.Put("a", "1", count);
    h.sim().RunFor(Duration::Seconds(1)).IgnoreError();
    kv.Put("b", "2", count);
    h.sim().RunFor(Duration::Seconds(1)).IgnoreError();
    kv.Get("a", count);
    h.sim().RunFor(Duration::Seconds(1)).IgnoreError();
    kv.Get("missing", count);
    h.sim().RunFor(Duration::Seconds(1)).IgnoreError();
    REQUIRE(done == 4);
    SqlClient& sql = h.AddClient(0);
    REQUIRE(h.Run(sql, "put x 1").ok());

    NodeMetricsSources sources;
    sources.server = h.Server(leader);
    sources.listeners.push_back({"pg", 2, 5, 40, 3});
    std::string text = RenderNodeMetrics(sources);
    auto scrape = metrics::ParseText(text);
    REQUIRE(scrape.ok());
    CHECK(scrape->Find("orrery_up") == 1);
    CHECK(scrape->Find("orrery_raft_role", {{"role", "leader"}}) == 1);
    CHECK(scrape->Find("orrery_raft_role", {{"role", "follower"}}) == 0);
    CHECK(scrape->Find("orrery_raft_leader") == leader.value());
    CHECK(scrape->Find("orrery_requests_total", {{"op", "put"}}) == 2);
    CHECK(scrape->Find("orrery_requests_total", {{"op", "get"}}) == 2);
    CHECK(scrape->Find("orrery_replies_total", {{"op", "get"}, {"code", "ok"}}) == 1);
    CHECK(scrape->Find("orrery_replies_total", {{"op", "get"}, {"code", "not-found"}}) == 1);
    CHECK(scrape->Find("orrery_replies_total", {{"op", "put"}, {"code", "ok"}}) == 2);
    CHECK(scrape->Find("orrery_sql_statements_total") >= 1);
    CHECK(scrape->Find("orrery_sql_commits_proposed_total") == 1);
    CHECK(scrape->Find("orrery_connections", {{"protocol", "pg"}}) == 2);
    CHECK(scrape->Find("orrery_statement_errors_total", {{"protocol", "pg"}}) == 3);
    // A put waits for a commit, which takes at least one round trip in virtual time; the
    // histogram sees every answered request.
    auto puts = scrape->Histogram("orrery_request_seconds", {{"op", "put"}});
    REQUIRE(puts.ok());
    CHECK(puts->count() == 2);
    CHECK(puts->sum_micros() > 0);
    auto all = scrape->Histogram("orrery_request_seconds");
    REQUIRE(all.ok());
    CHECK(all->count() == 4);
    CHECK(scrape->Find("orrery_requests_unanswered_total") == 0);
    // No disk was given: no fsync family.
    CHECK(scrape->types.count("orrery_fsync_seconds") == 0);

    auto summary = SummariseMetrics(*scrape);
    REQUIRE(summary.ok());
    CHECK(summary->up);
    CHECK(summary->role == "leader");
    CHECK(summary->requests == 4);
    CHECK(summary->answered == 4);
    CHECK(summary->errors == 3);  // The pg listener's; the KV replies were ok or not-found.
    CHECK(summary->connections == 2);
    CHECK(summary->commit == summary->applied + summary->apply_lag);
    CHECK(MetricsSummaryLine("n1", *summary).starts_with("n1    yes leader"));

    // A follower's scrape: the same families, its own role.
    NodeId follower(leader.value() % 3 + 1);
    sources.server = h.Server(follower);
    sources.listeners.clear();
    auto other = metrics::ParseText(RenderNodeMetrics(sources));
    REQUIRE(other.ok());
    CHECK(other->Find("orrery_raft_role", {{"role", "follower"}}) == 1);
    CHECK(other->Sum("orrery_requests_total") == 0);
    CHECK(SummariseMetrics(*other)->role == "follower");
    CHECK(SummariseMetrics(metrics::ParseText("up 1\n").value()).status().code() ==
          Code::kInvalidArgument);
}

}  // namespace
}  // namespace orrery::node
