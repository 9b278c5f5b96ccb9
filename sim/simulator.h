// Simulator: a seeded, single-threaded world in which Orrery's nodes and clients run.
//
// How to build a run (this is the API `orrery sim` and the Jepsen layer use):
//
//   SimOptions opts;
//   opts.seed = 42;
//   opts.faults = FaultPlan::Parse("partition,crash,drop=0.02").value();
//   opts.node_count = 5;
//   opts.liveness_at = Timestamp(Duration::Seconds(20).us());  // safety phase: [0, 20 s)
//   Simulator sim(opts);
//   sim.network().SetDescriber(DescribeRaftMessage);             // optional, for traces
//   sim.SetLeaderOracle([&] { return CurrentLeader(sim); });     // optional, partition=leader
//   sim.AddNodes([](Env& env) { return std::make_unique<RaftNode>(env); });
//   sim.AddClient(NodeId(1000), MakeClient);
//   sim.AddInvariant([&] { return CheckElectionSafety(sim); });
//   Status s = sim.RunFor(Duration::Seconds(30));   // stops early if an invariant fails
//   fmt::print("trace-hash: {:016x}\n", sim.trace_hash());
//
// A process is any object built by a ProcessFactory from its node's Env. Its constructor
// installs its network handler and sets its first timers; from then on it only runs when the
// event loop calls it (a delivery or a timer). Crash(n) destroys the object and crashes its
// SimDisk; Restart(n) builds a new one from the same disk, which is how recovery code runs in
// every campaign.
//
// Event order: events run in (virtual time, sequence number) order, where the sequence number
// is the order in which they were scheduled. Virtual time only moves forward, to the time of
// the next event. Nothing depends on hash-map order or pointer values, so (binary, seed,
// options) determines the whole run and its trace hash.
//
// Phases: before options.liveness_at the nemesis injects the plan's faults at seeded times (the
// safety phase); at liveness_at it heals everything (partitions, link faults, paused and crashed
// nodes, disk faults, drift, buggify) and stops, so the upper layer can require progress within
// a bound (the liveness phase).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/env.h"
#include "core/status.h"
#include "sim/event_queue.h"
#include "sim/fault_plan.h"
#include "sim/sim_clock.h"
#include "sim/sim_disk.h"
#include "sim/sim_fault_points.h"
#include "sim/sim_network.h"
#include "sim/sim_tracer.h"

namespace orrery::sim {

class Nemesis;

// A simulated process. Subclasses hold the node's (or client's) state machines.
class Process {
public:
    virtual ~Process() = default;
};

using ProcessFactory = std::function<std::unique_ptr<Process>(Env& env)>;

// Largest endpoint id the simulator accepts (servers are 1..999, clients 1000 and up).
inline constexpr uint32_t kMaxEndpointId = 1u << 16;

struct SimOptions {
    uint64_t seed = 1;                         // The run seed; every draw derives from it.
    FaultPlan faults;                          // What the nemesis may do (default: nothing).
    uint32_t node_count = 5;                   // Servers added by AddNodes (n1..nN).
    Timestamp liveness_at = Timestamp::Max();  // Start of the liveness phase (Max: never).
    LinkConfig link;                           // Base link parameters (the plan adds loss etc.).
    std::string replay_command;                // Printed with failures and assertion failures.
    std::string trace_path;                    // If set, every event is written there as JSON
                                               // Lines ("-": stdout). An unopenable path fails
                                               // the run before its first event.
};

struct SimStats {
    uint64_t events = 0;  // Queue events processed.
    uint64_t timers_fired = 0;
    uint64_t messages_sent = 0;
    uint64_t messages_delivered = 0;
    uint64_t messages_dropped = 0;  // Cut, lost, or to a down node.
    uint64_t messages_duplicated = 0;
    uint64_t crashes = 0;
    uint64_t restarts = 0;
    uint64_t pauses = 0;
    std::map<std::string, uint64_t> faults;  // Faults injected, by kind ("partition", "crash"...).
};

class Simulator {
public:
    explicit Simulator(SimOptions options);
    ~Simulator();

    Simulator(const Simulator&) = delete;
    Simulator& operator=(const Simulator&) = delete;

    // --- Building the world -------------------------------------------------------------
    // Adds server `id` (1..999) and builds its process now. REQUIRES: id not yet added.
    void AddNode(NodeId id, ProcessFactory factory);
    // Adds servers n1..n{options.node_count} with the same factory.
    void AddNodes(const ProcessFactory& factory);
    // Adds client endpoint `id` (>= kFirstClientId). The nemesis never crashes clients.
    void AddClient(NodeId id, ProcessFactory factory);

    // --- Running --------------------------------------------------------------------------
    // Runs the next event. Returns false if there is none or the run has failed.
    bool Step();
    // Runs every event at or before `end`, then sets the time to `end`. Returns failure().
    Status RunUntil(Timestamp end);
    Status RunFor(Duration d) { return RunUntil(now_ + d); }
    // The time of the next event (Timestamp::Max() if none).
    Timestamp NextEventTime() const;
    // True virtual time (not any node's skewed clock).
    Timestamp Now() const { return now_; }

