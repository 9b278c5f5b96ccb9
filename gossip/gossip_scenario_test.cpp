// Scripted gossip scenarios: every file in testdata/scenarios/ is a golden script driving a
// GossipCluster (gossip_cluster_for_test.h). Commands:
//   cluster N [probe=5] [ack=2] [k=3] [suspicion=6] [mult=3] [reconnect=4] [seed=S]
//             [bug=no-refute]
//   tick [n1 ...|all] [times=N]    one tick each (all: every live node, and the clock moves)
//   deliver [n1->n2 ...]           one round of delivery     stabilize   drop [n1->n2 ...]
//   run periods=N                  tick all and deliver after each tick, printing only changes
//   partition 1 2 | 3 4 5          heal      crash n2      restart n2     leave n2
//   table [n1 ...]                 each node's membership table
//   garbage n1 n2 [bytes=HEX]      queue malformed bytes from n1 to n2
// Output: every message as it is sent ("n1 → n2 Ping i0 seq=1 target=n2"), every membership
// change ("n2: n3 suspect i0 (no-ack)") and notes.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <memory>

#include "gossip/gossip_cluster_for_test.h"
#include "testkit/golden.h"

namespace orrery::gossip::testing {
namespace {

using testkit::GoldenCommand;

Result<NodeId> ParseNode(const std::string& s) {
    std::string digits = !s.empty() && s[0] == 'n' ? s.substr(1) : s;
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) {
        return Status::InvalidArgument(fmt::format("expected a node like n2, got '{}'", s));
    }
    return NodeId(static_cast<uint32_t>(std::stoul(digits)));
}

Result<std::pair<NodeId, NodeId>> ParseLink(const std::string& s) {
    size_t arrow = s.find("->");
    if (arrow == std::string::npos) return Status::InvalidArgument("expected a link like n1->n2");
    ORRERY_ASSIGN_OR_RETURN(NodeId a, ParseNode(s.substr(0, arrow)));
    ORRERY_ASSIGN_OR_RETURN(NodeId b, ParseNode(s.substr(arrow + 2)));
    return std::make_pair(a, b);
}

class Scenario {
public:
    Result<std::string> Handle(const GoldenCommand& cmd) {
        if (cmd.name == "cluster") return NewCluster(cmd);
        if (!cluster_) return Status::InvalidArgument("start with 'cluster N'");
        Result<std::string> r = Dispatch(cmd);
        if (!r.ok()) return r;
        return *r + cluster_->TakeOutput();
    }

private:
    Result<std::string> NewCluster(const GoldenCommand& cmd) {
        if (cmd.args.empty()) return Status::InvalidArgument("cluster N");
        GossipConfig c;
        c.probe_ticks = static_cast<int>(cmd.GetInt("probe", 5));
        c.ack_timeout_ticks = static_cast<int>(cmd.GetInt("ack", 2));
        c.indirect_probes = static_cast<int>(cmd.GetInt("k", 3));
        c.suspicion_periods = static_cast<int>(cmd.GetInt("suspicion", 6));
        c.retransmit_mult = static_cast<int>(cmd.GetInt("mult", 3));
        c.reconnect_periods = static_cast<int>(cmd.GetInt("reconnect", 4));
        c.bug_no_refute = cmd.Get("bug") == "no-refute";
        c.id = NodeId(1);
        ORRERY_RETURN_IF_ERROR(ValidateConfig(c));
        probe_ticks_ = c.probe_ticks;
        cluster_ = std::make_unique<GossipCluster>(std::stoi(cmd.args[0]), c, cmd.GetInt("seed", 1));
        return cluster_->TakeOutput();
    }

