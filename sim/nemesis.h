// Nemesis: turns a FaultPlan into faults at seeded times during the safety phase, and heals
// everything when the liveness phase starts.
//
// At setup the plan's standing faults are applied: link loss/duplication/reordering on every
// link, disk fault probabilities on every server disk, buggify on every server. Then, every
// `every` on average (uniform in [every/2, 3*every/2]), the nemesis takes one action, picked
// uniformly among the plan's enabled kinds:
//   partition - heal the current partition if there is one, else cut one of the enabled kinds;
//               a flap partition watches for the next leader elected on the majority side and
//               then moves the cut to isolate it (Watch, below);
//   crash     - crash a random up server (never more than a minority down at once) and restart
//               it 0.2-3 s later;
//   pause     - pause a random running server for 0.1-2 s;
//   clock     - give a random server a new skew in [-skew, +skew] and drift in [-drift, +drift];
//   bitrot    - flip a bit in a random file of a random server;
//   full      - make a random server's disk full (capacity = bytes used now) for 0.5-3 s.
// Every injected fault is a "fault" trace event and every repair a "heal" event (field "what").
// The nemesis draws from its own generator (the run seed forked as "nemesis").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/random.h"
#include "sim/fault_plan.h"

namespace orrery::sim {

class Simulator;

class Nemesis {
public:
    Nemesis(Simulator& sim, FaultPlan plan, Random rng);

    // Applies the standing faults to a newly added server (link faults are global).
    void ConfigureServer(NodeId id);
    // Schedules the first action and the liveness-phase heal. Called once by the simulator.
    void Start();
    // Heals every fault and stops injecting new ones (the liveness phase).
    void HealAll();

    // True while a flap partition waits for the majority side to elect a leader. The simulator
    // then calls Watch after every event.
    bool watching() const { return !flap_majority_.empty(); }
    // Moves a waiting flap partition once the leader oracle names a leader on the majority side:
    // the first cut heals and the new leader is isolated before its first append is delivered.
    void Watch();

    bool active() const { return active_; }
    const FaultPlan& plan() const { return plan_; }

private:
    enum class Action : uint8_t { kPartition, kCrash, kPause, kClock, kBitrot, kFull };

    void ScheduleNext();
    void Act();
    void DoPartition();
    void CutPartition(PartitionKind kind);
    void DoCrash();
    void DoPause();
    void DoClock();
    void DoBitrot();
    void DoFull();
    void Inject(std::string_view what, std::string_view detail);
    void Healed(std::string_view what, std::string_view detail);
    std::vector<NodeId> UpServers() const;
    std::optional<NodeId> Leader() const;  // Per the simulator's leader oracle, if any.

    Simulator& sim_;
    FaultPlan plan_;
    Random rng_;
    std::vector<Action> actions_;
    bool active_ = true;
    bool partitioned_ = false;
    std::vector<NodeId> flap_majority_;  // Non-empty while a flap partition waits (sorted).
    uint64_t generation_ = 0;  // Bumped by HealAll so that pending repairs become no-ops.
};

}  // namespace orrery::sim
