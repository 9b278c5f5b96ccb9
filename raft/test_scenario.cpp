// RaftScenario: see test_scenario.h.
#include "raft/test_scenario.h"

#include <fmt/format.h>

#include <memory>
#include <set>
#include <sstream>
#include <utility>
#include <vector>

#include "raft/message.h"
#include "raft/test_cluster.h"

namespace orrery::raft::testing {
namespace {

using testkit::GoldenCommand;

// Keys whose values are integers, and the largest cluster a script may make.
constexpr const char* kIntegerKeys[] = {"election", "heartbeat", "max_append", "inflight",
                                        "threshold", "chunk", "segment", "spares", "seed",
                                        "times", "bytes", "byte", "bit"};
constexpr int kMaxScenarioNodes = 9;

bool IsInteger(const std::string& s) {
    if (s.empty() || s.size() > 18) return false;
    size_t i = s[0] == '-' ? 1 : 0;
    if (i == s.size()) return false;
    for (; i < s.size(); ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
    }
    return true;
}

// Checks what GoldenCommand::GetInt and std::stoi would otherwise assert or throw on, so a typo
// typed at `orrery scenario` is an error message, not a crash.
Status CheckArguments(const GoldenCommand& cmd) {
    for (const char* key : kIntegerKeys) {
        auto it = cmd.kv.find(key);
        if (it != cmd.kv.end() && !IsInteger(it->second)) {
            return Status::InvalidArgument(
                fmt::format("{}={}: expected an integer", key, it->second));
        }
    }
    if (cmd.name == "cluster") {
        if (cmd.args.empty() || !IsInteger(cmd.args[0])) {
            return Status::InvalidArgument("cluster N: N is the number of voters (1-9)");
        }
        int n = std::stoi(cmd.args[0]);
        int spares = IsInteger(cmd.Get("spares", "0")) ? std::stoi(cmd.Get("spares", "0")) : 0;
        if (n < 1 || spares < 0 || n + spares > kMaxScenarioNodes) {
            return Status::InvalidArgument(fmt::format(
                "cluster {} spares={}: between 1 and {} nodes in all", n, spares,
                kMaxScenarioNodes));
        }
        std::string bug = cmd.Get("bug");
        if (!bug.empty() && bug != "forget-vote" && bug != "commit-old-term") {
            return Status::InvalidArgument(
                fmt::format("bug={}: known bugs are forget-vote and commit-old-term", bug));
        }
    }
    if (cmd.name == "tick" && cmd.GetInt("times", 1) < 0) {
        return Status::InvalidArgument("times= must not be negative");
    }
    return Status::Ok();
}

// "n1->n2" -> (1, 2).
Result<std::pair<NodeId, NodeId>> ParseLink(const std::string& s) {
    size_t arrow = s.find("->");
    if (arrow == std::string::npos) return Status::InvalidArgument("expected a link like n1->n2");
    ORRERY_ASSIGN_OR_RETURN(NodeId a, ParseNode(s.substr(0, arrow)));
    ORRERY_ASSIGN_OR_RETURN(NodeId b, ParseNode(s.substr(arrow + 2)));
    return std::make_pair(a, b);
}

std::string Join(const std::vector<NodeId>& ids) {
    std::string out;
    for (NodeId id : ids) out += (out.empty() ? "" : " ") + fmt::format("{}", id);
    return out;
}

std::string EntryText(const Entry& e) {
    switch (e.type) {
        case EntryType::kNoop: return fmt::format("{}@{} noop", e.index, e.term);
        case EntryType::kConfig: return fmt::format("{}@{} config", e.index, e.term);
        case EntryType::kNormal: return fmt::format("{}@{} {}", e.index, e.term, e.data);
    }
    return "?";
}

}  // namespace

class RaftScenario::Impl {
public:
    Result<std::string> Handle(const GoldenCommand& cmd) {
        ORRERY_RETURN_IF_ERROR(CheckArguments(cmd));
        if (cmd.name == "cluster") return NewCluster(cmd);
        if (!cluster_) return Status::InvalidArgument("start with 'cluster N'");
        Result<std::string> r = Dispatch(cmd);
        if (!r.ok()) return r;
        return *r + cluster_->TakeOutput();
    }

private:
    Result<std::string> NewCluster(const GoldenCommand& cmd) {
        RaftConfig c;
        c.election_ticks = static_cast<int>(cmd.GetInt("election", 10));
        c.heartbeat_ticks = static_cast<int>(cmd.GetInt("heartbeat", 1));
        c.pre_vote = cmd.Get("prevote", "true") == "true";
        c.check_quorum = cmd.Get("checkquorum", "true") == "true";
        c.max_append_entries = static_cast<size_t>(cmd.GetInt("max_append", 64));
        c.max_inflight = static_cast<size_t>(cmd.GetInt("inflight", 8));
        c.snapshot_threshold_entries = static_cast<uint64_t>(cmd.GetInt("threshold", 1000));
        c.snapshot_chunk_bytes = static_cast<size_t>(cmd.GetInt("chunk", 64 * 1024));
        c.segment_bytes = static_cast<uint64_t>(cmd.GetInt("segment", 1 << 20));
        std::string bug = cmd.Get("bug");
        c.bug_forget_vote = bug == "forget-vote";
        c.bug_commit_old_term = bug == "commit-old-term";
        if (cmd.args.empty()) return Status::InvalidArgument("cluster N");
        int n = std::stoi(cmd.args[0]);
        int spares = static_cast<int>(cmd.GetInt("spares", 0));
        cluster_ = std::make_unique<TestCluster>(n, spares, c, cmd.GetInt("seed", 1));
        return Status(cluster_->ReadyAll()).ok() ? cluster_->TakeOutput() : "";
    }

