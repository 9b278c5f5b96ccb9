// LeaderlessRun: one simulated run of the leaderless mode (node/leaderless_server.h), the
// counterpart of ClusterRun for `--mode leaderless`. Same phases, same workloads' clients, same
// history checkers; different servers and different invariants.
//
// The workload is the register workload (read / write / cas on a few keys through KvClient).
// Its requests name no consistency level, so the servers' default decides: the run's
// `consistency` (one, quorum, all) for workload kv, and serial (CASPaxos) for workload lwt.
//
// Invariants, checked after every event (ARCHITECTURE.md, "Checking"):
//  - CASPaxos (paxos/invariants.h, fed by every acceptor's durable accepts): one value per
//    ballot, and no chosen value is ever lost;
//  - hinted handoff: a hint is removed only after its target acknowledged it; in particular a
//    coordinator that restarts recovers every hint it had stored and not yet delivered (hints
//    are never dropped while their target is down; handoff.volatile breaks this).
// Liveness, after the heal: within the bound a probe write at the run's level is acknowledged,
// every client's operation completes, and every server's gossip table lists every server
// alive (a node falsely declared dead must have refuted it: gossip.no-refute fails here).
//
// A server that halts on a storage failure or cannot open is crashed and restarted 200 ms
// later, as in ClusterRun; one that halts at the fault point leaderless.crash-after-promise is
// restarted 1 ms later.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "jepsen/runner/cluster_run.h"
#include "jepsen/runner/workload.h"
#include "node/leaderless_server.h"
#include "paxos/invariants.h"
#include "sim/simulator.h"

namespace orrery::jepsen::runner {

// Checks the options of a leaderless run (called by ValidateRunOptions for mode leaderless).
Status ValidateLeaderlessOptions(const RunOptions& options);

class LeaderlessRun final : public sim::RunHandle {
public:
    // REQUIRES: ValidateRunOptions(options).ok() and options.mode == "leaderless".
    explicit LeaderlessRun(const RunOptions& options);
    ~LeaderlessRun() override;

    sim::Simulator& sim() override { return *sim_; }
    RunResult Run();
    Timestamp end_time() const;

private:
    class ServerProcess;
    class ProbeProcess;
    class HintRegistry;

    node::LeaderlessOptions ServerOptions() const;
    node::LeaderlessServer* Server(NodeId id);
    void Supervise(NodeId id, Duration delay);
    void OnServerOpened(NodeId id, const node::LeaderlessServer& server);
    void StartLiveness();
    void PollLiveness();
    std::string GossipLag();
    RunResult Collect();

    RunOptions options_;
    std::unique_ptr<paxos::PaxosInvariants> paxos_;
    std::unique_ptr<HintRegistry> hints_;
    std::unique_ptr<sim::Simulator> sim_;
    std::unique_ptr<Workload> workload_;
    NodeId probe_id_;
    bool done_ = false;
    Status liveness_;
    Duration recovery_;
    uint64_t supervisor_restarts_ = 0;
};

Result<RunResult> RunLeaderless(const RunOptions& options);

}  // namespace orrery::jepsen::runner
