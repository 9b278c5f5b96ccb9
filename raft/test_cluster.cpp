// TestCluster: see test_cluster.h.
#include "raft/test_cluster.h"

#include <fmt/format.h>

#include "core/coding.h"

namespace orrery::raft::testing {
namespace {

constexpr int kMaxStabilizeRounds = 1000;

class NoClock final : public Clock {
public:
    Timestamp Now() const override { return Timestamp(0); }
    TimerId SetTimer(Duration, std::function<void()>) override {
        ORRERY_ASSERT(false, "raft must not set timers");
        return 0;
    }
    void CancelTimer(TimerId) override {}
};

class NoNetwork final : public Network {
public:
    explicit NoNetwork(NodeId self) : self_(self) {}
    NodeId self() const override { return self_; }
    void Send(NodeId, std::string) override { ORRERY_ASSERT(false, "raft sends through Ready"); }
    void SetHandler(Handler) override {}

private:
    NodeId self_;
};

std::string FieldText(const TraceField& f) {
    if (auto* i = std::get_if<int64_t>(&f.value)) return fmt::format("{}", *i);
    return std::string(std::get<std::string_view>(f.value));
}

}  // namespace

void ListStateMachine::Apply(const Entry& entry) {
    ORRERY_ASSERT(entry.index == applied_ + 1, "apply {} after {}", entry.index, applied_);
    applied_ = entry.index;
    if (entry.type == EntryType::kNormal) {
        commands_.push_back(fmt::format("{}:{}", entry.index, entry.data));
    }
}

Result<std::string> ListStateMachine::Snapshot() {
    std::string out;
    PutVarint64(&out, applied_.value());
    PutVarint64(&out, commands_.size());
    for (const std::string& c : commands_) PutLengthPrefixed(&out, c);
    return out;
}

Status ListStateMachine::Restore(LogIndex index, std::string_view snapshot) {
    Decoder in(snapshot);
    uint64_t applied = 0, n = 0;
    if (!in.GetVarint64(&applied) || !in.GetVarint64(&n) || applied != index.value()) {
        return Status::Corruption("bad test snapshot");
    }
    std::vector<std::string> commands;
    for (uint64_t i = 0; i < n; ++i) {
        std::string_view c;
        if (!in.GetLengthPrefixed(&c)) return Status::Corruption("bad test snapshot");
        commands.emplace_back(c);
    }
    applied_ = index;
    commands_ = std::move(commands);
    return Status::Ok();
}

class TestCluster::OutputTracer final : public Tracer {
public:
    explicit OutputTracer(TestCluster& c) : c_(c) {}
    void Record(NodeId node, std::string_view kind, TraceFields fields) override {
        std::vector<std::string> v;
        for (const TraceField& f : fields) v.push_back(FieldText(f));
        if (kind == "role" && v.size() == 2) {
            c_.Print(fmt::format("{} role={} t{}", node, v[0], v[1]));
        } else if (kind == "commit" && !v.empty()) {
            c_.Print(fmt::format("{} commit={}", node, v[0]));
        } else if (kind == "note" && !v.empty()) {
            c_.Print(fmt::format("{} note: {}", node, v[0]));
        }
    }

private:
    TestCluster& c_;
};

struct TestCluster::Node {
    Node(NodeId id, Random rng, Tracer& tracer)
        : id(id),
          random(rng),
          disk(rng.Fork("disk")),
          raft_disk(disk, "raft-"),
          network(id),
          env{id, clock, random, disk, network, tracer, faults} {}

    NodeId id;
    RaftConfig config;
    Random random;
    sim::SimDisk disk;
    PrefixDisk raft_disk;
    NoClock clock;
    NoNetwork network;
    NoFaultPoints faults;
    Env env;
    ListStateMachine sm;
    std::unique_ptr<StateMachine> custom_sm;  // From the factory, when there is one.
    std::unique_ptr<RaftNode> raft;