    Result<std::vector<NodeId>> Nodes(const GoldenCommand& cmd, size_t skip = 0) {
        std::vector<NodeId> out;
        for (size_t i = skip; i < cmd.args.size(); ++i) {
            if (cmd.args[i] == "all") return cluster_->ids();
            ORRERY_ASSIGN_OR_RETURN(NodeId id, ParseNode(cmd.args[i]));
            out.push_back(id);
        }
        return out;
    }

    Result<std::set<std::pair<NodeId, NodeId>>> Links(const GoldenCommand& cmd) {
        std::set<std::pair<NodeId, NodeId>> links;
        for (const std::string& a : cmd.args) {
            ORRERY_ASSIGN_OR_RETURN(auto link, ParseLink(a));
            links.insert(link);
        }
        return links;
    }

    Result<NodeId> Up(const GoldenCommand& cmd, size_t i = 0) {
        return ParseUpNode(*cluster_, cmd.args, i);
    }

    Result<std::string> Dispatch(const GoldenCommand& cmd);
    Result<std::string> Admin(const GoldenCommand& cmd);
    Result<std::string> Disk(const GoldenCommand& cmd);
    std::string Status1(NodeId id);

    std::unique_ptr<TestCluster> cluster_;
    int reads_ = 0;
};

std::string RaftScenario::Impl::Status1(NodeId id) {
    if (!cluster_->up(id)) return fmt::format("{} down", id);
    RaftNode& n = cluster_->node(id);
    std::string learners = n.learners().empty() ? "" : " learners=[" + Join(n.learners()) + "]";
    return fmt::format("{} {} t{} vote={} commit={} applied={} log={}..{} voters=[{}]{}", id,
                       RoleName(n.role()), n.term(),
                       n.voted_for() ? fmt::format("{}", *n.voted_for()) : "-", n.commit_index(),
                       n.applied_index(), n.first_index(), n.last_index(), Join(n.voters()),
                       learners);
}

Result<std::string> RaftScenario::Impl::Dispatch(const GoldenCommand& cmd) {
    if (cmd.name == "tick") {
        ORRERY_ASSIGN_OR_RETURN(auto ids, Nodes(cmd));
        for (int t = 0; t < cmd.GetInt("times", 1); ++t) {
            for (NodeId id : ids) {
                if (!cluster_->up(id)) continue;
                cluster_->node(id).Tick();
                ORRERY_RETURN_IF_ERROR(cluster_->Ready(id));
            }
        }
        return std::string();
    }
    if (cmd.name == "campaign") {
        ORRERY_ASSIGN_OR_RETURN(NodeId id, Up(cmd));
        cluster_->node(id).Campaign();
        ORRERY_RETURN_IF_ERROR(cluster_->Ready(id));
        return std::string();
    }
    // ready=batch: one Ready per receiver per round, after all its deliveries (a real process).
    if (cmd.name == "deliver") {
        ORRERY_ASSIGN_OR_RETURN(auto links, Links(cmd));
        ORRERY_RETURN_IF_ERROR(cluster_->Deliver(links, cmd.Get("ready") == "batch").status());
        return std::string();
    }
    if (cmd.name == "stabilize") {
        ORRERY_RETURN_IF_ERROR(cluster_->Stabilize(cmd.Get("ready") == "batch"));
        return std::string();
    }
    // propose-batch n1 a b c: several proposals, then one Ready (one turn of a real process).
    if (cmd.name == "propose-batch") {
        ORRERY_ASSIGN_OR_RETURN(NodeId id, Up(cmd));
        std::string out;
        for (size_t i = 1; i < cmd.args.size(); ++i) {
            ORRERY_ASSIGN_OR_RETURN(LogIndex index, cluster_->node(id).Propose(cmd.args[i]));
            out += fmt::format("proposed at {}\n", index);
        }
        ORRERY_RETURN_IF_ERROR(cluster_->Ready(id));
        return out;
    }
    if (cmd.name == "drop") {
        ORRERY_ASSIGN_OR_RETURN(auto links, Links(cmd));
        return fmt::format("dropped {}", cluster_->Drop(links));
    }
    if (cmd.name == "partition") {
        ORRERY_ASSIGN_OR_RETURN(auto groups, ParsePartitionGroups(cmd.args));
        cluster_->Partition(groups);
        return std::string();
    }
    if (cmd.name == "heal") {
        cluster_->Heal();
        return std::string();
    }
    if (cmd.name == "status") {
        std::string out;
        for (NodeId id : cluster_->ids()) out += Status1(id) + "\n";
        return out;
    }
    if (cmd.name == "log") {
        ORRERY_ASSIGN_OR_RETURN(auto ids, Nodes(cmd));
        if (ids.empty()) ids = cluster_->ids();
        std::string out;
        for (NodeId id : ids) {
            if (!cluster_->up(id)) continue;
            RaftNode& n = cluster_->node(id);
            out += fmt::format("{}:", id);
            if (n.snapshot_index() > LogIndex(0)) out += fmt::format(" [snapshot {}]", n.snapshot_index());
            for (LogIndex i = n.first_index(); i <= n.last_index(); ++i) {
                out += " | " + EntryText(*n.FindEntry(i));
            }
            out += "\n";
        }
        return out;
    }
    if (cmd.name == "applied") {
        ORRERY_ASSIGN_OR_RETURN(auto ids, Nodes(cmd));
        if (ids.empty()) ids = cluster_->ids();
        std::string out;
        for (NodeId id : ids) {
            std::string cmds;
            for (const std::string& c : cluster_->sm(id).commands()) cmds += " " + c;
            out += fmt::format("{} applied={}:{}\n", id, cluster_->sm(id).applied_index(), cmds);
        }
        return out;
    }
    return Admin(cmd);
}

Result<std::string> RaftScenario::Impl::Admin(const GoldenCommand& cmd) {
    if (cmd.name == "propose") {
        ORRERY_ASSIGN_OR_RETURN(NodeId id, Up(cmd));
        std::string rest = cmd.Rest();
        std::string data = rest.find(' ') == std::string::npos ? "" : rest.substr(rest.find(' ') + 1);
        ORRERY_ASSIGN_OR_RETURN(LogIndex index, cluster_->node(id).Propose(data));
        ORRERY_RETURN_IF_ERROR(cluster_->Ready(id));
        return fmt::format("proposed at {}\n", index);
    }
    if (cmd.name == "read") {
        ORRERY_ASSIGN_OR_RETURN(NodeId id, Up(cmd));
        int n = ++reads_;
        TestCluster* c = cluster_.get();
        cluster_->node(id).ReadIndex([c, id, n](Status s) {
            c->Print(fmt::format("{} read #{}: {}", id, n, s.ToString()));
        });
        ORRERY_RETURN_IF_ERROR(cluster_->Ready(id));
        return std::string();
    }
    if (cmd.name == "add-learner" || cmd.name == "promote" || cmd.name == "remove") {
        ORRERY_ASSIGN_OR_RETURN(NodeId id, Up(cmd));
        if (cmd.args.size() < 2) return Status::InvalidArgument("which node?");
        ORRERY_ASSIGN_OR_RETURN(NodeId target, ParseNode(cmd.args[1]));
        RaftNode& n = cluster_->node(id);
        Result<LogIndex> r = cmd.name == "add-learner" ? n.AddLearner(target)
                             : cmd.name == "promote"   ? n.PromoteLearner(target)
                                                       : n.RemoveServer(target);
        ORRERY_RETURN_IF_ERROR(r.status());
        ORRERY_RETURN_IF_ERROR(cluster_->Ready(id));
        return fmt::format("config change at {}\n", *r);
    }
    if (cmd.name == "transfer") {
        ORRERY_ASSIGN_OR_RETURN(NodeId id, Up(cmd));
        if (cmd.args.size() < 2) return Status::InvalidArgument("transfer FROM TO");
        ORRERY_ASSIGN_OR_RETURN(NodeId to, ParseNode(cmd.args[1]));
        ORRERY_RETURN_IF_ERROR(cluster_->node(id).TransferLeadership(to));
        ORRERY_RETURN_IF_ERROR(cluster_->Ready(id));
        return std::string();
    }
    return Disk(cmd);
}

Result<std::string> RaftScenario::Impl::Disk(const GoldenCommand& cmd) {
    if (cmd.name == "crash") {
        ORRERY_ASSIGN_OR_RETURN(NodeId id, Up(cmd));
        cluster_->Crash(id);
        return std::string();
    }
    if (cmd.name == "restart") {
        ORRERY_ASSIGN_OR_RETURN(NodeId id, ParseNode(cmd.args.empty() ? "" : cmd.args[0]));
        if (cluster_->up(id)) return Status::InvalidArgument("node is up");
        ORRERY_RETURN_IF_ERROR(cluster_->Restart(id));
        ORRERY_RETURN_IF_ERROR(cluster_->Ready(id));
        return Status1(id) + "\n";
    }
    if (cmd.name == "files") {
        ORRERY_ASSIGN_OR_RETURN(NodeId id, ParseNode(cmd.args.empty() ? "" : cmd.args[0]));
        ORRERY_ASSIGN_OR_RETURN(auto names, cluster_->disk(id).List());
        std::string out;
        for (const std::string& f : names) {
            ORRERY_ASSIGN_OR_RETURN(auto file, cluster_->disk(id).Open(f, OpenMode::kRead));
            out += fmt::format("{} {} bytes\n", f, file->Size());
        }
        return out;
    }
    if (cmd.name == "torn-tail" || cmd.name == "rot") {
        // torn-tail: append unsynced garbage to the newest log segment, as a crash in the middle of
        // a write leaves it. rot: flip a bit in the synced middle of the newest segment.
        ORRERY_ASSIGN_OR_RETURN(NodeId id, ParseNode(cmd.args.empty() ? "" : cmd.args[0]));
        ORRERY_ASSIGN_OR_RETURN(auto names, cluster_->disk(id).List());
        std::string seg;
        for (const std::string& f : names) {
            if (f.starts_with("raft-log-")) seg = f;
        }
        if (seg.empty()) return Status::NotFound("no log segment");
        if (cmd.name == "rot") {
            ORRERY_ASSIGN_OR_RETURN(auto file, cluster_->disk(id).Open(seg, OpenMode::kRead));
            uint64_t pos = static_cast<uint64_t>(cmd.GetInt("byte", static_cast<int64_t>(file->Size() / 2)));
            ORRERY_RETURN_IF_ERROR(cluster_->disk(id).RotBit(seg, pos));
            return fmt::format("flipped a bit at byte {} of {}\n", pos, seg);
        }
        ORRERY_ASSIGN_OR_RETURN(auto file, cluster_->disk(id).Open(seg, OpenMode::kReadWrite));
        std::string garbage(static_cast<size_t>(cmd.GetInt("bytes", 20)), '\x5a');
        ORRERY_RETURN_IF_ERROR(file->Append(garbage));
        return fmt::format("appended {} garbage bytes to {}\n", garbage.size(), seg);
    }
    if (cmd.name == "corrupt-next") {
        // Flips one bit of the next queued message, as the network may.
        auto& q = cluster_->mutable_queue();
        if (q.empty()) return Status::NotFound("no message queued");
        size_t bit = static_cast<size_t>(cmd.GetInt("bit", 77)) % (q.front().bytes.size() * 8);
        q.front().bytes[bit / 8] = static_cast<char>(q.front().bytes[bit / 8] ^ (1 << (bit % 8)));
        return fmt::format("flipped bit {} of {} → {}\n", bit, q.front().from, q.front().to);
    }
    return Status::InvalidArgument(fmt::format("unknown command '{}'", cmd.name));
}


RaftScenario::RaftScenario() : impl_(std::make_unique<Impl>()) {}
RaftScenario::~RaftScenario() = default;

Result<std::string> RaftScenario::Handle(const GoldenCommand& cmd) { return impl_->Handle(cmd); }

}  // namespace orrery::raft::testing
