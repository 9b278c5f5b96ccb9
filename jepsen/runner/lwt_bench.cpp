// The lightweight-transaction benchmark. See lwt_bench.h.
#include "jepsen/runner/lwt_bench.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <memory>

#include "core/assert.h"
#include "node/kv_server.h"
#include "node/leaderless_server.h"
#include "paxos/acceptor.h"
#include "sim/simulator.h"

namespace orrery::jepsen::runner {
namespace {

using Type = node::KvOutcome::Type;

constexpr uint32_t kMaxClients = 1000;
constexpr uint32_t kMaxSharedKeys = 1000000;
constexpr std::string_view kFirstValue = "0";
// Clients start once gossip lists every node alive everywhere: a request a coordinator takes
// before then hints the replicas it believes dead and times out, and a retry of the same
// (client, seq) is answered from the coordinator's table of recent replies with that timeout.
constexpr Duration kConvergePoll = Duration::Millis(10);
constexpr int kConvergePollsMax = 1000;

// Counts what the acceptors did (the simulator's only window into the Paxos rounds).
class AcceptorCounter final : public paxos::AcceptObserver {
public:
    void OnPromised(NodeId, const std::string&, paxos::Ballot) override { ++promises; }
    void OnAccepted(NodeId, const std::string&, paxos::Ballot, paxos::Ballot,
                    const std::optional<std::string>&) override {
        ++accepts;
    }
    uint64_t promises = 0;
    uint64_t accepts = 0;
};

class ServerProcess final : public sim::Process {
public:
    ServerProcess(Env& env, node::LeaderlessOptions options) {
        auto server = node::LeaderlessServer::Open(env, std::move(options));
        // No faults: a simulated disk without faults always opens.
        ORRERY_ASSERT(server.ok(), "lwt bench: {} did not open: {}", env.node,
                      server.status().ToString());
        server_ = std::move(server).value();
    }
    const node::LeaderlessServer& server() const { return *server_; }

private:
    std::unique_ptr<node::LeaderlessServer> server_;
};

class ClientProcess final : public sim::Process {
public:
    ClientProcess(Env& env, node::KvClientOptions options, LwtClientConfig config,
                  LwtRecorder& recorder)
        : client_(env, std::move(options), config, recorder) {}
    LwtBenchClient& client() { return client_; }

private:
    LwtBenchClient client_;
};

// True once every server's gossip table lists every server alive.
bool GossipConverged(sim::Simulator& sim) {
    for (NodeId id : sim.servers()) {
        const auto* p = static_cast<const ServerProcess*>(sim.process(id));
        if (p == nullptr) return false;
        for (NodeId m : sim.servers()) {
            const gossip::Member* e = p->server().gossip().table().Find(m);
            if (e == nullptr || e->state != gossip::State::kAlive) return false;
        }
    }
    return true;
}

// Runs the simulator until gossip converged (checked every kConvergePoll).
Status WaitForGossip(sim::Simulator& sim) {
    for (int i = 0; i < kConvergePollsMax; ++i) {
        if (GossipConverged(sim)) return Status::Ok();
        ORRERY_RETURN_IF_ERROR(sim.RunFor(kConvergePoll));
    }
    return Status::Timeout(fmt::format("gossip did not converge within {} polls of {}",
                                       kConvergePollsMax, sim::FormatDuration(kConvergePoll)));
}

std::string DefaultEngine() { return node::HaveLsmEngine() ? "lsm" : "memory"; }

node::LeaderlessOptions ServerOptions(const LwtBenchOptions& o, LwtPhase phase,
                                      AcceptorCounter* counter) {
    node::LeaderlessOptions s;
    for (uint32_t i = 1; i <= o.nodes; ++i) s.peers.push_back(NodeId(i));
    s.rf = o.rf;
    s.paxos.one_round_trip = LwtPhaseOneRoundTrip(phase);
    s.engine = node::MakeEngineFactory(o.engine.empty() ? DefaultEngine() : o.engine).value();
    s.paxos_observer = counter;
    return s;
}

node::KvClientOptions ClientOptions(const LwtBenchOptions& o) {
    node::KvClientOptions c;
    for (uint32_t i = 1; i <= o.nodes; ++i) c.servers.push_back(NodeId(i));
    // As in LeaderlessRun: a coordinator answers within its request timeout (500 ms), so a
    // client waits longer than that before it asks another node.
    c.attempt_timeout = Duration::Millis(1000);
    c.op_timeout = Duration::Seconds(3);
    return c;
}

Result<LwtPhaseResult> RunPhase(const LwtBenchOptions& o, LwtPhase phase) {
    sim::SimOptions so;
    so.seed = o.seed;
    so.node_count = o.nodes;
    if (!o.trace_prefix.empty()) {
        so.trace_path = fmt::format("{}-{}.jsonl", o.trace_prefix, static_cast<int>(phase) + 1);
    }
    sim::Simulator sim(so);
    sim.network().SetDescriber(node::DescribeLeaderlessDatagram);
    AcceptorCounter acceptors;
    LwtRecorder recorder(phase);
    sim.AddNodes([&](Env& env) -> std::unique_ptr<sim::Process> {
        return std::make_unique<ServerProcess>(env, ServerOptions(o, phase, &acceptors));
    });
    node::KvClientOptions client_options = ClientOptions(o);
    for (uint32_t c = 0; c < o.clients; ++c) {
        LwtClientConfig config{phase, c, o.shared_keys};
        sim.AddClient(NodeId(kFirstClientId + c), [&, config](Env& env) {
            node::KvClientOptions k = client_options;
            k.client_id = env.node.value();  // Unique, and reads well in a trace.
            return std::make_unique<ClientProcess>(env, k, config, recorder);
        });
    }
    ORRERY_RETURN_IF_ERROR(WaitForGossip(sim));
    for (uint32_t c = 0; c < o.clients; ++c) {
        static_cast<ClientProcess*>(sim.process(NodeId(kFirstClientId + c)))->client().Start();
    }
    ORRERY_RETURN_IF_ERROR(sim.RunFor(o.warmup));
    uint64_t messages = sim.stats().messages_sent;
    uint64_t promises = acceptors.promises, accepts = acceptors.accepts;
    recorder.Begin();
    ORRERY_RETURN_IF_ERROR(sim.RunFor(o.duration));
    recorder.End();
    LwtPhaseResult r = std::move(recorder.result());
    r.window = o.duration;
    r.messages = sim.stats().messages_sent - messages;
    r.promises = acceptors.promises - promises;
    r.accepts = acceptors.accepts - accepts;
    return r;
}

// The counter a key holds (values this benchmark wrote are decimal; anything else reads as 0).
uint64_t ParseCounter(const std::string& value) {
    uint64_t n = 0;
    std::from_chars(value.data(), value.data() + value.size(), n);
    return n;
}

double PerOp(uint64_t n, uint64_t ops) {
    return ops == 0 ? 0.0 : static_cast<double>(n) / static_cast<double>(ops);
}

}  // namespace

std::string_view LwtPhaseName(LwtPhase phase) {
    switch (phase) {
        case LwtPhase::kCasOneRoundTrip: return "lwt cas (1rtt on)";
        case LwtPhase::kCasTwoRoundTrips: return "lwt cas (1rtt off)";
        case LwtPhase::kQuorumPut: return "quorum put";
    }
    return "?";
}

bool LwtPhaseOneRoundTrip(LwtPhase phase) { return phase != LwtPhase::kCasTwoRoundTrips; }

double LwtPhaseResult::ops_per_second() const {
    double seconds = static_cast<double>(window.us()) / 1e6;
    return seconds <= 0 ? 0.0 : static_cast<double>(ops()) / seconds;
}

double LwtPhaseResult::LatencyMs(double q) const {
    if (latencies_us.empty()) return 0;
    std::vector<int64_t> v = latencies_us;
    // Nearest rank, as `orrery bench cluster` computes it.
    size_t k = std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())));
    std::nth_element(v.begin(), v.begin() + static_cast<ptrdiff_t>(k), v.end());
    return static_cast<double>(v[k]) / 1000.0;
}