    StateMachine& machine() { return custom_sm ? *custom_sm : static_cast<StateMachine&>(sm); }
    std::vector<std::pair<NodeId, std::string>> sent;
};

TestCluster::TestCluster(int voters, int spares, const RaftConfig& base, uint64_t seed,
                         StateMachineFactory factory)
    : tracer_(std::make_unique<OutputTracer>(*this)) {
    Random root(seed);
    std::vector<NodeId> peers;
    for (int i = 1; i <= voters; ++i) peers.push_back(NodeId(i));
    for (int i = 1; i <= voters + spares; ++i) {
        NodeId id(i);
        auto n = std::make_unique<Node>(id, root.Fork(fmt::format("n{}", i)), *tracer_);
        n->config = base;
        n->config.id = id;
        n->config.peers = i <= voters ? peers : std::vector<NodeId>{};
        if (factory) n->custom_sm = factory(id);
        Status s = Open(*n);
        ORRERY_ASSERT(s.ok(), "opening {}: {}", id, s.ToString());
        nodes_[id] = std::move(n);
    }
}

TestCluster::~TestCluster() = default;

Status TestCluster::Open(Node& n) {
    Node* np = &n;
    ORRERY_ASSIGN_OR_RETURN(n.raft, RaftNode::Open(n.env, n.raft_disk, n.config, n.machine(),
                                                   [np](NodeId to, std::string bytes) {
                                                       np->sent.emplace_back(to, std::move(bytes));
                                                   }));
    return Status::Ok();
}

std::string TestCluster::TakeOutput() {
    std::string s;
    s.swap(out_);
    return s;
}

std::vector<NodeId> TestCluster::ids() const {
    std::vector<NodeId> v;
    for (const auto& [id, n] : nodes_) v.push_back(id);
    return v;
}

bool TestCluster::up(NodeId id) const {
    auto it = nodes_.find(id);
    return it != nodes_.end() && it->second->raft != nullptr;
}

RaftNode& TestCluster::node(NodeId id) {
    ORRERY_ASSERT(up(id), "{} is not up", id);
    return *nodes_.at(id)->raft;
}

ListStateMachine& TestCluster::sm(NodeId id) {
    ORRERY_ASSERT(!nodes_.at(id)->custom_sm, "{} runs another state machine", id);
    return nodes_.at(id)->sm;
}
StateMachine& TestCluster::machine(NodeId id) { return nodes_.at(id)->machine(); }
sim::SimDisk& TestCluster::disk(NodeId id) { return nodes_.at(id)->disk; }

Status TestCluster::Ready(NodeId id) {
    Node& n = *nodes_.at(id);
    if (!n.raft) return Status::Ok();
    Status s = n.raft->Ready();
    std::vector<std::pair<NodeId, std::string>> sent;
    sent.swap(n.sent);
    for (auto& [to, bytes] : sent) {
        bool cut = Cut(id, to);
        if (print_messages_) {
            Print(fmt::format("{} → {} {}{}", id, to, DescribeMessage(bytes), cut ? "  ✂" : ""));
        }
        if (!cut) queue_.push_back(InFlight{id, to, std::move(bytes)});
    }
    ORRERY_RETURN_IF_ERROR(s);
    return CheckInvariants();
}

Status TestCluster::ReadyAll() {
    for (auto& [id, n] : nodes_) ORRERY_RETURN_IF_ERROR(Ready(id));
    return Status::Ok();
}

Result<size_t> TestCluster::Deliver(const std::set<std::pair<NodeId, NodeId>>& links,
                                    bool batched) {
    std::deque<InFlight> now;
    now.swap(queue_);
    std::deque<InFlight> keep;
    std::set<NodeId> stepped;  // batched: receivers that owe a Ready.
    size_t delivered = 0;
    for (InFlight& m : now) {
        if (!links.empty() && !links.contains({m.from, m.to})) {
            keep.push_back(std::move(m));
            continue;
        }
        if (!up(m.to) || Cut(m.from, m.to)) continue;  // Lost.
        ++delivered;
        nodes_.at(m.to)->raft->Step(m.from, m.bytes);
        if (batched) {
            stepped.insert(m.to);
        } else {
            ORRERY_RETURN_IF_ERROR(Ready(m.to));
        }
    }
    for (NodeId id : stepped) {
        if (up(id)) ORRERY_RETURN_IF_ERROR(Ready(id));
    }
    // Undelivered messages stay ahead of the ones just produced.
    keep.insert(keep.end(), queue_.begin(), queue_.end());
    queue_.swap(keep);
    return delivered;
}

Status TestCluster::Stabilize(bool batched) {
    for (int round = 0; round < kMaxStabilizeRounds; ++round) {
        ORRERY_ASSIGN_OR_RETURN(size_t n, Deliver({}, batched));
        if (n == 0 && queue_.empty()) return Status::Ok();
    }
    return Status::Busy("cluster did not stabilize");
}

size_t TestCluster::Drop(const std::set<std::pair<NodeId, NodeId>>& links) {
    size_t before = queue_.size();
    std::erase_if(queue_, [&](const InFlight& m) {
        return links.empty() || links.contains({m.from, m.to});
    });
    return before - queue_.size();
}

void TestCluster::Partition(const std::vector<std::set<NodeId>>& groups) {
    cut_.clear();
    auto group_of = [&](NodeId id) {
        for (size_t g = 0; g < groups.size(); ++g) {
            if (groups[g].contains(id)) return static_cast<int>(g);
        }
        return -1;
    };
    for (NodeId a : ids()) {
        for (NodeId b : ids()) {
            if (a != b && (group_of(a) != group_of(b) || group_of(a) < 0)) cut_.insert({a, b});
        }
    }
    std::erase_if(queue_, [&](const InFlight& m) { return Cut(m.from, m.to); });
}

void TestCluster::Crash(NodeId id) {
    Node& n = *nodes_.at(id);
    n.raft.reset();
    n.sent.clear();
    n.disk.Crash();
    std::erase_if(queue_, [&](const InFlight& m) { return m.to == id || m.from == id; });
    checker_.OnRestart(id);
}

Status TestCluster::Restart(NodeId id) {
    Node& n = *nodes_.at(id);
    ORRERY_ASSERT(!n.raft, "{} is up", id);
    checker_.OnRestart(id);
    return Open(n);
}

Status TestCluster::CheckInvariants() {
    std::vector<const RaftNode*> live;
    for (auto& [id, n] : nodes_) {
        if (n->raft) live.push_back(n->raft.get());
    }
    Status s = checker_.Check(live);
    if (!s.ok() && !violated_) {
        violated_ = true;
        Print("INVARIANT VIOLATED: " + s.message());
    }
    return Status::Ok();
}

Result<NodeId> ParseNode(const std::string& s) {
    std::string digits = !s.empty() && s[0] == 'n' ? s.substr(1) : s;
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) {
        return Status::InvalidArgument(fmt::format("bad node '{}'", s));
    }
    return NodeId(static_cast<uint32_t>(std::stoul(digits)));
}

Result<NodeId> ParseUpNode(const TestCluster& cluster, const std::vector<std::string>& args,
                           size_t i) {
    if (args.size() <= i) return Status::InvalidArgument("missing node argument");
    ORRERY_ASSIGN_OR_RETURN(NodeId id, ParseNode(args[i]));
    if (!cluster.up(id)) return Status::InvalidArgument(fmt::format("{} is down", id));
    return id;
}

Result<std::vector<std::set<NodeId>>> ParsePartitionGroups(const std::vector<std::string>& args) {
    std::vector<std::set<NodeId>> groups(1);
    for (const std::string& a : args) {
        if (a == "|") {
            groups.emplace_back();
            continue;
        }
        ORRERY_ASSIGN_OR_RETURN(NodeId id, ParseNode(a));
        groups.back().insert(id);
    }
    return groups;
}

}  // namespace orrery::raft::testing
