// The simulated-cluster MVCC benchmark. See txn_bench.h.
#include "jepsen/runner/txn_bench.h"

#include <fmt/format.h>

#include <charconv>
#include <sstream>

#include "node/kv_server.h"
#include "node/txn_client.h"
#include "sim/simulator.h"

namespace orrery::jepsen::runner {
namespace {

constexpr int64_t kBankBenchInitial = 100;
constexpr Duration kWarmUp = Duration::Seconds(1);

using Outcome = node::TxnOutcome;
constexpr auto kOk = node::KvOutcome::Type::kOk;

struct Counters {
    uint64_t committed = 0, aborted = 0, gave_up = 0, other_failed = 0;
    bool running = false;
};

class BenchServer final : public sim::Process {
public:
    BenchServer(Env& env, uint32_t nodes, const node::EngineFactory& engine) {
        node::KvServerOptions o;
        o.raft.id = env.node;
        for (uint32_t i = 1; i <= nodes; ++i) o.raft.peers.push_back(NodeId(i));
        o.raft.election_ticks = 10;
        o.raft.heartbeat_ticks = 2;
        o.engine = engine;
        server_ = node::KvServer::Open(env, std::move(o)).value();
    }
    const node::KvServer& server() const { return *server_; }

private:
    std::unique_ptr<node::KvServer> server_;
};

class BenchClient final : public sim::Process {
public:
    BenchClient(Env& env, const ClusterTxnBenchOptions& o, std::string mix, Counters& counters)
        : options_(o), mix_(std::move(mix)), counters_(counters), rng_(env.random.Fork("bench")),
          client_(env, ClientOptions(o)) {}

    void Next() {
        if (!counters_.running || client_.busy()) return;
        client_.Begin([this](const Outcome& b) {
            if (b.type != kOk) return Failed();
            if (mix_ == "bank") return Transfer();
            Step(0);
        });
    }

private:
    static node::KvClientOptions ClientOptions(const ClusterTxnBenchOptions& o) {
        node::KvClientOptions c;
        for (uint32_t i = 1; i <= o.nodes; ++i) c.servers.push_back(NodeId(i));
        return c;
    }
    std::string RandomKey() { return fmt::format("k{}", rng_.Uniform(options_.keys)); }

    void Step(int i) {
        if (i == options_.ops_per_txn) return Commit();
        if (mix_ == "write-only") {
            client_.Set(RandomKey(), std::to_string(i));
            return Step(i + 1);
        }
        client_.Get(RandomKey(), [this, i](const Outcome& g) {
            if (g.type != kOk) return Failed();
            Step(i + 1);
        });
    }

    static int64_t Balance(const Outcome& o) {
        if (!o.value) return kBankBenchInitial;
        int64_t v = 0;
        std::from_chars(o.value->data(), o.value->data() + o.value->size(), v);
        return v;
    }

    void Transfer() {
        uint64_t a = rng_.Uniform(options_.keys);
        uint64_t b = (a + 1 + rng_.Uniform(options_.keys - 1)) % options_.keys;  // b != a.
        std::string from = fmt::format("k{}", a), to = fmt::format("k{}", b);
        client_.Get(from, [this, from, to](const Outcome& f) {
            if (f.type != kOk) return Failed();
            client_.Get(to, [this, from, to, fb = Balance(f)](const Outcome& t) {
                if (t.type != kOk) return Failed();
                int64_t amount = rng_.Range(1, 10);
                if (fb < amount) {
                    client_.Rollback();
                    ++counters_.gave_up;
                    return Next();
                }
                client_.Set(from, std::to_string(fb - amount));
                client_.Set(to, std::to_string(Balance(t) + amount));
                Commit();
            });
        });
    }

    void Commit() {
        client_.Commit([this](const Outcome& c) {
            if (c.type == kOk) {
                ++counters_.committed;
            } else if (c.aborted) {
                ++counters_.aborted;
            } else {
                ++counters_.other_failed;
            }
            Next();
        });
    }

