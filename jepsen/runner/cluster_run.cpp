// ClusterRun: building the simulated cluster, supervising servers, invariants, the liveness
// phase, and the result. See cluster_run.h.
#include "jepsen/runner/cluster_run.h"

#include <fmt/format.h>

#include <algorithm>

#include "jepsen/checker/check.h"
#include "jepsen/runner/leaderless_run.h"
#include "jepsen/runner/no_sync_disk.h"
#include "jepsen/runner/workload.h"
#include "node/kv_server.h"
#include "raft/invariants.h"

namespace orrery::jepsen::runner {
namespace {

constexpr Duration kRestartDelay = Duration::Millis(200);
// A crash at the fault point server.crash-mid-broadcast is a process crash that a supervisor
// restarts at once, faster than most messages in flight arrive.
constexpr Duration kFaultCrashRestartDelay = Duration::Millis(1);
constexpr Duration kLivenessPoll = Duration::Millis(20);
// Virtual time 0 on the calendar, for SQL's now(): 2026-01-01 00:00:00 UTC.
constexpr int64_t kSimCalendarEpochUs = int64_t{1767225600} * 1000000;
constexpr Duration kRunSlice = Duration::Millis(100);

}  // namespace

const std::vector<std::string>& KnownBugs() {
    static const std::vector<std::string> kBugs = [] {
        std::vector<std::string> names = node::ServerBugNames();
        names.push_back("storage.no-sync");
        return names;
    }();
    return kBugs;
}

std::string RunOptions::ReplayCommand() const {
    std::string cmd = fmt::format("orrery sim --seed {} --nodes {} --clients {} --workload {} "
                                  "--faults {} --duration {}",
                                  seed, nodes, clients, workload, faults.ToString(),
                                  sim::FormatDuration(duration));
    if (!engine.empty()) cmd += " --engine " + engine;
    if (mode == "leaderless") {
        cmd += fmt::format(" --mode leaderless --rf {}", rf);
        if (workload == "kv") cmd += " --consistency " + consistency;
    }
    for (const auto& bug : bugs) cmd += " --bug " + bug;
    return cmd;
}

Status ValidateRunOptions(const RunOptions& o) {
    if (o.nodes < 1 || o.nodes > 9) return Status::InvalidArgument("--nodes must be in 1..9");
    if (o.clients < 1 || o.clients > 200) {
        return Status::InvalidArgument("--clients must be in 1..200");
    }
    if (std::find(WorkloadNames().begin(), WorkloadNames().end(), o.workload) ==
        WorkloadNames().end()) {
        return Status::InvalidArgument(fmt::format("unknown workload \"{}\" ({})", o.workload,
                                                   fmt::join(WorkloadNames(), ", ")));
    }
    if (o.duration <= Duration(0)) return Status::InvalidArgument("--duration must be positive");
    if (o.duration > kMaxRunDuration) {
        return Status::InvalidArgument(fmt::format(
            "--duration {}s is longer than one run may be ({}s); run more seeds instead",
            o.duration.us() / 1'000'000, kMaxRunDuration.us() / 1'000'000));
    }
    if (o.keys < 1) return Status::InvalidArgument("keys must be at least 1");
    if (o.mode == "leaderless") return ValidateLeaderlessOptions(o);
    if (o.mode != "raft") {
        return Status::InvalidArgument(fmt::format("unknown mode \"{}\" (raft, leaderless)", o.mode));
    }
    if (o.workload == "lwt") return Status::InvalidArgument("workload lwt needs --mode leaderless");
    for (const auto& bug : o.bugs) {
        if (std::find(KnownBugs().begin(), KnownBugs().end(), bug) == KnownBugs().end()) {
            return Status::InvalidArgument(fmt::format(
                "unknown bug \"{}\" (one of: {})", bug, fmt::join(KnownBugs(), ", ")));
        }
    }
    if (!o.engine.empty()) {
        auto factory = node::MakeEngineFactory(o.engine);
        if (!factory.ok()) return Status::InvalidArgument(factory.status().message());
    }
    return Status::Ok();
}

std::vector<std::string> BugWarnings(const RunOptions& o) {
    const sim::FaultPlan& f = o.faults;
    std::string plan = f.ToString();
    // What each switch needs from the run; checked only for the raft mode's switches.
    bool leaders_change = !f.partitions.empty() || f.crash || f.pause;
    // A retry needs a lost or late reply (or a second copy of a request).
    bool clients_retry = leaders_change || f.drop > 0 || f.dup > 0 || f.reorder > 0 ||
                         f.buggify > 0;
    // A restart: the nemesis's crashes, the crash fault point (buggify), or the supervisor
    // restarting a server halted by a disk error.
    bool servers_restart = f.crash || f.buggify > 0 || f.disk_read_errors > 0 || f.disk_bitrot ||
                           f.disk_full;
    bool transactional = o.workload == "bank" || o.workload == "list-append" ||
                         o.workload == "sql-bank" || o.workload == "sql-list-append";
    bool sql = o.workload == "sql-bank" || o.workload == "sql-list-append";
    std::vector<std::string> out;
    for (const std::string& bug : o.bugs) {
        if (o.mode != "raft") break;
        if (bug == "raft.commit-old-term" && !leaders_change) {
            out.push_back(fmt::format(
                "{} needs leaders to change with entries left behind, and faults '{}' have no "
                "partition, crash or pause (e.g. --faults partition=flap,buggify)",
                bug, plan));
        } else if (bug == "raft.stale-read" && f.partitions.empty() && !f.pause) {
            out.push_back(fmt::format(
                "{} needs a deposed leader that still believes it leads, and faults '{}' have no "
                "partition or pause (e.g. --workload kv-pinned --faults partition,pause)",
                bug, plan));
        } else if ((bug == "raft.forget-vote" || bug == "storage.no-sync") && !servers_restart) {
            out.push_back(fmt::format(
                "{} loses state only when a server restarts, and faults '{}' never restart one "
                "(add crash or buggify)",
                bug, plan));
        } else if (bug == "kv.no-dedup" && !clients_retry) {
            out.push_back(fmt::format(
                "{} applies a retried request twice, and with faults '{}' no client retries "
                "(add drop=0.05, partition, crash or pause)",
                bug, plan));
        } else if (bug == "mvcc.snapshot-only" && !transactional) {
            out.push_back(fmt::format(
                "{} changes how transactions commit, and workload {} has no transactions whose "
                "anomalies its checker could see (use --workload bank or list-append)",
                bug, o.workload));
        } else if (bug == "sql.no-read-set" && !sql) {
            out.push_back(fmt::format(
                "{} breaks SQL transactions, and workload {} runs none (use --workload sql-bank "
                "or sql-list-append)",
                bug, o.workload));
        }
    }
    return out;
}

std::string RunResult::FailureMessage() const {
    std::string kind = FailureKind();
    if (kind.empty()) return "";
    if (kind == "invariant") return invariants.ToString();
    if (kind == "liveness") return liveness.ToString();
    return linearizability_report;
}

std::string RunResult::FailureKind() const {
    if (!invariants.ok()) return "invariant";
    if (!liveness.ok()) return "liveness";
    if (linearizability == "invalid") return model == "kv" ? "linearizability" : model;
    return "";
}

// A server endpoint: the KvServer, or nothing while it failed to open.
class ClusterRun::ServerProcess final : public sim::Process {
public:
    ServerProcess(Env& sim_env, ClusterRun& run) : run_(run) {
        Env& env = WithBugs(sim_env);
        node::KvServerOptions o = run.ServerOptions(env.node);
        // now() in SQL: this node's virtual (skewed, drifting) clock on a fixed calendar epoch,
        // so a run's timestamps are as deterministic as the rest of it.
        o.sql.session.wall_clock_us = [&clock = env.clock] {
            return kSimCalendarEpochUs + clock.Now().us();
        };
        o.on_halt = [this, id = env.node](const Status&, bool fault_point) {
            run_.Supervise(id, fault_point ? kFaultCrashRestartDelay : kRestartDelay);
        };
        auto server = node::KvServer::Open(env, std::move(o));
        if (server.ok()) {
            server_ = std::move(*server);
            return;
        }
        env.tracer.Record(env.node, "note",
                          {{"text", "open failed: " + server.status().ToString()}});
        run.Supervise(env.node, kRestartDelay);
    }