    // Runs fn at virtual time `at` (>= Now()) from the event loop. For harnesses and nemeses.
    void ScheduleAt(Timestamp at, std::function<void()> fn);
    // Adds a check run after every event; a non-OK result stops the run with that failure.
    void AddInvariant(std::function<Status()> check);
    // The endpoint whose timer or delivery the current (or last) event was: only that
    // endpoint's process ran, so only its state can have changed. NodeId(0) for simulator and
    // harness callbacks (crashes, restarts, the nemesis), which may change any endpoint.
    // Invariants use it to re-examine one node instead of all of them.
    NodeId event_endpoint() const { return event_endpoint_; }
    // Crashes plus restarts so far: a process can also come and go outside events (harness
    // code between RunFor calls), so a change here means every endpoint may have changed.
    uint64_t lifecycle_changes() const { return stats_.crashes + stats_.restarts; }
    // Stops the run with `failure` (the first failure wins). Harness code may call it.
    void Fail(Status failure);
    // OK while the run is healthy; the failure (with seed and replay command) otherwise.
    const Status& failure() const { return failure_; }

    // --- Processes ------------------------------------------------------------------------
    // Destroys the process, crashes its disk, drops its timers. Call it from harness code
    // (ScheduleAt callbacks, the nemesis, tests), never from inside the node's own process.
    void Crash(NodeId id);
    void Restart(NodeId id);  // Builds a new process from the same disk. REQUIRES: down.
    void Pause(NodeId id);    // Holds its timers and deliveries until Resume.
    void Resume(NodeId id);
    bool IsUp(NodeId id) const;
    bool IsPaused(NodeId id) const;
    bool Exists(NodeId id) const;
    std::vector<NodeId> servers() const;  // Sorted.
    std::vector<NodeId> clients() const;  // Sorted.
    // The live process object (nullptr if down). For invariant checks across nodes.
    Process* process(NodeId id);

    // --- Parts ----------------------------------------------------------------------------
    SimNetwork& network() { return network_; }
    SimDisk& disk(NodeId id);
    SimClock& clock(NodeId id);
    SimFaultPoints& fault_points(NodeId id);
    SimTracer& tracer() { return tracer_; }
    Nemesis& nemesis() { return *nemesis_; }
    // Lets partition=leader find the leader; without it a random server is isolated.
    void SetLeaderOracle(std::function<std::optional<NodeId>()> oracle);
    const std::function<std::optional<NodeId>()>& leader_oracle() const { return leader_oracle_; }

    // --- Results --------------------------------------------------------------------------
    uint64_t trace_hash() const { return tracer_.hash(); }
    uint64_t trace_events() const { return tracer_.events(); }
    uint64_t events_processed() const { return stats_.events; }
    const SimStats& stats() const { return stats_; }
    SimStats& mutable_stats() { return stats_; }
    const SimOptions& options() const { return options_; }
    bool in_liveness() const { return now_ >= options_.liveness_at; }
    // "seed=S faults=PLAN replay: CMD", printed with failures.
    std::string RunContext() const;

    // --- Used by SimClock and SimEndpoint -------------------------------------------------
    TimerId ScheduleTimer(NodeId node, Duration true_delay, std::function<void()> fn);
    void CancelTimer(TimerId id);
    void ScheduleDelivery(Duration delay, NodeId from, NodeId to, std::string bytes, uint64_t hash);

private:
    struct Node;
    struct TimerSlot;
    struct MessageSlot;

    Node* Find(NodeId id) const;
    Node& Get(NodeId id) const;
    void AddEndpoint(NodeId id, ProcessFactory factory, bool client);
    void StartProcess(Node& node);
    void Dispatch(const QueueEntry& e);
    void RunTimer(const QueueEntry& e);
    void RunDelivery(const QueueEntry& e);
    void RunCallback(const QueueEntry& e);
    void CheckInvariants();
    uint32_t AllocTimer();
    uint32_t AllocMessage();

    SimOptions options_;
    Timestamp now_;
    SimTracer tracer_;
    EventQueue queue_;
    SimNetwork network_;
    std::vector<std::unique_ptr<Node>> nodes_;  // In order of addition.
    std::vector<Node*> by_id_;                  // Indexed by endpoint id.
    std::vector<TimerSlot> timers_;
    std::vector<uint32_t> free_timers_;
    std::vector<MessageSlot> messages_;
    std::vector<uint32_t> free_messages_;
    std::vector<std::function<void()>> callbacks_;
    std::vector<uint32_t> free_callbacks_;
    std::vector<std::function<Status()>> invariants_;
    std::function<std::optional<NodeId>()> leader_oracle_;
    std::unique_ptr<Nemesis> nemesis_;
    SimStats stats_;
    Status failure_;
    NodeId event_endpoint_;  // See event_endpoint().
};

}  // namespace orrery::sim
