// LeaderlessRun: see leaderless_run.h.
#include "jepsen/runner/leaderless_run.h"

#include <fmt/format.h>

#include <algorithm>

#include "jepsen/checker/check.h"

namespace orrery::jepsen::runner {
namespace {

constexpr Duration kRestartDelay = Duration::Millis(200);
// A crash at a fault point is a process crash that a supervisor restarts at once.
constexpr Duration kFaultCrashRestartDelay = Duration::Millis(1);
constexpr Duration kLivenessPoll = Duration::Millis(20);
constexpr Duration kRunSlice = Duration::Millis(100);

}  // namespace

Status ValidateLeaderlessOptions(const RunOptions& o) {
    if (o.workload != "kv" && o.workload != "lwt") {
        return Status::InvalidArgument(
            fmt::format("workload \"{}\" does not run in the leaderless mode (kv, lwt)", o.workload));
    }
    Result<node::Consistency> c = node::ParseConsistency(o.consistency);
    if (!c.ok()) return c.status();
    if (*c == node::Consistency::kSerial) {
        return Status::InvalidArgument("--consistency serial is the lwt workload: use --workload lwt");
    }
    if (o.rf < 1 || o.rf > o.nodes) {
        return Status::InvalidArgument(fmt::format("--rf must be in 1..{} (the nodes)", o.nodes));
    }
    for (const std::string& bug : o.bugs) {
        node::LeaderlessOptions scratch;
        Status s = node::EnableLeaderlessBug(bug, &scratch);
        if (!s.ok()) return s;
    }
    return Status::Ok();
}

// Hints stored and not yet acknowledged, per coordinator: the "never dropped" invariant.
class LeaderlessRun::HintRegistry final : public node::HintObserver {
public:
    void OnHintStored(NodeId coordinator, const node::Hint& hint) override {
        pending_[coordinator][hint.id] = hint.target;
    }
    void OnHintDelivered(NodeId coordinator, uint64_t id) override { pending_[coordinator].erase(id); }

