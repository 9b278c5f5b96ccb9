// Scripted CASPaxos scenarios: every file in testdata/scenarios/ is a golden script driving a
// PaxosCluster (paxos_cluster_for_test.h); every node is a replica of every key. Commands:
//   cluster N [onertt=false] [timeout=T] [seed=S] [bug=forget-promise|skip-accepted-value]
//   write n1 KEY V        cas n1 KEY OLD NEW (∅ for none)        read n1 KEY
//   batch n1 KEY [if C=V ...] [set C=V ...] [del C ...]   (a multi-cell batch on one partition)
//   tick [times=N]        deliver [n1->n2 ...]   stabilize   drop [n1->n2 ...]
//   partition 1 2 | 3     heal      crash n2     restart n2  state KEY [n1 ...]
//   garbage n1 n2         (queue malformed bytes from n1 to n2)
// Output: every message as it is sent, each request's completion ("n1 done k0 write 1: ok
// previous=∅ next=1 at 1.n1 rtt=2"), and "INVARIANT VIOLATED: ..." (invariants.h).
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <memory>
#include <sstream>

#include "paxos/batch.h"
#include "paxos/paxos_cluster_for_test.h"
#include "testkit/golden.h"

namespace orrery::paxos::testing {
namespace {

using testkit::GoldenCommand;

Result<NodeId> ParseNode(const std::string& s) {
    std::string digits = !s.empty() && s[0] == 'n' ? s.substr(1) : s;
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) {
        return Status::InvalidArgument(fmt::format("expected a node like n2, got '{}'", s));
    }
    return NodeId(static_cast<uint32_t>(std::stoul(digits)));
}

std::optional<std::string> ParseValue(const std::string& s) {
    if (s == "∅" || s == "none") return std::nullopt;
    return s;
}

// Cells rendered as {a=1 b=2}.
std::string RenderCells(const std::optional<std::string>& v) {
    Result<Cells> cells = CellsOf(v);
    if (!cells.ok()) return "<corrupt>";
    std::string out = "{";
    for (const auto& [c, x] : *cells) out += fmt::format("{}{}={}", out.size() > 1 ? " " : "", c, x);
    return out + "}";
}

Result<Batch> ParseBatch(const std::vector<std::string>& args, size_t from) {
    Batch b;
    std::string mode;
    for (size_t i = from; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "if" || a == "set" || a == "del") {
            mode = a;
            continue;
        }
        size_t eq = a.find('=');
        if (mode == "del") {
            b.writes.push_back({a, std::nullopt});
        } else if (eq == std::string::npos || mode.empty()) {
            return Status::InvalidArgument(fmt::format("expected C=V after if/set, got '{}'", a));
        } else if (mode == "if") {
            b.conditions.push_back({a.substr(0, eq), ParseValue(a.substr(eq + 1))});
        } else {
            b.writes.push_back({a.substr(0, eq), a.substr(eq + 1)});
        }
    }
    return b;
}

Result<std::set<std::pair<NodeId, NodeId>>> Links(const GoldenCommand& cmd) {
    std::set<std::pair<NodeId, NodeId>> links;
    for (const std::string& a : cmd.args) {
        size_t arrow = a.find("->");
        if (arrow == std::string::npos) return Status::InvalidArgument("expected n1->n2");
        ORRERY_ASSIGN_OR_RETURN(NodeId x, ParseNode(a.substr(0, arrow)));
        ORRERY_ASSIGN_OR_RETURN(NodeId y, ParseNode(a.substr(arrow + 2)));
        links.insert({x, y});
    }
    return links;
}

class Scenario {
public:
    Result<std::string> Handle(const GoldenCommand& cmd) {
        if (cmd.name == "cluster") {
            if (cmd.args.empty()) return Status::InvalidArgument("cluster N");
            ClusterConfig c;
            c.nodes = std::stoi(cmd.args[0]);
            c.one_round_trip = cmd.Get("onertt", "true") == "true";
            c.timeout_ticks = static_cast<int>(cmd.GetInt("timeout", 10));
            c.seed = static_cast<uint64_t>(cmd.GetInt("seed", 1));
            c.bug_forget_promise = cmd.Get("bug") == "forget-promise";
            c.bug_skip_accepted_value = cmd.Get("bug") == "skip-accepted-value";
            cluster_ = std::make_unique<PaxosCluster>(c);
            return cluster_->TakeOutput();
        }
        if (!cluster_) return Status::InvalidArgument("start with 'cluster N'");
        Result<std::string> r = Dispatch(cmd);
        if (!r.ok()) return r;
        return *r + cluster_->TakeOutput();
    }

private:
    Result<NodeId> Up(const GoldenCommand& cmd, size_t i) {
        if (cmd.args.size() <= i) return Status::InvalidArgument("missing node");
        ORRERY_ASSIGN_OR_RETURN(NodeId id, ParseNode(cmd.args[i]));
        if (!cluster_->up(id)) return Status::InvalidArgument(fmt::format("{} is down", id));
        return id;
    }

    Result<std::string> Request(const GoldenCommand& cmd);
    Result<std::string> Dispatch(const GoldenCommand& cmd);