    void Failed() {
        client_.Rollback();
        ++counters_.other_failed;
        Next();
    }

    const ClusterTxnBenchOptions& options_;
    std::string mix_;
    Counters& counters_;
    Random rng_;
    node::TxnClient client_;
};

uint64_t LongestLog(sim::Simulator& sim) {
    uint64_t most = 0;
    for (NodeId id : sim.servers()) {
        auto* p = static_cast<BenchServer*>(sim.process(id));
        if (p) most = std::max(most, p->server().raft().last_index().value());
    }
    return most;
}

Result<ClusterTxnBenchResult> RunMix(const ClusterTxnBenchOptions& o, const std::string& mix) {
    ORRERY_ASSIGN_OR_RETURN(node::EngineFactory engine, node::MakeEngineFactory(o.engine));
    sim::SimOptions so;
    so.seed = o.seed;
    so.node_count = o.nodes;
    sim::Simulator sim(so);
    sim.AddNodes([&](Env& env) { return std::make_unique<BenchServer>(env, o.nodes, engine); });
    Counters counters;
    for (uint32_t c = 0; c < o.clients; ++c) {
        sim.AddClient(NodeId(kFirstClientId + c), [&](Env& env) {
            return std::make_unique<BenchClient>(env, o, mix, counters);
        });
    }
    ORRERY_RETURN_IF_ERROR(sim.RunFor(kWarmUp));  // Elect a leader.
    counters.running = true;
    for (uint32_t c = 0; c < o.clients; ++c) {
        static_cast<BenchClient*>(sim.process(NodeId(kFirstClientId + c)))->Next();
    }
    uint64_t entries_before = LongestLog(sim);
    uint64_t events_before = sim.events_processed();
    ORRERY_RETURN_IF_ERROR(sim.RunFor(o.duration));
    counters.running = false;
    ClusterTxnBenchResult r;
    r.mix = mix;
    r.committed = counters.committed;
    r.aborted = counters.aborted;
    r.gave_up = counters.gave_up;
    r.other_failed = counters.other_failed;
    r.log_entries = LongestLog(sim) - entries_before;
    r.simulated = o.duration;
    r.events = sim.events_processed() - events_before;
    return r;
}

}  // namespace

Status ValidateClusterTxnBench(const ClusterTxnBenchOptions& o) {
    std::string mixes(kClusterTxnMixes);
    if (o.mix != "all" && (" " + mixes + " ").find(" " + o.mix + " ") == std::string::npos) {
        return Status::InvalidArgument(fmt::format("unknown mix \"{}\" (all, {})", o.mix, mixes));
    }
    if (o.nodes < 1 || o.nodes > 9) return Status::InvalidArgument("nodes must be in 1..9");
    if (o.clients < 1 || o.clients > 500) return Status::InvalidArgument("clients: 1..500");
    if (o.keys < 2 || o.ops_per_txn < 1 || o.ops_per_txn > 100) {
        return Status::InvalidArgument("keys >= 2 and ops in 1..100");
    }
    if (o.duration <= Duration(0)) return Status::InvalidArgument("duration must be positive");
    auto engine = node::MakeEngineFactory(o.engine);
    if (!engine.ok()) return Status::InvalidArgument(engine.status().message());
    return Status::Ok();
}

Result<std::vector<ClusterTxnBenchResult>> RunClusterTxnBench(const ClusterTxnBenchOptions& o) {
    ORRERY_RETURN_IF_ERROR(ValidateClusterTxnBench(o));
    std::vector<ClusterTxnBenchResult> out;
    std::istringstream mixes{std::string(kClusterTxnMixes)};
    std::string mix;
    while (mixes >> mix) {
        if (o.mix != "all" && o.mix != mix) continue;
        ORRERY_ASSIGN_OR_RETURN(ClusterTxnBenchResult r, RunMix(o, mix));
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace orrery::jepsen::runner