    // A restarted coordinator must have recovered every hint it had not delivered.
    Status CheckRecovered(NodeId coordinator, const node::HintStore& store) {
        std::vector<uint64_t> have = store.Ids();
        for (const auto& [id, target] : pending_[coordinator]) {
            if (std::binary_search(have.begin(), have.end(), id)) continue;
            return Status::Corruption(fmt::format(
                "hint dropped: {} restarted without its hint #{} for {}, never delivered",
                coordinator, id, target));
        }
        return Status::Ok();
    }
    size_t pending() const {
        size_t n = 0;
        for (const auto& [c, hints] : pending_) n += hints.size();
        return n;
    }

private:
    std::map<NodeId, std::map<uint64_t, NodeId>> pending_;
};

class LeaderlessRun::ServerProcess final : public sim::Process {
public:
    ServerProcess(Env& env, LeaderlessRun& run) {
        node::LeaderlessOptions o = run.ServerOptions();
        o.on_halt = [&run, id = env.node](const Status&, bool fault_point) {
            run.Supervise(id, fault_point ? kFaultCrashRestartDelay : kRestartDelay);
        };
        auto server = node::LeaderlessServer::Open(env, std::move(o));
        if (!server.ok()) {
            env.tracer.Record(env.node, "note",
                              {{"text", "open failed: " + server.status().ToString()}});
            run.Supervise(env.node, kRestartDelay);
            return;
        }
        server_ = std::move(*server);
        run.OnServerOpened(env.node, *server_);
    }
    node::LeaderlessServer* server() { return server_.get(); }

private:
    std::unique_ptr<node::LeaderlessServer> server_;
};

// The liveness probe: idle until the liveness phase, then writes until one is acknowledged.
class LeaderlessRun::ProbeProcess final : public sim::Process {
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

LeaderlessRun::LeaderlessRun(const RunOptions& options)
    : options_(options),
      paxos_(std::make_unique<paxos::PaxosInvariants>(options.rf / 2 + 1)),
      hints_(std::make_unique<HintRegistry>()) {
    ORRERY_ASSERT(ValidateRunOptions(options_).ok(), "invalid run options");
    sim::SimOptions so;
    so.seed = options_.seed;
    so.faults = options_.faults;
    so.node_count = options_.nodes;
    so.liveness_at = Timestamp(options_.duration.us());
    so.replay_command = options_.ReplayCommand();
    so.trace_path = options_.trace_path;
    sim_ = std::make_unique<sim::Simulator>(so);
    sim_->network().SetDescriber(node::DescribeLeaderlessDatagram);

    RegisterWorkloadOptions wo;
    wo.keys = options_.keys;
    wo.clients = options_.clients;
    wo.think_max = options_.think_max;
    for (uint32_t i = 1; i <= options_.nodes; ++i) wo.client.servers.push_back(NodeId(i));
    // A coordinator answers within its request timeout (500 ms), so a client waits longer than
    // that before it asks another node.
    wo.client.attempt_timeout = Duration::Millis(1000);
    wo.client.op_timeout = Duration::Seconds(3);
    wo.spread_coordinators = true;  // Any node coordinates: clients start at different ones.
    workload_ = MakeWorkload("kv", *sim_, wo);

    sim_->AddInvariant([this] { return paxos_->violation(); });
    sim_->AddNodes([this](Env& env) -> std::unique_ptr<sim::Process> {
        return std::make_unique<ServerProcess>(env, *this);
    });
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

LeaderlessRun::~LeaderlessRun() = default;

Timestamp LeaderlessRun::end_time() const {
    return Timestamp(options_.duration.us()) + options_.liveness_bound;
}

node::LeaderlessOptions LeaderlessRun::ServerOptions() const {
    node::LeaderlessOptions o;
    for (uint32_t i = 1; i <= options_.nodes; ++i) o.peers.push_back(NodeId(i));
    o.rf = options_.rf;
    o.consistency = options_.workload == "lwt" ? node::Consistency::kSerial
                                               : node::ParseConsistency(options_.consistency).value();
    std::string engine = options_.engine.empty() ? (node::HaveLsmEngine() ? "lsm" : "memory")
                                                 : options_.engine;
    o.engine = node::MakeEngineFactory(engine).value();
    o.paxos_observer = paxos_.get();
    o.hint_observer = hints_.get();
    for (const std::string& bug : options_.bugs) {
        Status s = node::EnableLeaderlessBug(bug, &o);
        ORRERY_ASSERT(s.ok(), "{}", s.ToString());
    }
    return o;
}

node::LeaderlessServer* LeaderlessRun::Server(NodeId id) {
    auto* p = static_cast<ServerProcess*>(sim_->process(id));
    return p ? p->server() : nullptr;
}

void LeaderlessRun::OnServerOpened(NodeId id, const node::LeaderlessServer& server) {
    Status s = hints_->CheckRecovered(id, server.hints());
    if (!s.ok()) sim_->Fail(s);
}

void LeaderlessRun::Supervise(NodeId id, Duration delay) {
    sim_->ScheduleAt(sim_->Now(), [this, id, delay] {
        if (sim_->IsUp(id)) sim_->Crash(id);
        sim_->ScheduleAt(sim_->Now() + delay, [this, id] {
            if (sim_->IsUp(id)) return;
            ++supervisor_restarts_;
            sim_->Restart(id);
        });
    });
}

void LeaderlessRun::StartLiveness() {
    workload_->Stop();
    if (auto* probe = static_cast<ProbeProcess*>(sim_->process(probe_id_))) probe->Start();
    sim_->ScheduleAt(sim_->Now() + kLivenessPoll, [this] { PollLiveness(); });
}

// "" when every server is up and lists every server alive; else who sees what.
std::string LeaderlessRun::GossipLag() {
    std::vector<std::string> lag;
    for (NodeId id : sim_->servers()) {
        node::LeaderlessServer* s = Server(id);
        if (s == nullptr || s->halted()) {
            lag.push_back(fmt::format("{} down", id));
            continue;
        }
        for (NodeId m : sim_->servers()) {
            const gossip::Member* e = s->gossip().table().Find(m);
            if (e == nullptr || e->state != gossip::State::kAlive) {
                lag.push_back(fmt::format("{} sees {} {}", id, m,
                                          e ? gossip::StateName(e->state) : "unknown"));
            }
        }
    }
    return fmt::format("{}", fmt::join(lag, ", "));
}

void LeaderlessRun::PollLiveness() {
    auto* probe = static_cast<ProbeProcess*>(sim_->process(probe_id_));
    bool acknowledged = probe && probe->acknowledged();
    std::string lag = GossipLag();
    Timestamp heal(options_.duration.us());
    if (acknowledged && lag.empty() && workload_->busy_clients() == 0) {
        done_ = true;
        recovery_ = sim_->Now() - heal;
        return;
    }
    if (sim_->Now() >= end_time()) {
        done_ = true;
        liveness_ = Status::Unavailable(fmt::format(
            "no progress within {} of healing: probe write {}; clients busy: {}{}",
            sim::FormatDuration(options_.liveness_bound),
            acknowledged ? "acknowledged" : "not acknowledged", workload_->busy_clients(),
            lag.empty() ? "" : "; gossip: " + lag));
        return;
    }
    sim_->ScheduleAt(sim_->Now() + kLivenessPoll, [this] { PollLiveness(); });
}

RunResult LeaderlessRun::Run() {
    while (!done_ && sim_->failure().ok() && sim_->Now() < end_time() + kRunSlice) {
        sim_->RunFor(kRunSlice).IgnoreError();
        if (options_.progress) options_.progress(sim_->Now(), end_time());
    }
    return Collect();
}

RunResult LeaderlessRun::Collect() {
    RunResult r;
    r.seed = options_.seed;
    r.fault_plan = options_.faults.ToString();
    r.ops = workload_->counts();
    r.faults = sim_->stats().faults;
    const sim::SimStats& st = sim_->stats();
    r.effects["messages-dropped"] = st.messages_dropped;
    r.effects["messages-duplicated"] = st.messages_duplicated;
    r.effects["crashes"] = st.crashes;
    r.effects["pauses"] = st.pauses;
    r.effects["paxos-chosen"] = paxos_->chosen();
    r.effects["hints-pending"] = hints_->pending();
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
    r.model = "kv";
    r.replay = options_.ReplayCommand();
    if (options_.check_linearizability && r.invariants.ok()) {
        checker::CheckOptions co = workload_->check_options();
        co.budget_steps = options_.checker_budget_steps;
        auto report = checker::CheckHistory("kv", r.history, checker::SourceLines{}, co);
        if (!report.ok()) {
            r.linearizability = "invalid";
            r.linearizability_report = "malformed history: " + report.status().ToString();
        } else {
            r.linearizability = std::string(checker::VerdictName(report->verdict));
            if (report->verdict != checker::Verdict::kValid) r.linearizability_report = report->text;
        }
    }
    return r;
}

Result<RunResult> RunLeaderless(const RunOptions& options) {
    ORRERY_RETURN_IF_ERROR(ValidateRunOptions(options));
    LeaderlessRun run(options);
    if (!run.sim().failure().ok()) return run.sim().failure();
    return run.Run();
}

}  // namespace orrery::jepsen::runner