    std::unique_ptr<PaxosCluster> cluster_;
};

Result<std::string> Scenario::Request(const GoldenCommand& cmd) {
    ORRERY_ASSIGN_OR_RETURN(NodeId at, Up(cmd, 0));
    if (cmd.args.size() < 2) return Status::InvalidArgument(cmd.name + " n1 KEY ...");
    const std::string& key = cmd.args[1];
    if (cmd.name == "write" && cmd.args.size() == 3) {
        std::string v = cmd.args[2];
        cluster_->Propose(at, key, [v](const auto&) { return std::optional<std::string>(v); },
                          "write " + v);
    } else if (cmd.name == "cas" && cmd.args.size() == 4) {
        std::optional<std::string> old = ParseValue(cmd.args[2]);
        std::string v = cmd.args[3];
        cluster_->Propose(at, key,
                          [old, v](const std::optional<std::string>& cur) {
                              return cur == old ? std::optional<std::string>(v) : cur;
                          },
                          fmt::format("cas {}->{}", ValueText(old), v));
    } else if (cmd.name == "read" && cmd.args.size() == 2) {
        cluster_->Propose(at, key, [](const std::optional<std::string>& cur) { return cur; },
                          "read");
    } else if (cmd.name == "batch") {
        // C=V words are key=value pairs to the golden parser: split the raw line instead.
        std::vector<std::string> words;
        std::istringstream in(cmd.Rest());
        for (std::string w; in >> w;) words.push_back(w);
        ORRERY_ASSIGN_OR_RETURN(Batch b, ParseBatch(words, 2));
        cluster_->Propose(at, key, MakeBatchChange(b), DescribeBatch(b), RenderCells);
    } else {
        return Status::InvalidArgument("write n1 K V | cas n1 K OLD NEW | read n1 K | batch ...");
    }
    return std::string();
}

Result<std::string> Scenario::Dispatch(const GoldenCommand& cmd) {
    const std::string& c = cmd.name;
    if (c == "write" || c == "cas" || c == "read" || c == "batch") return Request(cmd);
    if (c == "tick") {
        int64_t times = cmd.GetInt("times", 1);
        for (int64_t i = 0; i < times; ++i) cluster_->TickAll();
        return std::string();
    }
    if (c == "deliver" || c == "drop") {
        ORRERY_ASSIGN_OR_RETURN(auto links, Links(cmd));
        if (c == "deliver") {
            cluster_->Deliver(links);
            return std::string();
        }
        return fmt::format("dropped {}\n", cluster_->Drop(links));
    }
    if (c == "garbage") {
        if (cmd.args.size() != 2) return Status::InvalidArgument("garbage n1 n2");
        ORRERY_ASSIGN_OR_RETURN(NodeId from, ParseNode(cmd.args[0]));
        ORRERY_ASSIGN_OR_RETURN(NodeId to, ParseNode(cmd.args[1]));
        cluster_->Inject(from, to, "not a paxos message");
        return std::string();
    }
    if (c == "stabilize") {
        cluster_->Stabilize();
        return std::string();
    }
    if (c == "heal") {
        cluster_->Heal();
        return std::string();
    }
    if (c == "partition") {
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
    if (c == "crash") {
        ORRERY_ASSIGN_OR_RETURN(NodeId id, Up(cmd, 0));
        cluster_->Crash(id);
        return std::string();
    }
    if (c == "restart") {
        if (cmd.args.empty()) return Status::InvalidArgument("restart n2");
        ORRERY_ASSIGN_OR_RETURN(NodeId id, ParseNode(cmd.args[0]));
        if (cluster_->up(id)) return Status::InvalidArgument(fmt::format("{} is up", id));
        ORRERY_RETURN_IF_ERROR(cluster_->Restart(id));
        return std::string();
    }
    if (c == "state") {
        if (cmd.args.empty()) return Status::InvalidArgument("state KEY [n1 ...]");
        std::vector<NodeId> ids;
        for (size_t i = 1; i < cmd.args.size(); ++i) {
            ORRERY_ASSIGN_OR_RETURN(NodeId id, ParseNode(cmd.args[i]));
            ids.push_back(id);
        }
        if (ids.empty()) ids = cluster_->ids();
        std::string out;
        for (NodeId id : ids) {
            Result<AcceptorState> s = cluster_->State(id, cmd.args[0]);
            if (!s.ok()) {
                out += fmt::format("{} {}\n", id, s.status().ToString());
                continue;
            }
            out += fmt::format("{} promised={} accepted={} value={}\n", id, s->promised,
                               s->accepted, ValueText(s->value));
        }
        return out;
    }
    return Status::InvalidArgument(fmt::format("unknown command '{}'", c));
}

TEST_CASE("paxos scenarios", "[paxos][scenario]") {
    for (const std::string& path : testkit::ListGoldenFiles("testdata/scenarios", ".txt")) {
        SECTION(path) {
            Scenario scenario;
            testkit::RunGoldenFile(path, [&](const GoldenCommand& cmd) { return scenario.Handle(cmd); });
        }
    }
}

}  // namespace
}  // namespace orrery::paxos::testing