double LwtPhaseResult::MaxLatencyMs() const {
    if (latencies_us.empty()) return 0;
    return static_cast<double>(*std::max_element(latencies_us.begin(), latencies_us.end())) /
           1000.0;
}

void LwtRecorder::End() {
    if (!recording_) return;
    recording_ = false;
    result_.open = in_flight_;
}

void LwtRecorder::Record(const node::KvOutcome& o, Duration took) {
    ORRERY_ASSERT(in_flight_ > 0, "lwt bench: an outcome without an op");
    --in_flight_;
    if (!recording_) return;  // Only ops that end inside the window count.
    ORRERY_ASSERT(took >= Duration(0), "lwt bench: an op took negative time");
    if (o.type == Type::kOk) {
        ++result_.ok;
    } else if (o.type == Type::kFail && o.code == node::ReplyCode::kCasFailed) {
        ++result_.cas_failed;
    } else {
        ++(o.type == Type::kFail ? result_.failed : result_.unknown);
        return;
    }
    result_.latencies_us.push_back(took.us());
}

node::KvClientOptions LwtBenchClient::Rotated(node::KvClientOptions options, uint32_t index) {
    ORRERY_ASSERT(!options.servers.empty(), "lwt bench: a client needs servers");
    std::rotate(options.servers.begin(),
                options.servers.begin() + static_cast<ptrdiff_t>(index % options.servers.size()),
                options.servers.end());
    return options;
}

LwtBenchClient::LwtBenchClient(Env& env, node::KvClientOptions options, LwtClientConfig config,
                               LwtRecorder& recorder)
    : env_(env), config_(config), recorder_(recorder), rng_(env.random.Fork("lwt-bench")),
      kv_(env, Rotated(std::move(options), config.index)) {}

void LwtBenchClient::Start() {
    if (running_) return;
    running_ = true;
    if (!kv_.busy()) Next();
}

std::string LwtBenchClient::PickKey() {
    if (config_.shared_keys == 0) return fmt::format("lwt/c{}", config_.index);
    return fmt::format("lwt/k{}", rng_.Uniform(config_.shared_keys));
}