    node::KvServer* server() { return server_ ? server_.get() : nullptr; }

private:
    // storage.no-sync: the server sees its disk through a NoSyncDisk.
    Env& WithBugs(Env& env) {
        const auto& bugs = run_.options_.bugs;
        if (std::find(bugs.begin(), bugs.end(), "storage.no-sync") == bugs.end()) return env;
        no_sync_disk_ = std::make_unique<NoSyncDisk>(env.disk);
        env_ = std::make_unique<Env>(Env{env.node, env.clock, env.random, *no_sync_disk_,
                                         env.network, env.tracer, env.faults});
        return *env_;
    }

    ClusterRun& run_;
    std::unique_ptr<NoSyncDisk> no_sync_disk_;
    std::unique_ptr<Env> env_;                  // Declared before server_: outlives it.
    std::unique_ptr<node::KvServer> server_;
};

// The liveness probe: idle until the liveness phase, then writes until one write is acknowledged.
class ClusterRun::ProbeProcess final : public sim::Process {
public:
    ProbeProcess(Env& env, node::KvClientOptions options) : client_(env, std::move(options)) {}

    void Start() {
        if (client_.busy() || acknowledged_) return;
        client_.Put("probe", std::to_string(++attempt_), [this](const node::KvOutcome& o) {
            if (o.type == node::KvOutcome::Type::kOk) {
                acknowledged_ = true;
            } else {
                Start();
            }
        });
    }
    bool acknowledged() const { return acknowledged_; }

private:
    node::KvClient client_;
    uint64_t attempt_ = 0;
    bool acknowledged_ = false;
};

ClusterRun::ClusterRun(const RunOptions& options) : options_(options) {
    ORRERY_ASSERT(ValidateRunOptions(options_).ok(), "invalid run options");
    sim::SimOptions so;
    so.seed = options_.seed;
    so.faults = options_.faults;
    so.node_count = options_.nodes;
    so.liveness_at = Timestamp(options_.duration.us());
    so.replay_command = options_.ReplayCommand();
    so.trace_path = options_.trace_path;
    sim_ = std::make_unique<sim::Simulator>(so);
    sim_->network().SetDescriber(node::DescribeDatagram);
    sim_->SetLeaderOracle([this] { return CurrentLeader(); });

    RegisterWorkloadOptions wo;
    wo.keys = options_.keys;
    wo.clients = options_.clients;
    wo.think_max = options_.think_max;
    for (uint32_t i = 1; i <= options_.nodes; ++i) wo.client.servers.push_back(NodeId(i));
    workload_ = MakeWorkload(options_.workload, *sim_, wo);

    InstallInvariants();
    sim_->AddNodes([this](Env& env) { return MakeServer(env); });
    server_ids_ = sim_->servers();
    for (uint32_t i = 0; i < options_.clients; ++i) {
        sim_->AddClient(NodeId(kFirstClientId + i), workload_->ClientFactory(i));
    }
    probe_id_ = NodeId(kFirstClientId + options_.clients);
    node::KvClientOptions probe_options = wo.client;
    sim_->AddClient(probe_id_, [probe_options](Env& env) -> std::unique_ptr<sim::Process> {
        return std::make_unique<ProbeProcess>(env, probe_options);
    });
    sim_->ScheduleAt(Timestamp(options_.duration.us()), [this] { StartLiveness(); });
}

ClusterRun::~ClusterRun() = default;

Timestamp ClusterRun::end_time() const {
    return Timestamp(options_.duration.us()) + options_.liveness_bound;
}

std::unique_ptr<sim::Process> ClusterRun::MakeServer(Env& env) {
    ++incarnations_;  // Forces the next invariant check (a new node object).
    checker_.OnRestart(env.node);  // A new RaftNode object: its commit index may restart lower.
    return std::make_unique<ServerProcess>(env, *this);
}

node::KvServerOptions ClusterRun::ServerOptions(NodeId id) const {
    node::KvServerOptions o;
    o.raft.id = id;
    for (uint32_t i = 1; i <= options_.nodes; ++i) o.raft.peers.push_back(NodeId(i));
    o.raft.election_ticks = 10;   // 100-200 ms with 10 ms ticks.
    o.raft.heartbeat_ticks = 2;
    o.raft.snapshot_threshold_entries = 256;  // Snapshots and InstallSnapshot happen in runs.
    o.raft.segment_bytes = 64 << 10;
    for (const std::string& bug : options_.bugs) {
        if (bug == "storage.no-sync") continue;  // The disk's, not the server's (WithBugs).
        Status s = node::EnableServerBug(bug, &o);
        ORRERY_ASSERT(s.ok(), "{}", s.ToString());  // Validated against KnownBugs() up front.
    }
    o.mvcc_keep_versions = 8;  // MVCC GC runs in transactional runs (old snapshots abort).
    std::string engine = options_.engine.empty() ? (node::HaveLsmEngine() ? "lsm" : "memory")
                                                 : options_.engine;
    o.engine = node::MakeEngineFactory(engine).value();
    return o;
}

void ClusterRun::Supervise(NodeId id, Duration restart_delay) {
    // Deferred: the failing server is still on the call stack.
    sim_->ScheduleAt(sim_->Now(), [this, id, restart_delay] {
        if (sim_->IsUp(id)) sim_->Crash(id);
        sim_->ScheduleAt(sim_->Now() + restart_delay, [this, id] {
            if (sim_->IsUp(id)) return;  // The nemesis restarted it already.
            ++supervisor_restarts_;
            sim_->Restart(id);
        });
    });
}

node::KvServer* ClusterRun::Server(NodeId id) {
    auto* process = static_cast<ServerProcess*>(sim_->process(id));
    return process ? process->server() : nullptr;
}

std::optional<NodeId> ClusterRun::CurrentLeader() {
    std::optional<NodeId> leader;
    Term best;
    for (NodeId id : sim_->servers()) {
        node::KvServer* s = Server(id);
        if (!s || s->halted() || s->raft().role() != raft::Role::kLeader) continue;
        if (!leader || s->raft().term() > best) {
            leader = id;
            best = s->raft().term();
        }
    }
    return leader;
}

void ClusterRun::InstallInvariants() {
    sim_->AddInvariant([this]() -> Status {
        // The checker is a function of the nodes' Raft state (and its own history of states),
        // so an event that changed no node's state cannot break an invariant: skip it. Most
        // events (ticks, heartbeats, client traffic) change nothing Raft-visible. The states are
        // compared exactly (no hash), so no change can be missed by a collision.
        if (!RefreshChangedStates() && checked_once_) return Status::Ok();
        checked_once_ = true;
        live_nodes_.clear();
        for (NodeId id : server_ids_) {
            if (node::KvServer* s = Server(id)) live_nodes_.push_back(&s->raft());
        }
        ObserveLeaders(live_nodes_);
        return checker_.Check(live_nodes_);
    });
}

// An event runs one endpoint's process (simulator.h, event_endpoint), so only that server's
// state can have moved; a client's event moves none. Harness callbacks (the nemesis, the
// supervisor) and crashes or restarts between events may move any, so then all are recomputed.
bool ClusterRun::RefreshChangedStates() {
    NodeId ran = sim_->event_endpoint();
    bool all = !checked_once_ || ran == NodeId(0) || sim_->lifecycle_changes() != checked_lifecycle_;
    checked_lifecycle_ = sim_->lifecycle_changes();
    if (states_.size() != server_ids_.size()) states_.assign(server_ids_.size(), RaftState{});
    bool changed = false;
    for (size_t i = 0; i < server_ids_.size(); ++i) {
        if (all || server_ids_[i] == ran) changed |= RefreshState(i);
    }
    return changed;
}

bool ClusterRun::RefreshState(size_t i) {
    RaftState now = StateOf(server_ids_[i]);
    if (now == states_[i]) return false;
    states_[i] = now;
    return true;
}

ClusterRun::RaftState ClusterRun::StateOf(NodeId id) {
    node::KvServer* s = Server(id);
    if (s == nullptr) return RaftState{};  // Down: no state (ids start at 1, so never equal).
    // Everything the invariants read changes one of these: a log suffix rewritten moves
    // log_rewrites(), and a restart builds a new object, which the incarnation counter covers.
    // A promised vote can change without a term change (a vote granted in the current term).
    const raft::RaftNode& n = s->raft();
    auto vote = n.promised_vote();
    return RaftState{n.id().value(), static_cast<uint64_t>(n.role()), n.term().value(),
                     n.commit_index().value(), n.applied_index().value(),
                     n.last_index().value(), n.first_index().value(),
                     n.snapshot_index().value(), n.last_term().value(),
                     n.log_rewrites(), incarnations_,
                     vote ? vote->first.value() : 0, vote ? vote->second.value() : 0};
}

void ClusterRun::ObserveLeaders(const std::vector<const raft::RaftNode*>& nodes) {
    for (const raft::RaftNode* n : nodes) {
        if (n->role() != raft::Role::kLeader) continue;
        std::pair<uint64_t, uint32_t> seen{n->term().value(), n->id().value()};
        if (seen > last_leader_) {
            last_leader_ = seen;
            ++leader_changes_;
        }
    }
}

void ClusterRun::StartLiveness() {
    // The nemesis healed everything at this instant (simulator.h). Clients stop invoking; the
    // probe starts writing; the poll below decides.
    workload_->Stop();
    if (auto* probe = static_cast<ProbeProcess*>(sim_->process(probe_id_))) probe->Start();
    sim_->ScheduleAt(sim_->Now() + kLivenessPoll, [this] { PollLiveness(); });
}

void ClusterRun::PollLiveness() {
    auto* probe = static_cast<ProbeProcess*>(sim_->process(probe_id_));
    bool acknowledged = probe && probe->acknowledged();
    if (acknowledged && !converge_target_) {
        uint64_t target = 0;
        for (NodeId id : sim_->servers()) {
            if (node::KvServer* s = Server(id)) target = std::max(target, s->raft().commit_index().value());
        }
        converge_target_ = target;
    }
    std::vector<std::string> lagging;
    for (NodeId id : sim_->servers()) {
        node::KvServer* s = Server(id);
        if (!s || s->halted()) {
            lagging.push_back(fmt::format("{} down", id));
        } else if (converge_target_ && s->state_machine().applied_index().value() < *converge_target_) {
            lagging.push_back(fmt::format("{} applied {}", id, s->state_machine().applied_index()));
        }
    }
    Timestamp heal(options_.duration.us());
    if (acknowledged && lagging.empty() && workload_->busy_clients() == 0) {
        done_ = true;
        recovery_ = sim_->Now() - heal;
        return;
    }
    if (sim_->Now() >= end_time()) {
        done_ = true;
        liveness_ = Status::Unavailable(fmt::format(
            "no progress within {} of healing: probe write {}, {}{}; clients busy: {}",
            sim::FormatDuration(options_.liveness_bound),
            acknowledged ? "acknowledged" : "not acknowledged",
            converge_target_ ? fmt::format("target applied {}", *converge_target_) : "no target",
            lagging.empty() ? "" : fmt::format(" (lagging: {})", fmt::join(lagging, ", ")),
            workload_->busy_clients()));
        return;
    }
    sim_->ScheduleAt(sim_->Now() + kLivenessPoll, [this] { PollLiveness(); });
}

RunResult ClusterRun::Run() {
    while (!done_ && sim_->failure().ok() && sim_->Now() < end_time() + kRunSlice) {
        sim_->RunFor(kRunSlice).IgnoreError();  // The failure is read from sim_->failure().
        if (options_.progress) options_.progress(sim_->Now(), end_time());
    }
    return Collect();
}

RunResult ClusterRun::Collect() {
    RunResult r;
    r.seed = options_.seed;
    r.fault_plan = options_.faults.ToString();
    r.ops = workload_->counts();
    r.leader_changes = leader_changes_;
    r.faults = sim_->stats().faults;
    const sim::SimStats& st = sim_->stats();
    r.effects["messages-dropped"] = st.messages_dropped;
    r.effects["messages-duplicated"] = st.messages_duplicated;
    r.effects["crashes"] = st.crashes;
    r.effects["pauses"] = st.pauses;
    for (NodeId id : sim_->servers()) {
        const sim::DiskStats& d = sim_->disk(id).stats();
        r.effects["sectors-lost"] += d.sectors_lost;
        r.effects["sectors-garbage"] += d.sectors_garbage;
        r.effects["dir-ops-lost"] += d.dir_ops_lost;
        r.effects["read-errors"] += d.read_errors;
    }
    r.supervisor_restarts = supervisor_restarts_;
    r.invariants = sim_->failure();
    // An invariant stops the run before the liveness phase can judge anything.
    r.liveness_checked = r.invariants.ok();
    r.liveness = r.liveness_checked
                     ? liveness_
                     : Status::Unavailable("not checked: an invariant stopped the run first");
    r.recovery = recovery_;
    r.trace_hash = sim_->trace_hash();
    r.events = sim_->events_processed();
    r.simulated = sim_->Now() - Timestamp(0);
    r.history = workload_->history();
    r.model = std::string(workload_->model());
    r.replay = options_.ReplayCommand();
    if (options_.check_linearizability && r.invariants.ok()) CheckHistory(&r);
    return r;
}

void ClusterRun::CheckHistory(RunResult* r) const {
    checker::CheckOptions co = workload_->check_options();
    co.budget_steps = options_.checker_budget_steps;
    auto report = checker::CheckHistory(workload_->model(), r->history, checker::SourceLines{}, co);
    if (!report.ok()) {
        r->linearizability = "invalid";
        r->linearizability_report = "malformed history: " + report.status().ToString();
        return;
    }
    r->linearizability = std::string(checker::VerdictName(report->verdict));
    if (report->verdict != checker::Verdict::kValid) r->linearizability_report = report->text;
}

Result<RunResult> RunCluster(const RunOptions& options) {
    ORRERY_RETURN_IF_ERROR(ValidateRunOptions(options));
    if (options.mode == "leaderless") return RunLeaderless(options);
    ClusterRun run(options);
    if (!run.sim().failure().ok()) return run.sim().failure();  // E.g. an unopenable trace file.
    return run.Run();
}

Result<sim::DeterminismResult> CheckRunDeterminism(const RunOptions& options) {
    ORRERY_RETURN_IF_ERROR(ValidateRunOptions(options));
    RunOptions quiet = options;
    quiet.trace_path.clear();
    if (quiet.mode == "leaderless") {
        auto build = [quiet]() -> std::unique_ptr<sim::RunHandle> {
            return std::make_unique<LeaderlessRun>(quiet);
        };
        LeaderlessRun probe(quiet);
        return sim::CheckDeterminism(build, probe.end_time());
    }
    auto build = [quiet]() -> std::unique_ptr<sim::RunHandle> {
        return std::make_unique<ClusterRun>(quiet);
    };
    ClusterRun probe(quiet);
    return sim::CheckDeterminism(build, probe.end_time());
}

}  // namespace orrery::jepsen::runner
