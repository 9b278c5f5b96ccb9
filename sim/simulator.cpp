// Simulator: the event loop, the payload pools, and process lifecycle. See simulator.h.
#include "sim/simulator.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/assert.h"
#include "sim/nemesis.h"

namespace orrery::sim {

struct Simulator::Node {
    NodeId id;
    bool client = false;
    ProcessFactory factory;
    Random root{0};  // This endpoint's generator; every component forks from it.
    std::unique_ptr<SimClock> clock;
    std::unique_ptr<SimDisk> disk;
    std::unique_ptr<SimEndpoint> endpoint;
    std::unique_ptr<SimFaultPoints> faults;
    std::unique_ptr<Random> random;  // The current incarnation's generator.
    std::unique_ptr<Env> env;
    std::unique_ptr<Process> process;
    bool up = false;
    bool paused = false;
    uint32_t incarnation = 0;
    std::vector<QueueEntry> held;  // Events that arrived while paused, in arrival order.
};

struct Simulator::TimerSlot {
    std::function<void()> fn;
    uint32_t node = 0;
    uint32_t incarnation = 0;
    uint32_t generation = 0;  // Bumped on every reuse, so stale TimerIds cancel nothing.
    bool live = false;        // Scheduled and neither fired nor cancelled.
};

struct Simulator::MessageSlot {
    std::string bytes;
    uint64_t hash = 0;
    NodeId from;
    NodeId to;
};

Simulator::Simulator(SimOptions options)
    : options_(std::move(options)), tracer_(&now_), network_(*this) {
    network_.SetDefaultLink(options_.link);
    SetAssertContext(RunContext());
    if (!options_.trace_path.empty()) {
        Status s = tracer_.OpenSink(options_.trace_path);
        if (!s.ok()) failure_ = s;
    }
    tracer_.Record(NodeId(0), "note",
                   {{"text", fmt::format("run seed={} faults={}", options_.seed,
                                         options_.faults.ToString())}});
    nemesis_ =
        std::make_unique<Nemesis>(*this, options_.faults, Random(options_.seed).Fork("nemesis"));
    nemesis_->Start();
}

Simulator::~Simulator() {
    // Processes go first: they hold references into their Env and may cancel timers.
    for (auto& node : nodes_) node->process.reset();
}

std::string Simulator::RunContext() const {
    std::string context =
        fmt::format("seed={} faults={}", options_.seed, options_.faults.ToString());
    if (!options_.replay_command.empty()) context += " replay: " + options_.replay_command;
    return context;
}

Simulator::Node* Simulator::Find(NodeId id) const {
    return id.value() < by_id_.size() ? by_id_[id.value()] : nullptr;
}

Simulator::Node& Simulator::Get(NodeId id) const {
    Node* node = Find(id);
    ORRERY_ASSERT(node != nullptr, "no simulated endpoint {}", id);
    return *node;
}

bool Simulator::Exists(NodeId id) const {
    return Find(id) != nullptr;
}
bool Simulator::IsUp(NodeId id) const {
    return Find(id) != nullptr && Find(id)->up;
}
bool Simulator::IsPaused(NodeId id) const {
    return Find(id) != nullptr && Find(id)->paused;
}
SimDisk& Simulator::disk(NodeId id) {
    return *Get(id).disk;
}
SimClock& Simulator::clock(NodeId id) {
    return *Get(id).clock;
}
SimFaultPoints& Simulator::fault_points(NodeId id) {
    return *Get(id).faults;
}
Process* Simulator::process(NodeId id) {
    return Find(id) ? Find(id)->process.get() : nullptr;
}

std::vector<NodeId> Simulator::servers() const {
    std::vector<NodeId> out;
    for (const auto& n : nodes_) {
        if (!n->client) out.push_back(n->id);
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<NodeId> Simulator::clients() const {
    std::vector<NodeId> out;
    for (const auto& n : nodes_) {
        if (n->client) out.push_back(n->id);
    }
    std::sort(out.begin(), out.end());
    return out;
}

void Simulator::SetLeaderOracle(std::function<std::optional<NodeId>()> oracle) {
    leader_oracle_ = std::move(oracle);
}

void Simulator::AddNode(NodeId id, ProcessFactory factory) {
    ORRERY_ASSERT(id.value() >= 1 && !IsClient(id), "server ids are 1..999, got {}", id.value());
    AddEndpoint(id, std::move(factory), false);
}

void Simulator::AddNodes(const ProcessFactory& factory) {
    for (uint32_t i = 1; i <= options_.node_count; ++i) AddNode(NodeId(i), factory);
}

void Simulator::AddClient(NodeId id, ProcessFactory factory) {
    ORRERY_ASSERT(IsClient(id), "client ids start at {}, got {}", kFirstClientId, id.value());
    AddEndpoint(id, std::move(factory), true);
}

void Simulator::AddEndpoint(NodeId id, ProcessFactory factory, bool client) {
    ORRERY_ASSERT(id.value() < kMaxEndpointId, "endpoint id {} too large", id.value());
    ORRERY_ASSERT(Find(id) == nullptr, "endpoint {} added twice", id);
    auto node = std::make_unique<Node>();
    node->id = id;
    node->client = client;
    node->factory = std::move(factory);
    node->root = Random(options_.seed).Fork(fmt::format("{}", id));
    node->clock = std::make_unique<SimClock>(*this, id);
    node->disk = std::make_unique<SimDisk>(node->root.Fork("disk"));
    node->disk->SetTracer(&tracer_, id);
    node->endpoint = std::make_unique<SimEndpoint>(*this, id, node->root.Fork("net"));
    node->faults =
        std::make_unique<SimFaultPoints>(options_.seed, node->root.Fork("buggify"), tracer_, id);
    if (by_id_.size() <= id.value()) by_id_.resize(id.value() + 1, nullptr);
    by_id_[id.value()] = node.get();
    nodes_.push_back(std::move(node));
    Node& added = *nodes_.back();
    if (!client) nemesis_->ConfigureServer(id);
    added.up = true;
    StartProcess(added);
}

void Simulator::StartProcess(Node& node) {
    node.random =
        std::make_unique<Random>(node.root.Fork(fmt::format("process#{}", node.incarnation)));
    node.env = std::make_unique<Env>(
        Env{node.id, *node.clock, *node.random, *node.disk, *node.endpoint, tracer_, *node.faults});
    node.process = node.factory(*node.env);
}

void Simulator::Crash(NodeId id) {
    Node& node = Get(id);
    if (!node.up) return;
    tracer_.Record(id, "crash", {{"incarnation", node.incarnation}});
    ++stats_.crashes;
    node.up = false;
    node.process.reset();
    node.endpoint->ClearHandler();
    ++node.incarnation;  // Every pending timer of the old incarnation vanishes.
    node.paused = false;
    // Held deliveries go back to the queue, where they are dropped (the node is down).
    for (const QueueEntry& e : node.held) queue_.Push(now_.us(), e.kind, e.slot);
    node.held.clear();
    node.disk->Crash();
}

void Simulator::Restart(NodeId id) {
    Node& node = Get(id);
    ORRERY_ASSERT(!node.up, "restart of running node {}", id);
    tracer_.Record(id, "restart", {{"incarnation", node.incarnation}});
    ++stats_.restarts;
    node.up = true;
    StartProcess(node);
}

void Simulator::Pause(NodeId id) {
    Node& node = Get(id);
    if (!node.up || node.paused) return;
    tracer_.Record(id, "pause", {});
    ++stats_.pauses;
    node.paused = true;
}

void Simulator::Resume(NodeId id) {
    Node& node = Get(id);
    if (!node.paused) return;
    tracer_.Record(id, "resume", {{"held", node.held.size()}});
    node.paused = false;
    for (const QueueEntry& e : node.held) queue_.Push(now_.us(), e.kind, e.slot);
    node.held.clear();
}

uint32_t Simulator::AllocTimer() {
    if (!free_timers_.empty()) {
        uint32_t slot = free_timers_.back();
        free_timers_.pop_back();
        return slot;
    }
    timers_.emplace_back();
    return static_cast<uint32_t>(timers_.size() - 1);
}

uint32_t Simulator::AllocMessage() {
    if (!free_messages_.empty()) {
        uint32_t slot = free_messages_.back();
        free_messages_.pop_back();
        return slot;
    }
    messages_.emplace_back();
    return static_cast<uint32_t>(messages_.size() - 1);
}

TimerId Simulator::ScheduleTimer(NodeId node, Duration true_delay, std::function<void()> fn) {
    Node& n = Get(node);
    uint32_t slot = AllocTimer();
    TimerSlot& t = timers_[slot];
    t.fn = std::move(fn);
    t.node = node.value();
    t.incarnation = n.incarnation;
    ++t.generation;
    t.live = true;
    queue_.Push(now_.us() + std::max<int64_t>(true_delay.us(), 0), EventKind::kTimer, slot);
    return (static_cast<uint64_t>(t.generation) << 32) | slot;
}

void Simulator::CancelTimer(TimerId id) {
    auto slot = static_cast<uint32_t>(id & 0xffffffffu);
    auto generation = static_cast<uint32_t>(id >> 32);
    if (slot >= timers_.size()) return;
    TimerSlot& t = timers_[slot];
    if (t.generation != generation || !t.live) return;
    t.live = false;
    t.fn = nullptr;  // The queue entry stays and is discarded when it comes up.
}

void Simulator::ScheduleDelivery(Duration delay, NodeId from, NodeId to, std::string bytes,
                                 uint64_t hash) {
    uint32_t slot = AllocMessage();
    MessageSlot& m = messages_[slot];
    m.bytes = std::move(bytes);
    m.hash = hash;
    m.from = from;
    m.to = to;
    queue_.Push(now_.us() + std::max<int64_t>(delay.us(), 0), EventKind::kDelivery, slot);
}

void Simulator::ScheduleAt(Timestamp at, std::function<void()> fn) {
    ORRERY_ASSERT(at >= now_, "ScheduleAt in the past ({} < {})", at, now_);
    uint32_t slot;
    if (!free_callbacks_.empty()) {
        slot = free_callbacks_.back();
        free_callbacks_.pop_back();
        callbacks_[slot] = std::move(fn);
    } else {
        callbacks_.push_back(std::move(fn));
        slot = static_cast<uint32_t>(callbacks_.size() - 1);
    }
    queue_.Push(at.us(), EventKind::kCallback, slot);
}

void Simulator::AddInvariant(std::function<Status()> check) {
    invariants_.push_back(std::move(check));
}

void Simulator::Fail(Status failure) {
    ORRERY_ASSERT(!failure.ok(), "Fail with an OK status");
    if (!failure_.ok()) return;
    failure_ =
        Status(failure.code(), fmt::format("{} (at t={}us after {} events; {})", failure.message(),
                                           now_.us(), stats_.events, RunContext()));
}

Timestamp Simulator::NextEventTime() const {
    return queue_.empty() ? Timestamp::Max() : Timestamp(queue_.Top().t_us);
}

bool Simulator::Step() {
    if (!failure_.ok() || queue_.empty()) return false;
    QueueEntry e = queue_.Pop();
    if (e.t_us > now_.us()) now_ = Timestamp(e.t_us);
    ++stats_.events;
    Dispatch(e);
    if (nemesis_->watching()) nemesis_->Watch();
    if (!invariants_.empty()) CheckInvariants();
    return true;
}

Status Simulator::RunUntil(Timestamp end) {
    while (failure_.ok() && !queue_.empty() && queue_.Top().t_us <= end.us()) Step();
    if (failure_.ok() && end != Timestamp::Max() && now_ < end) now_ = end;
    return failure_;
}

void Simulator::CheckInvariants() {
    for (const auto& check : invariants_) {
        Status s = check();
        if (!s.ok()) {
            Fail(s.WithContext("invariant"));
            return;
        }
    }
}

void Simulator::Dispatch(const QueueEntry& e) {
    switch (e.kind) {
        case EventKind::kTimer:
            event_endpoint_ = NodeId(timers_[e.slot].node);
            RunTimer(e);
            return;
        case EventKind::kDelivery:
            event_endpoint_ = messages_[e.slot].to;
            RunDelivery(e);
            return;
        case EventKind::kCallback:
            event_endpoint_ = NodeId(0);
            RunCallback(e);
            return;
    }
}

void Simulator::RunTimer(const QueueEntry& e) {
    TimerSlot& t = timers_[e.slot];
    Node* node = Find(NodeId(t.node));
    bool dead = !t.live || node == nullptr || !node->up || node->incarnation != t.incarnation;
    if (!dead && node->paused) {
        node->held.push_back(e);
        return;
    }
    if (dead) {
        t.live = false;
        t.fn = nullptr;
        free_timers_.push_back(e.slot);
        return;
    }
    std::function<void()> fn = std::move(t.fn);
    t.fn = nullptr;
    t.live = false;
    uint64_t id = (static_cast<uint64_t>(t.generation) << 32) | e.slot;
    free_timers_.push_back(e.slot);
    ++stats_.timers_fired;
    tracer_.Record(node->id, "timer", {{"id", id}});
    fn();
}

void Simulator::RunDelivery(const QueueEntry& e) {
    MessageSlot& m = messages_[e.slot];
    Node* node = Find(m.to);
    const char* reason = nullptr;
    if (node == nullptr || !node->up) {
        reason = "down";
    } else if (network_.IsCut(m.from, m.to)) {
        reason = "cut";
    } else if (node->paused) {
        node->held.push_back(e);
        return;
    }
    NodeId from = m.from, to = m.to;
    uint64_t hash = m.hash;
    std::string bytes = std::move(m.bytes);
    m.bytes = std::string();
    free_messages_.push_back(e.slot);
    if (reason != nullptr) {
        ++stats_.messages_dropped;
        tracer_.Record(to, "drop", {{"from", from}, {"h", hash}, {"reason", reason}});
        return;
    }
    ++stats_.messages_delivered;
    if (tracer_.rendering() && network_.describer()) {
        std::string msg = network_.describer()(bytes);
        tracer_.Record(to, "deliver",
                       {{"from", from}, {"len", bytes.size()}, {"h", hash}, {"msg", msg}});
    } else {
        tracer_.Record(to, "deliver", {{"from", from}, {"len", bytes.size()}, {"h", hash}});
    }
    if (node->endpoint->handler()) node->endpoint->handler()(from, bytes);
}

void Simulator::RunCallback(const QueueEntry& e) {
    std::function<void()> fn = std::move(callbacks_[e.slot]);
    callbacks_[e.slot] = nullptr;
    free_callbacks_.push_back(e.slot);
    fn();
}

}  // namespace orrery::sim
