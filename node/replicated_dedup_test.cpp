// Duplicate client requests through Raft (Raft thesis §6.3): golden scripts in
// testdata/dedup/*.txt drive a raft::testing::TestCluster whose nodes each run the real
// KvStateMachine (on a MemoryEngine), so a retried (client id, seq) that two leaders both
// appended travels the whole path: proposal, replication, commit, and the session table at
// apply time on every replica. A second test runs the same scripts with the kv.no-dedup bug
// switch forced on and requires them to fail: the scenario can tell working dedup from broken.
//
// Commands:
//   cluster N [checkquorum=false] [bug=no-dedup]   campaign n1     stabilize     heal
//   deliver (one round)    partition 1 | 2 3      put n1 client=C seq=S key=K value=V
//   tick n1 [times=N]      get KEY                status
// `put` does what KvServer does with a client write: ask the leader's session table first
// (a known duplicate is answered from the cache, not proposed), else propose the command.
// Every replica prints each command it applies: "n2 apply 5: c1#1 put x=1 -> ok (duplicate)".
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "node/kv_state_machine.h"
#include "raft/test_cluster.h"
#include "storage/memory_engine.h"
#include "testkit/golden.h"

namespace orrery::node {
namespace {

using raft::testing::ParsePartitionGroups;
using raft::testing::ParseUpNode;
using raft::testing::TestCluster;
using testkit::GoldenCommand;

class DedupScenario {
public:
    explicit DedupScenario(bool force_no_dedup = false) : force_no_dedup_(force_no_dedup) {}

    Result<std::string> Handle(const GoldenCommand& cmd) {
        if (cmd.name == "cluster") return NewCluster(cmd);
        if (!cluster_) return Status::InvalidArgument("start with 'cluster N'");
        ORRERY_ASSIGN_OR_RETURN(std::string out, Dispatch(cmd));
        return out + cluster_->TakeOutput();
    }

private:
    Result<std::string> NewCluster(const GoldenCommand& cmd) {
        if (cmd.args.empty()) return Status::InvalidArgument("cluster N");
        raft::RaftConfig c;
        c.check_quorum = cmd.Get("checkquorum", "true") == "true";
        KvStateMachineOptions o;
        o.bug_no_dedup = force_no_dedup_ || cmd.Get("bug") == "no-dedup";
        engines_.clear();
        machines_.clear();
        auto factory = [this, o](NodeId id) -> std::unique_ptr<raft::StateMachine> {
            auto& engine = engines_[id] = std::make_unique<storage::MemoryEngine>();
            std::unique_ptr<KvStateMachine> sm = KvStateMachine::Open(*engine, o).value();
            sm->SetApplyListener([this, id](LogIndex index, const Command& c,
                                            const CommandReply& r, bool duplicate) {
                cluster_->Print(fmt::format("{} apply {}: {} -> {}{}{}", id, index,
                                            DescribeCommand(c), ReplyCodeName(r.code),
                                            r.value.empty() ? "" : " " + r.value,
                                            duplicate ? " (duplicate)" : ""));
            });
            machines_[id] = sm.get();
            return sm;
        };
        cluster_ = std::make_unique<TestCluster>(std::stoi(cmd.args[0]), 0, c, 1, factory);
        cluster_->set_print_messages(false);  // Roles, commits and applies tell this story.
        ORRERY_RETURN_IF_ERROR(cluster_->ReadyAll());
        return cluster_->TakeOutput();
    }

    Result<std::string> Dispatch(const GoldenCommand& cmd) {
        if (cmd.name == "campaign") {
            ORRERY_ASSIGN_OR_RETURN(NodeId id, Up(cmd));
            cluster_->node(id).Campaign();
            ORRERY_RETURN_IF_ERROR(cluster_->Ready(id));
            return std::string();
        }
        if (cmd.name == "stabilize") {
            ORRERY_RETURN_IF_ERROR(cluster_->Stabilize());
            return std::string();
        }
        if (cmd.name == "tick") {
            ORRERY_ASSIGN_OR_RETURN(NodeId id, Up(cmd));
            for (int64_t i = 0; i < cmd.GetInt("times", 1); ++i) cluster_->node(id).Tick();
            ORRERY_RETURN_IF_ERROR(cluster_->Ready(id));
            return std::string();
        }
        if (cmd.name == "deliver") {  // One round: every message queued now.
            ORRERY_RETURN_IF_ERROR(cluster_->Deliver({}).status());
            return std::string();
        }
        if (cmd.name == "partition") return Partition(cmd);
        if (cmd.name == "heal") {
            cluster_->Heal();
            return std::string();
        }
        if (cmd.name == "put") return Put(cmd);
        if (cmd.name == "get") return Get(cmd);
        if (cmd.name == "status") return Status1();
        return Status::InvalidArgument(fmt::format("unknown command '{}'", cmd.name));
    }