    Result<std::vector<NodeId>> Nodes(const GoldenCommand& cmd, size_t skip = 0) {
        std::vector<NodeId> out;
        for (size_t i = skip; i < cmd.args.size(); ++i) {
            if (cmd.args[i] == "all") return cluster_->ids();
            ORRERY_ASSIGN_OR_RETURN(NodeId id, ParseNode(cmd.args[i]));
            if (!cluster_->up(id)) return Status::InvalidArgument(fmt::format("{} is down", id));
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

    Result<std::string> Dispatch(const GoldenCommand& cmd);
    Result<std::string> Tick(const GoldenCommand& cmd);
    Result<std::string> Run(const GoldenCommand& cmd);
    Result<std::string> Table(const GoldenCommand& cmd);
    Result<std::string> Partition(const GoldenCommand& cmd);

    std::unique_ptr<GossipCluster> cluster_;
    int probe_ticks_ = 5;
};

Result<std::string> Scenario::Dispatch(const GoldenCommand& cmd) {
    const std::string& c = cmd.name;
    if (c == "tick") return Tick(cmd);
    if (c == "run") return Run(cmd);
    if (c == "table") return Table(cmd);
    if (c == "partition") return Partition(cmd);
    if (c == "deliver") {
        ORRERY_ASSIGN_OR_RETURN(auto links, Links(cmd));
        cluster_->Deliver(links);
        return std::string();
    }
    if (c == "stabilize") {
        cluster_->Stabilize();
        return std::string();
    }
    if (c == "drop") {
        ORRERY_ASSIGN_OR_RETURN(auto links, Links(cmd));
        return fmt::format("dropped {}\n", cluster_->Drop(links));
    }
    if (c == "heal") {
        cluster_->Heal();
        return std::string();
    }
    if (c == "crash" || c == "restart" || c == "leave") {
        if (cmd.args.size() != 1) return Status::InvalidArgument(c + " n2");
        ORRERY_ASSIGN_OR_RETURN(NodeId id, ParseNode(cmd.args[0]));
        if (c == "restart") {
            if (cluster_->up(id)) return Status::InvalidArgument(fmt::format("{} is up", id));
            cluster_->Restart(id);
            return std::string();
        }
        if (!cluster_->up(id)) return Status::InvalidArgument(fmt::format("{} is down", id));
        if (c == "crash") cluster_->Crash(id);
        if (c == "leave") cluster_->node(id).Leave();
        return std::string();
    }
    if (c == "garbage") {
        if (cmd.args.size() != 2) return Status::InvalidArgument("garbage n1 n2");
        ORRERY_ASSIGN_OR_RETURN(NodeId from, ParseNode(cmd.args[0]));
        ORRERY_ASSIGN_OR_RETURN(NodeId to, ParseNode(cmd.args[1]));
        cluster_->Inject(from, to, cmd.Get("bytes", "not a gossip message"));
        return std::string();
    }
    return Status::InvalidArgument(fmt::format("unknown command '{}'", c));
}

Result<std::string> Scenario::Tick(const GoldenCommand& cmd) {
    int64_t times = cmd.GetInt("times", 1);
    if (times < 1 || times > 10'000) return Status::InvalidArgument("times must be in [1, 10000]");
    bool all = cmd.args.empty() || (cmd.args.size() == 1 && cmd.args[0] == "all");
    ORRERY_ASSIGN_OR_RETURN(std::vector<NodeId> ids, Nodes(cmd));
    for (int64_t i = 0; i < times; ++i) {
        if (all) {
            cluster_->TickAll();
            continue;
        }
        for (NodeId id : ids) cluster_->Tick(id);
    }
    return std::string();
}

// Ticks every live node and delivers everything after each tick, quietly: only membership
// changes are printed. One period = probe ticks.
Result<std::string> Scenario::Run(const GoldenCommand& cmd) {
    int64_t periods = cmd.GetInt("periods", 1);
    if (periods < 1 || periods > 1000) return Status::InvalidArgument("periods in [1, 1000]");
    cluster_->set_print_messages(false);
    for (int64_t i = 0; i < periods * probe_ticks_; ++i) {
        cluster_->TickAll();
        cluster_->Stabilize();
    }
    cluster_->set_print_messages(true);
    return std::string();
}

Result<std::string> Scenario::Table(const GoldenCommand& cmd) {
    std::vector<NodeId> ids;
    if (cmd.args.empty()) {
        for (NodeId id : cluster_->ids()) {
            if (cluster_->up(id)) ids.push_back(id);
        }
    } else {
        ORRERY_ASSIGN_OR_RETURN(ids, Nodes(cmd));
    }
    std::string out;
    for (NodeId id : ids) {
        Swim& s = cluster_->node(id);
        out += fmt::format("{} i{} period={}:", id, s.incarnation(), s.period());
        for (const auto& [mid, m] : s.table().members()) {
            out += fmt::format(" {}={}/i{}", mid, StateName(m.state), m.incarnation);
        }
        out += "\n";
    }
    return out;
}

Result<std::string> Scenario::Partition(const GoldenCommand& cmd) {
    std::vector<std::set<NodeId>> groups(1);
    for (const std::string& a : cmd.args) {
        if (a == "|") {
            groups.emplace_back();
            continue;
        }
        ORRERY_ASSIGN_OR_RETURN(NodeId id, ParseNode(a));
        groups.back().insert(id);
    }
    cluster_->Partition(groups);
    return std::string();
}

TEST_CASE("gossip scenarios", "[gossip][scenario]") {
    for (const std::string& path : testkit::ListGoldenFiles("testdata/scenarios", ".txt")) {
        SECTION(path) {
            Scenario scenario;
            testkit::RunGoldenFile(path, [&](const GoldenCommand& cmd) { return scenario.Handle(cmd); });
        }
    }
}

}  // namespace
}  // namespace orrery::gossip::testing
