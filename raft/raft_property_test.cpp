// Property: under random schedules of message delivery, loss, duplication-free reordering,
// partitions, ticks, proposals and crashes, Raft's invariants hold after every step, and once the
// faults stop a leader emerges and commits.
#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <fmt/format.h>

#include "raft/test_cluster.h"

namespace orrery::raft::testing {
namespace {

constexpr int kSteps = 300;

// One random step of the schedule; `op` and `arg` come from rapidcheck.
void RandomStep(TestCluster& c, int op, int arg, int step) {
    NodeId id(static_cast<uint32_t>(arg % 5 + 1));
    switch (op) {
        case 0: case 1: case 2: (void)c.Deliver({}); break;
        case 3: c.Drop({}); break;
        case 4: case 5:
            if (c.up(id)) {
                c.node(id).Tick();
                (void)c.Ready(id);
            }
            break;
        case 6:
            if (c.up(id)) {
                (void)c.node(id).Propose(fmt::format("v{}", step));
                (void)c.Ready(id);
            }
            break;
        case 7: c.Partition({{id, NodeId(id.value() % 5 + 1)}}); break;
        case 8: c.Heal(); break;
        case 9:
            if (c.up(id)) {
                c.Crash(id);
            } else {
                (void)c.Restart(id);
            }
            break;
        default: {
            // Reorder: move the newest queued message to the front.
            auto& q = c.mutable_queue();
            if (q.size() > 1) {
                InFlight m = std::move(q.back());
                q.pop_back();
                q.push_front(std::move(m));
            }
        }
    }
}

TEST_CASE("random schedules keep Raft's invariants", "[raft]") {
    rc::prop("invariants hold and the cluster recovers", [] {
        auto ops = *rc::gen::container<std::vector<std::pair<int, int>>>(
            kSteps, rc::gen::pair(rc::gen::inRange(0, 11), rc::gen::inRange(0, 100)));
        RaftConfig config;
        config.election_ticks = 5;
        config.snapshot_threshold_entries = 8;
        config.snapshot_chunk_bytes = 16;
        config.max_inflight = 2;
        config.bug_commit_old_term = false;
        TestCluster c(5, 0, config, *rc::gen::inRange<uint64_t>(1, 1000));
        c.set_print_messages(false);
        for (size_t i = 0; i < ops.size(); ++i) RandomStep(c, ops[i].first, ops[i].second, i);
        // Liveness phase: heal, restart everyone, and let time pass.
        c.Heal();
        for (NodeId id : c.ids()) {
            if (!c.up(id)) RC_ASSERT(c.Restart(id).ok());
        }
        bool have_leader = false;
        for (int round = 0; round < 200 && !have_leader; ++round) {
            for (NodeId id : c.ids()) {
                c.node(id).Tick();
                RC_ASSERT(c.Ready(id).ok());
            }
            RC_ASSERT(c.Stabilize().ok());
            for (NodeId id : c.ids()) have_leader |= c.node(id).role() == Role::kLeader;
        }
        std::string out = c.TakeOutput();
        RC_ASSERT(out.find("INVARIANT VIOLATED") == std::string::npos);
        RC_ASSERT(have_leader);
    });
}

}  // namespace
}  // namespace orrery::raft::testing
