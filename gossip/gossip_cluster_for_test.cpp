// GossipCluster: see gossip_cluster_for_test.h.
#include "gossip/gossip_cluster_for_test.h"

#include <fmt/format.h>

namespace orrery::gossip::testing {
namespace {

constexpr int kMaxStabilizeRounds = 100;
constexpr int64_t kTickUs = 100'000;

class NoNetwork final : public Network {
public:
    explicit NoNetwork(NodeId self) : self_(self) {}
    NodeId self() const override { return self_; }
    void Send(NodeId, std::string) override { ORRERY_ASSERT(false, "gossip sends via callback"); }
    void SetHandler(Handler) override {}

private:
    NodeId self_;
};

class NoDisk final : public Disk {
public:
    Result<std::unique_ptr<File>> Open(std::string_view, OpenMode) override {
        return Status::NotSupported("gossip keeps nothing on disk");
    }
    Status Rename(std::string_view, std::string_view) override { return Status::NotSupported(""); }
    Status Remove(std::string_view) override { return Status::NotSupported(""); }
    Status SyncDir() override { return Status::Ok(); }
    Result<std::vector<std::string>> List() override { return std::vector<std::string>{}; }
    bool Exists(std::string_view) override { return false; }
};

std::string FieldText(const TraceField& f) {
    if (auto* i = std::get_if<int64_t>(&f.value)) return fmt::format("{}", *i);
    return std::string(std::get<std::string_view>(f.value));
}

}  // namespace

class GossipCluster::FakeClock final : public Clock {
public:
    Timestamp Now() const override { return Timestamp(ticks * kTickUs); }
    TimerId SetTimer(Duration, std::function<void()>) override {
        ORRERY_ASSERT(false, "gossip must not set timers");
        return 0;
    }
    void CancelTimer(TimerId) override {}
    int64_t ticks = 0;
};

class GossipCluster::OutputTracer final : public Tracer {
public:
    explicit OutputTracer(GossipCluster& c) : c_(c) {}
    void Record(NodeId node, std::string_view kind, TraceFields fields) override {
        std::vector<std::string> v;
        for (const TraceField& f : fields) v.push_back(FieldText(f));
        if (kind == "gossip" && v.size() == 4) {
            c_.Print(fmt::format("{}: n{} {} i{} ({})", node, v[0], v[1], v[2], v[3]));
        } else if (kind == "note" && !v.empty()) {
            c_.Print(fmt::format("{} note: {}", node, v[0]));
        }
    }

private:
    GossipCluster& c_;
};

struct GossipCluster::Node {
    Node(NodeId id, Random rng, Clock& clock, Tracer& tracer)
        : id(id), random(rng), network(id), env{id, clock, random, disk, network, tracer, faults} {}
    NodeId id;
    GossipConfig config;
    Random random;
    NoDisk disk;
    NoNetwork network;
    NoFaultPoints faults;
    Env env;
    std::unique_ptr<Swim> swim;
};

GossipCluster::GossipCluster(int n, const GossipConfig& base, uint64_t seed)
    : tracer_(std::make_unique<OutputTracer>(*this)), clock_(std::make_unique<FakeClock>()) {
    Random root(seed);
    for (int i = 1; i <= n; ++i) {
        NodeId id(i);
        auto node = std::make_unique<Node>(id, root.Fork(fmt::format("n{}", i)), *clock_, *tracer_);
        node->config = base;
        node->config.id = id;
        node->config.seeds = i == 1 ? std::vector<NodeId>{} : std::vector<NodeId>{NodeId(1)};
        Open(*node);
        nodes_[id] = std::move(node);
    }
}

GossipCluster::~GossipCluster() = default;

void GossipCluster::Open(Node& n) {
    NodeId from = n.id;
    n.swim = std::make_unique<Swim>(n.env, n.config, [this, from](NodeId to, std::string bytes) {
        if (cut_.contains({from, to})) {
            if (print_messages_) Print(fmt::format("{} → {} {}  ✂", from, to, DescribeMessage(bytes)));
            return;
        }
        if (print_messages_) Print(fmt::format("{} → {} {}", from, to, DescribeMessage(bytes)));
        queue_.push_back({from, to, std::move(bytes)});
    });
}

std::string GossipCluster::TakeOutput() {
    std::string out;
    out.swap(out_);
    return out;
}

std::vector<NodeId> GossipCluster::ids() const {
    std::vector<NodeId> out;
    for (const auto& [id, n] : nodes_) out.push_back(id);
    return out;
}

bool GossipCluster::up(NodeId id) const {
    auto it = nodes_.find(id);
    return it != nodes_.end() && it->second->swim != nullptr;
}

Swim& GossipCluster::node(NodeId id) {
    ORRERY_ASSERT(up(id), "{} is down", id);
    return *nodes_.at(id)->swim;
}

void GossipCluster::Tick(NodeId id) { node(id).Tick(); }

void GossipCluster::TickAll() {
    clock_->ticks += 1;
    for (auto& [id, n] : nodes_) {
        if (n->swim) n->swim->Tick();
    }
}

size_t GossipCluster::Deliver(const std::set<std::pair<NodeId, NodeId>>& links) {
    std::deque<InFlight> now;
    now.swap(queue_);
    size_t delivered = 0;
    for (InFlight& m : now) {
        if (!links.empty() && !links.contains({m.from, m.to})) {
            queue_.push_back(std::move(m));
            continue;
        }
        if (!up(m.to) || cut_.contains({m.from, m.to})) continue;
        node(m.to).Step(m.from, m.bytes);
        ++delivered;
    }
    return delivered;
}

void GossipCluster::Stabilize() {
    for (int i = 0; i < kMaxStabilizeRounds && !queue_.empty(); ++i) Deliver({});
}

size_t GossipCluster::Drop(const std::set<std::pair<NodeId, NodeId>>& links) {
    size_t before = queue_.size();
    std::erase_if(queue_, [&](const InFlight& m) {
        return links.empty() || links.contains({m.from, m.to});
    });
    return before - queue_.size();
}

void GossipCluster::Inject(NodeId from, NodeId to, std::string bytes) {
    queue_.push_back({from, to, std::move(bytes)});
}

void GossipCluster::Partition(const std::vector<std::set<NodeId>>& groups) {
    cut_.clear();
    auto group_of = [&](NodeId id) -> int {
        for (size_t g = 0; g < groups.size(); ++g) {
            if (groups[g].contains(id)) return static_cast<int>(g);
        }
        return -1;
    };
    for (NodeId a : ids()) {
        for (NodeId b : ids()) {
            if (a == b) continue;
            int ga = group_of(a), gb = group_of(b);
            if (ga < 0 || gb < 0 || ga != gb) cut_.insert({a, b});
        }
    }
}

void GossipCluster::Crash(NodeId id) {
    nodes_.at(id)->swim.reset();
    std::erase_if(queue_, [&](const InFlight& m) { return m.to == id || m.from == id; });
}

void GossipCluster::Restart(NodeId id) {
    ORRERY_ASSERT(!up(id));
    // A restarted node has forgotten everything; it rejoins through every other node.
    Node& n = *nodes_.at(id);
    n.config.seeds.clear();
    for (NodeId other : ids()) {
        if (other != id) n.config.seeds.push_back(other);
    }
    Open(n);
}

}  // namespace orrery::gossip::testing