void LwtBenchClient::Next() {
    if (!running_) return;
    ORRERY_ASSERT(!kv_.busy(), "lwt bench: one op at a time");
    std::string key = PickKey();
    node::ClientRequest request;
    request.key = key;
    bool lwt = config_.phase != LwtPhase::kQuorumPut;
    request.limit = static_cast<uint32_t>(lwt ? node::Consistency::kSerial
                                              : node::Consistency::kQuorum);
    auto known = known_.find(key);
    bool cas = lwt && known != known_.end();
    if (!lwt) {
        request.op = node::RequestOp::kPut;
        request.value = std::to_string(++counter_);
    } else if (!cas) {
        request.op = node::RequestOp::kPut;  // Nothing known of the key yet: an LWT put.
        request.value = std::string(kFirstValue);
    } else {
        request.op = node::RequestOp::kCas;
        request.expected = known->second;
        request.value = std::to_string(ParseCounter(known->second) + 1);
    }
    std::string sent = request.value;
    recorder_.Invoke();
    Timestamp begin = env_.clock.Now();
    kv_.Submit(std::move(request), [this, key, sent, cas, begin](const node::KvOutcome& o) {
        recorder_.Record(o, env_.clock.Now() - begin);
        OnOutcome(key, sent, cas, o);
        Next();
    });
}

void LwtBenchClient::OnOutcome(const std::string& key, const std::string& sent, bool was_cas,
                               const node::KvOutcome& o) {
    if (config_.phase == LwtPhase::kQuorumPut) return;
    if (o.type == Type::kOk) {
        known_[key] = sent;
    } else if (was_cas && o.type == Type::kFail && o.code == node::ReplyCode::kCasFailed &&
               !o.value.empty()) {
        known_[key] = o.value;  // Someone else moved it on: continue from what is there.
    } else {
        known_.erase(key);  // Unknown now: the next op on it is a put again.
    }
}

Status ValidateLwtBench(const LwtBenchOptions& o) {
    if (o.nodes < 1 || o.nodes > 9) return Status::InvalidArgument("--nodes must be in 1..9");
    if (o.rf < 1 || o.rf > o.nodes) {
        return Status::InvalidArgument(fmt::format("--rf must be in 1..{} (the nodes)", o.nodes));
    }
    if (o.clients < 1 || o.clients > kMaxClients) {
        return Status::InvalidArgument(fmt::format("--clients must be in 1..{}", kMaxClients));
    }
    if (o.shared_keys > kMaxSharedKeys) {
        return Status::InvalidArgument(fmt::format("--keys must be at most {}", kMaxSharedKeys));
    }
    if (o.duration <= Duration(0)) return Status::InvalidArgument("--duration must be positive");
    if (o.warmup < Duration(0)) return Status::InvalidArgument("--warmup must not be negative");
    if (o.phases.empty()) return Status::InvalidArgument("no phase to run");
    if (!o.engine.empty()) {
        auto engine = node::MakeEngineFactory(o.engine);
        if (!engine.ok()) return Status::InvalidArgument(engine.status().message());
    }
    return Status::Ok();
}

Result<std::vector<LwtPhaseResult>> RunLwtBench(const LwtBenchOptions& o,
                                                const std::function<double()>& wall_seconds) {
    ORRERY_RETURN_IF_ERROR(ValidateLwtBench(o));
    std::vector<LwtPhaseResult> out;
    for (LwtPhase phase : o.phases) {
        double start = wall_seconds();
        ORRERY_ASSIGN_OR_RETURN(LwtPhaseResult r, RunPhase(o, phase));
        r.wall_seconds = wall_seconds() - start;
        out.push_back(std::move(r));
    }
    return out;
}

std::string RenderLwtTable(const std::vector<LwtPhaseResult>& results, bool simulated) {
    std::string out = fmt::format("{:<18} {:>7} {:>8} {:>8} {:>8} {:>8} {:>10} {:>6} {:>7} {:>4}",
                                  "phase", "ops", "ops/s", "p50 ms", "p99 ms", "max ms",
                                  "cas-failed", "failed", "unknown", "open");
    if (simulated) out += fmt::format(" {:>8} {:>11} {:>10}", "msgs/op", "promises/op", "accepts/op");
    out += fmt::format(" {:>7}\n", "wall s");
    for (const LwtPhaseResult& r : results) {
        out += fmt::format("{:<18} {:>7} {:>8.0f} {:>8.2f} {:>8.2f} {:>8.2f} {:>10} {:>6} {:>7} {:>4}",
                           LwtPhaseName(r.phase), r.ops(), r.ops_per_second(), r.LatencyMs(0.50),
                           r.LatencyMs(0.99), r.MaxLatencyMs(), r.cas_failed, r.failed,
                           r.unknown, r.open);
        if (simulated) {
            out += fmt::format(" {:>8.2f} {:>11.2f} {:>10.2f}", PerOp(r.messages, r.ops()),
                               PerOp(r.promises, r.ops()), PerOp(r.accepts, r.ops()));
        }
        out += fmt::format(" {:>7.2f}\n", r.wall_seconds);
    }
    return out;
}

}  // namespace orrery::jepsen::runner
