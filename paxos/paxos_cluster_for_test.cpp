// PaxosCluster: see paxos_cluster_for_test.h.
#include "paxos/paxos_cluster_for_test.h"

#include <fmt/format.h>

#include "storage/lsm/lsm_engine.h"

namespace orrery::paxos::testing {
namespace {

constexpr int kMaxStabilizeRounds = 100;

class NoClock final : public Clock {
public:
    Timestamp Now() const override { return Timestamp(0); }
    TimerId SetTimer(Duration, std::function<void()>) override {
        ORRERY_ASSERT(false, "paxos must not set timers");
        return 0;
    }
    void CancelTimer(TimerId) override {}
};

class NoNetwork final : public Network {
public:
    explicit NoNetwork(NodeId self) : self_(self) {}
    NodeId self() const override { return self_; }
    void Send(NodeId, std::string) override { ORRERY_ASSERT(false, "paxos sends via callback"); }
    void SetHandler(Handler) override {}

private:
    NodeId self_;
};

class NotesTracer final : public Tracer {
public:
    explicit NotesTracer(PaxosCluster& c) : c_(c) {}
    void Record(NodeId node, std::string_view kind, TraceFields fields) override {
        if (kind != "note") return;
        for (const TraceField& f : fields) {
            if (auto* s = std::get_if<std::string_view>(&f.value)) {
                c_.Print(fmt::format("{} note: {}", node, *s));
            }
        }
    }

private:
    PaxosCluster& c_;
};

}  // namespace

struct PaxosCluster::Node {
    Node(NodeId id, Random rng, Tracer& tracer)
        : id(id), random(rng), disk(rng.Fork("disk")), network(id),
          env{id, clock, random, disk, network, tracer, faults} {}
    NodeId id;
    Random random;
    sim::SimDisk disk;
    NoClock clock;
    NoNetwork network;
    NoFaultPoints faults;
    Env env;
    std::unique_ptr<storage::Engine> engine;
    std::unique_ptr<Acceptor> acceptor;
    std::unique_ptr<Proposer> proposer;
};

PaxosCluster::PaxosCluster(const ClusterConfig& config)
    : config_(config),
      tracer_(std::make_unique<NotesTracer>(*this)),
      invariants_(static_cast<size_t>(config.nodes) / 2 + 1) {
    Random root(config.seed);
    for (int i = 1; i <= config.nodes; ++i) {
        NodeId id(i);
        replicas_.push_back(id);
        auto n = std::make_unique<Node>(id, root.Fork(fmt::format("n{}", i)), *tracer_);
        Status s = Open(*n);
        ORRERY_ASSERT(s.ok(), "opening {}: {}", id, s.ToString());
        nodes_[id] = std::move(n);
    }
}

PaxosCluster::~PaxosCluster() = default;

Status PaxosCluster::Open(Node& n) {
    storage::LsmOptions lsm;
    lsm.memtable_bytes = 64 << 10;
    ORRERY_ASSIGN_OR_RETURN(auto engine, storage::LsmEngine::Open(n.disk, lsm));
    n.engine = std::move(engine);
    AcceptorConfig ac;
    ac.bug_forget_promise = config_.bug_forget_promise;
    n.acceptor = std::make_unique<Acceptor>(n.env, *n.engine, ac, &invariants_);
    ProposerConfig pc;
    pc.id = n.id;
    pc.one_round_trip = config_.one_round_trip;
    pc.timeout_ticks = config_.timeout_ticks;
    pc.bug_skip_accepted_value = config_.bug_skip_accepted_value;
    NodeId from = n.id;
    auto send = [this, from](NodeId to, std::string bytes) {
        std::string line = fmt::format("{} → {} {}", from, to, DescribeMessage(bytes));
        if (cut_.contains({from, to})) {
            Print(line + "  ✂");
            return;
        }
        Print(line);
        queue_.push_back({from, to, std::move(bytes)});
    };
    ORRERY_ASSIGN_OR_RETURN(n.proposer, Proposer::Open(n.env, *n.engine, pc, send));
    return Status::Ok();
}

std::string PaxosCluster::TakeOutput() {
    std::string out;
    out.swap(out_);
    return out;
}

std::vector<NodeId> PaxosCluster::ids() const { return replicas_; }

bool PaxosCluster::up(NodeId id) const {
    auto it = nodes_.find(id);
    return it != nodes_.end() && it->second->proposer != nullptr;
}

void PaxosCluster::Propose(NodeId at, const std::string& key, ChangeFn f, std::string label,
                           Render render) {
    ORRERY_ASSERT(up(at));
    nodes_.at(at)->proposer->Propose(
        key, replicas_, std::move(f), [this, at, key, label, render](Result<Outcome> r) {
            if (!r.ok()) {
                Print(fmt::format("{} done {} {}: {}", at, key, label, r.status().ToString()));
                return;
            }
            Print(fmt::format("{} done {} {}: ok previous={} next={} at {} rtt={}", at, key, label,
                              render(r->previous), render(r->next), r->ballot,
                              r->round_trips));
        });
}

void PaxosCluster::TickAll() {
    for (auto& [id, n] : nodes_) {
        if (n->proposer) n->proposer->Tick();
    }
}

// A Prepare or Accept goes to the acceptor, whose reply is durable before it is sent; a Promise
// or Accepted goes to the proposer.
void PaxosCluster::Receive(Node& n, NodeId from, const std::string& bytes) {
    Result<Message> m = DecodeMessage(bytes);
    if (!m.ok()) {
        Print(fmt::format("{} note: dropped malformed message: {}", n.id, m.status().message()));
        return;
    }
    if (m->type == MsgType::kPrepare || m->type == MsgType::kAccept) {
        Result<Message> reply = n.acceptor->Handle(*m);
        if (!reply.ok()) {
            Print(fmt::format("{} acceptor error: {}", n.id, reply.status().ToString()));
            return;
        }
        std::string line = fmt::format("{} → {} {}", n.id, from, DescribeMessage(EncodeMessage(*reply)));
        if (cut_.contains({n.id, from})) {
            Print(line + "  ✂");
            return;
        }
        Print(line);
        queue_.push_back({n.id, from, EncodeMessage(*reply)});
        return;
    }
    n.proposer->Step(from, *m);
}

size_t PaxosCluster::Deliver(const std::set<std::pair<NodeId, NodeId>>& links) {
    std::deque<InFlight> now;
    now.swap(queue_);
    size_t delivered = 0;
    for (InFlight& m : now) {
        if (!links.empty() && !links.contains({m.from, m.to})) {
            queue_.push_back(std::move(m));
            continue;
        }
        if (!up(m.to) || cut_.contains({m.from, m.to})) continue;
        Receive(*nodes_.at(m.to), m.from, m.bytes);
        ++delivered;
        CheckInvariants();
    }
    return delivered;
}

void PaxosCluster::Stabilize() {
    for (int i = 0; i < kMaxStabilizeRounds && !queue_.empty(); ++i) Deliver({});
}

size_t PaxosCluster::Drop(const std::set<std::pair<NodeId, NodeId>>& links) {
    size_t before = queue_.size();
    std::erase_if(queue_, [&](const InFlight& m) {
        return links.empty() || links.contains({m.from, m.to});
    });
    return before - queue_.size();
}

void PaxosCluster::Partition(const std::vector<std::set<NodeId>>& groups) {
    cut_.clear();
    auto group_of = [&](NodeId id) -> int {
        for (size_t g = 0; g < groups.size(); ++g) {
            if (groups[g].contains(id)) return static_cast<int>(g);
        }
        return -1;
    };
    for (NodeId a : replicas_) {
        for (NodeId b : replicas_) {
            if (a != b && (group_of(a) < 0 || group_of(a) != group_of(b))) cut_.insert({a, b});
        }
    }
}

void PaxosCluster::Crash(NodeId id) {
    Node& n = *nodes_.at(id);
    n.proposer.reset();
    n.acceptor.reset();
    n.engine.reset();
    n.disk.Crash();
    std::erase_if(queue_, [&](const InFlight& m) { return m.to == id; });
}

Status PaxosCluster::Restart(NodeId id) { return Open(*nodes_.at(id)); }

Result<AcceptorState> PaxosCluster::State(NodeId id, const std::string& key) {
    if (!up(id)) return Status::Unavailable(fmt::format("{} is down", id));
    return nodes_.at(id)->acceptor->Load(key);
}

bool PaxosCluster::HasShortcut(NodeId id, const std::string& key) {
    return up(id) && nodes_.at(id)->proposer->HasShortcut(key);
}

void PaxosCluster::CheckInvariants() {
    if (violated_ || invariants_.violation().ok()) return;
    violated_ = true;
    Print("INVARIANT VIOLATED: " + invariants_.violation().message());
}

}  // namespace orrery::paxos::testing
