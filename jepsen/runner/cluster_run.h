// One simulated cluster run: N KvServer nodes and C register-workload clients in the simulator,
// under a fault plan, with Raft's invariants checked after every event, a liveness phase, and a
// linearizability check of the recorded history. This is what `orrery sim` runs, what the
// campaign repeats over seeds, and what the determinism check runs twice.
//
// A run has two phases (ARCHITECTURE.md, "Phases"):
//   safety   [0, duration): the nemesis injects the plan's faults; clients run the workload;
//   liveness [duration, duration + liveness_bound): the nemesis heals everything, clients stop
//            invoking new operations, and the cluster must show progress within the bound:
//            a probe client's write is acknowledged, every open server applies up to the
//            commit index the leader had when it acknowledged, and every client operation in
//            flight completes. Otherwise the run fails with a liveness error.
//
// A server that halts on a storage failure (fail-stop, kv_server.h) or cannot open is crashed
// and restarted 200 ms later by a supervisor, as a process manager would.
//
// Determinism: everything happens inside the simulator (processes, invariants, ScheduleAt), so
// (binary, options) fixes the run and its trace hash.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "jepsen/history.h"
#include "jepsen/runner/register_workload.h"
#include "jepsen/runner/workload.h"
#include "node/kv_server.h"
#include "raft/invariants.h"
#include "sim/determinism.h"
#include "sim/fault_plan.h"
#include "sim/simulator.h"

namespace orrery::jepsen::runner {

// The bug switches a run accepts (Jepsen teaching): kv.no-dedup, raft.stale-read,
// raft.forget-vote, raft.commit-old-term, mvcc.snapshot-only, storage.no-sync.
const std::vector<std::string>& KnownBugs();

struct RunOptions {
    uint64_t seed = 1;
    uint32_t nodes = 5;
    uint32_t clients = 5;
    std::string workload = "kv";  // WorkloadNames(): kv, kv-pinned, bank, list-append, set, lwt.
    // "raft" (ClusterRun) or "leaderless" (leaderless_run.h: workloads kv and lwt only).
    std::string mode = "raft";
    std::string consistency = "quorum";  // Leaderless kv: one, quorum or all.
    uint32_t rf = 3;                     // Leaderless: replicas per key.
    sim::FaultPlan faults;
    Duration duration = Duration::Seconds(30);        // The safety phase.
    Duration liveness_bound = Duration::Seconds(10);  // Progress must come within this.
    std::string engine;                               // "memory" or "lsm"; "": lsm if built.
    std::vector<std::string> bugs;                    // From KnownBugs().
    uint32_t keys = 3;                                // Register keys k0..k{keys-1}.
    Duration think_max = Duration::Millis(20);        // Client pause before each op.
    std::string trace_path;                           // JSON Lines trace ("" none, "-" stdout).
    bool check_linearizability = true;                // Check the history at the end.
    uint64_t checker_budget_steps = 2'000'000;        // Per key.
    // Called after every slice of simulated time with the time reached and the time the run
    // ends at (the end of the liveness bound). An observer only: it must not touch the run, so
    // a run with and without it is the same run (the CLI prints wall-clock progress with it).
    std::function<void(Timestamp now, Timestamp end)> progress;

    // The command that replays this run ("orrery sim --seed ... ").
    std::string ReplayCommand() const;
};

// The longest safety phase one run may ask for. Longer runs are better spent as many seeds
// (`orrery campaign`); without a bound a typo such as 99999999999s runs for days.
inline constexpr Duration kMaxRunDuration = Duration::Seconds(3600);

// InvalidArgument naming the problem, or OK.
Status ValidateRunOptions(const RunOptions& options);

// One line per bug switch in options.bugs that this run cannot show: the workload never runs
// the code it breaks (mvcc.snapshot-only on the kv registers), or the fault plan never makes it
// matter (raft.commit-old-term needs leaders to change under partitions, crashes or pauses;
// with faults "none" the run passes, switch or not). Empty when every switch can fire. A
// warning, not an error: the run is valid, only unlikely to teach what the switch is for.
std::vector<std::string> BugWarnings(const RunOptions& options);

struct RunResult {
    uint64_t seed = 0;
    std::string fault_plan;                 // Canonical form.
    WorkloadCounts ops;                     // Client operations by outcome.
    uint64_t leader_changes = 0;            // Times a new (term, leader) appeared.
    std::map<std::string, uint64_t> faults;  // Faults injected, by kind.
    // What the faults did: messages dropped/duplicated, crashes, pauses, and the disks' sectors
    // lost or garbled, directory operations lost and read errors returned (all servers).
    std::map<std::string, uint64_t> effects;
    uint64_t supervisor_restarts = 0;       // Servers restarted after a halt or failed open.
    Status invariants;                      // OK, or the first invariant that broke.
    Status liveness;                        // OK, or why the liveness phase failed.
    bool liveness_checked = true;           // False when an invariant stopped the run first.
    Duration recovery;                      // Heal -> liveness satisfied.
    // The history checker's verdict (linearizability for kv; the bank or Elle checker for the
    // transactional workloads): "valid", "invalid", "unknown" or "skipped".
    std::string linearizability = "skipped";
    std::string linearizability_report;       // The checker's text when not valid.
    std::string model = "kv";                 // The checker model that judged the history.
    uint64_t trace_hash = 0;
    uint64_t events = 0;
    Duration simulated;                     // Virtual time the run covered.
    History history;
    std::string replay;

