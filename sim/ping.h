// The "ping" demo workload: a tiny cluster that exercises every part of the simulator before
// Raft exists, and that `orrery sim-demo` and the benchmarks run end to end.
//
// Each of N servers, every 20-60 ms of its own clock, sends a Ping to a random peer; the peer
// answers with a Pong. Every 10 pongs a node persists its pong count with Disk::WriteAtomically
// (checksummed, synced, renamed, directory synced). On restart it recovers the count.
//
// What the run checks (so a fault-injection run can fail for a real reason):
//  - recovery safety (an invariant, after every event): a restarted node recovers exactly the
//    count it last persisted successfully, or it reports the file unreadable or corrupt
//    (injected read errors and bit rot must be *detected*, never silently believed);
//  - liveness: after the liveness phase starts, every server receives a pong within
//    kPingLivenessBound.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "sim/determinism.h"
#include "sim/simulator.h"

namespace orrery::sim {

inline constexpr Duration kPingLivenessBound = Duration::Seconds(2);

struct PingOptions {
    uint64_t seed = 1;
    FaultPlan faults;
    uint32_t nodes = 5;
    Duration duration = Duration::Seconds(30);  // Whole run: safety phase, then liveness phase.
    Duration liveness = Duration::Seconds(5);   // Length of the liveness phase (<= duration/2).
    std::string replay_command;
    std::string trace_path;  // JSON Lines trace file; empty for none.
};

// What the harness knows about each node, shared by its processes across restarts.
struct PingNodeState {
    uint64_t pongs = 0;      // Pongs received by the current incarnation.
    uint64_t persisted = 0;  // The last count WriteAtomically stored successfully.
    bool has_persisted = false;
    uint64_t recoveries = 0;       // Restarts that recovered the persisted count.
    uint64_t recovery_errors = 0;  // Restarts that detected an unreadable or corrupt file.
    Timestamp last_pong_at;        // True time of the last pong received.
    std::string violation;         // Set when recovery returned a wrong count.
};

struct PingWorld {
    std::map<NodeId, PingNodeState> nodes;
};

// One ping run: the simulator plus the shared PingWorld.
class PingRun final : public RunHandle {
public:
    explicit PingRun(const PingOptions& options);
    Simulator& sim() override { return sim_; }
    PingWorld& world() { return world_; }
    Timestamp end() const { return end_; }

    // Runs to the end (including the final liveness check) and returns the outcome.
    Status Run();

private:
    Status CheckRecovery() const;

    PingWorld world_;
    Simulator sim_;
    Timestamp liveness_at_;
    Timestamp end_;
};

// Renders a ping message ("Ping seq=4", "Pong seq=4") for traces.
std::string DescribePingMessage(std::string_view bytes);

// The factory for one ping server in a cluster of `nodes` servers.
ProcessFactory MakePingProcess(PingWorld& world, uint32_t nodes);

}  // namespace orrery::sim