    Result<NodeId> Up(const GoldenCommand& cmd) { return ParseUpNode(*cluster_, cmd.args); }

    Result<std::string> Partition(const GoldenCommand& cmd) {
        ORRERY_ASSIGN_OR_RETURN(auto groups, ParsePartitionGroups(cmd.args));
        cluster_->Partition(groups);
        return std::string();
    }

    // A client write arriving at a server, as KvServer handles it (session check, propose).
    Result<std::string> Put(const GoldenCommand& cmd) {
        ORRERY_ASSIGN_OR_RETURN(NodeId id, Up(cmd));
        Command c;
        c.op = CommandOp::kPut;
        c.client_id = static_cast<uint64_t>(cmd.GetInt("client", 0));
        c.seq = static_cast<uint64_t>(cmd.GetInt("seq", 0));
        c.key = cmd.Get("key");
        c.value = cmd.Get("value");
        if (c.client_id == 0 || c.seq == 0 || c.key.empty()) {
            return Status::InvalidArgument("put n1 client=C seq=S key=K value=V");
        }
        SessionLookup seen = machines_.at(id)->LookupSession(c.client_id, c.seq);
        if (seen.kind == SessionLookup::Kind::kStale) {
            return fmt::format("{} refuses {}: stale sequence number\n", id, DescribeCommand(c));
        }
        if (seen.kind == SessionLookup::Kind::kDuplicate) {
            return fmt::format("{} answers {} from its session cache: {}\n", id,
                               DescribeCommand(c), ReplyCodeName(seen.reply.code));
        }
        ORRERY_ASSIGN_OR_RETURN(LogIndex index, cluster_->node(id).Propose(EncodeCommand(c)));
        std::string out = fmt::format("{} proposes {} at {}\n", id, DescribeCommand(c), index);
        ORRERY_RETURN_IF_ERROR(cluster_->Ready(id));
        return out;
    }

    Result<std::string> Get(const GoldenCommand& cmd) {
        if (cmd.args.empty()) return Status::InvalidArgument("get KEY");
        std::string out;
        for (auto& [id, sm] : machines_) {
            Result<std::string> v = sm->Get(cmd.args[0]);
            out += fmt::format("{}: {}={}\n", id, cmd.args[0],
                               v.ok() ? *v : std::string(CodeName(v.status().code())));
        }
        return out;
    }

    Result<std::string> Status1() {
        std::string out;
        for (auto& [id, sm] : machines_) {
            if (!cluster_->up(id)) {
                out += fmt::format("{} down\n", id);
                continue;
            }
            const raft::RaftNode& n = cluster_->node(id);
            out += fmt::format("{} {} t{} commit={} applied={} commands={} duplicates={}\n", id,
                               raft::RoleName(n.role()), n.term(), n.commit_index(),
                               sm->applied_index(), sm->commands_applied(),
                               sm->duplicates_suppressed());
        }
        return out;
    }

    bool force_no_dedup_;
    std::map<NodeId, std::unique_ptr<storage::MemoryEngine>> engines_;
    std::map<NodeId, KvStateMachine*> machines_;  // Owned by the cluster.
    std::unique_ptr<TestCluster> cluster_;
};

// Runs a golden script by hand and counts the blocks whose output differs from the expected.
int CountMismatches(const std::string& path, DedupScenario& scenario) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    int mismatches = 0;
    for (size_t i = 0; i < lines.size();) {
        if (lines[i].empty() || lines[i][0] == '#') {
            ++i;
            continue;
        }
        std::string actual, expected;
        for (; i < lines.size() && lines[i] != "----"; ++i) {
            auto r = scenario.Handle(testkit::ParseGoldenCommand(lines[i], static_cast<int>(i)));
            actual += r.ok() ? *r : "error: " + r.status().ToString() + "\n";
        }
        for (++i; i < lines.size() && !lines[i].empty(); ++i) expected += lines[i] + "\n";
        if (actual != expected) ++mismatches;
    }
    return mismatches;
}

TEST_CASE("duplicate client requests through raft, golden", "[node]") {
    auto files = testkit::ListGoldenFiles("testdata/dedup", ".txt");
    REQUIRE(!files.empty());
    for (const std::string& file : files) {
        DYNAMIC_SECTION(file) {
            DedupScenario s;
            testkit::RunGoldenFile(file, [&](const GoldenCommand& c) { return s.Handle(c); });
        }
    }
}

TEST_CASE("the dedup scenarios fail when kv.no-dedup breaks the session table", "[node]") {
    for (const std::string& file : testkit::ListGoldenFiles("testdata/dedup", ".txt")) {
        DedupScenario broken(/*force_no_dedup=*/true);
        CHECK(CountMismatches(file, broken) > 0);
    }
}

}  // namespace
}  // namespace orrery::node