    // "" when the run passed; else "invariant", "liveness", "linearizability" (kv), or the
    // model whose checker found the history invalid ("bank", "list-append").
    std::string FailureKind() const;
    bool failed() const { return !FailureKind().empty(); }
    // What went wrong, in full: the invariant's or the liveness phase's status, or the
    // checker's report (every line of it). "" when the run passed.
    std::string FailureMessage() const;
};

// A run that has been built but not yet run; the determinism check builds two.
class ClusterRun final : public sim::RunHandle {
public:
    // REQUIRES: ValidateRunOptions(options).ok().
    explicit ClusterRun(const RunOptions& options);
    ~ClusterRun() override;

    sim::Simulator& sim() override { return *sim_; }

    // Runs both phases to the end (early once liveness is satisfied) and gathers the result.
    RunResult Run();

    // The virtual time by which a run ends at the latest.
    Timestamp end_time() const;

private:
    class ServerProcess;
    class ProbeProcess;

    std::unique_ptr<sim::Process> MakeServer(Env& env);
    node::KvServerOptions ServerOptions(NodeId id) const;
    node::KvServer* Server(NodeId id);
    void Supervise(NodeId id, Duration restart_delay);  // Crash now, restart after the delay.
    void InstallInvariants();
    void ObserveLeaders(const std::vector<const raft::RaftNode*>& nodes);
    // Everything the invariant checker reads of one server (all zero while it is down).
    using RaftState = std::array<uint64_t, 13>;
    RaftState StateOf(NodeId id);
    bool RefreshState(size_t i);  // Recomputes server_ids_[i]'s state; true if it changed.
    bool RefreshChangedStates();  // Recomputes what the last event may have changed.
    std::optional<NodeId> CurrentLeader();
    void StartLiveness();
    void PollLiveness();
    RunResult Collect();
    void CheckHistory(RunResult* result) const;

    RunOptions options_;
    std::unique_ptr<sim::Simulator> sim_;
    std::unique_ptr<Workload> workload_;
    raft::InvariantChecker checker_;
    // Each server's Raft-visible state at the last check (indexed like server_ids_), the
    // simulator's lifecycle count then, and the scratch list of live nodes for the checker.
    std::vector<RaftState> states_;
    uint64_t checked_lifecycle_ = 0;
    std::vector<const raft::RaftNode*> live_nodes_;
    std::vector<NodeId> server_ids_;  // sim_->servers(), fixed once the nodes are added.
    bool checked_once_ = false;
    uint64_t incarnations_ = 0;      // Server objects built so far.
    NodeId probe_id_;
    bool done_ = false;
    Status liveness_;
    Duration recovery_;
    std::optional<uint64_t> converge_target_;  // Commit index when the probe was acknowledged.
    uint64_t leader_changes_ = 0;
    std::pair<uint64_t, uint32_t> last_leader_{0, 0};  // (term, node) of the newest leader seen.
    uint64_t supervisor_restarts_ = 0;
};

// Builds and runs one cluster run. InvalidArgument for bad options.
Result<RunResult> RunCluster(const RunOptions& options);

// Runs the same options twice in lockstep and compares trace hashes after every event.
Result<sim::DeterminismResult> CheckRunDeterminism(const RunOptions& options);

}  // namespace orrery::jepsen::runner
