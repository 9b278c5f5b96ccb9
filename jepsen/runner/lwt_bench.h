// The lightweight-transaction benchmark (`orrery bench lwt`, issue 15): what a compare-and-set
// through CASPaxos costs in the leaderless mode, with the one-round-trip optimisation on and
// off, next to a plain QUORUM write of the same keys.
//
// Three phases, each on a fresh cluster (five nodes, rf 3, no faults), each printed as one row:
//   lwt cas (1rtt on)   cas at SERIAL; paxos::ProposerConfig::one_round_trip = true
//   lwt cas (1rtt off)  the same with one_round_trip = false: every cas prepares first
//   quorum put          put at QUORUM: last-write-wins, one round trip to the replicas
// C closed-loop clients (no think time) run one op after another. Keys: by default client i
// has its own key ("lwt/c<i>"), so each key has one writer, and that writer always reaches the
// same coordinator: the "repeat proposer" case the optimisation is for (Rystsov §2.2.1). With
// `shared_keys` N every op picks one of N keys ("lwt/k<j>") at random: contention, where rival
// coordinators steal each other's promises and the shortcut is often lost.
//
// A client's LWT op on a key is cas(known, known+1) once it knows the key's value, and an LWT
// put of "0" before that (its first op on the key, or after a fail/info made the value
// unknown); a cas that finds another value adopts the current value its reply carries. In the
// quorum phase every op is a put of the client's next counter. The level rides in every
// request's `limit` (node/leaderless_message.h), so the servers' default level plays no part.
//
// Each phase first waits until every node's gossip lists every node alive (before that a
// coordinator hints replicas it believes dead and its requests time out), then runs `warmup`
// (connections open, each own key gets its first put), then measures `duration`. An op counts
// if it ended inside the measured window. Latency is invoke to outcome on the client's Clock
// (env.clock): virtual time in the simulator, the steady clock on a real cluster.
//
// In the simulator the figures are deterministic: one (options, seed) gives the same rows, all
// but the wall time, which the caller measures. The simulator also counts the datagrams sent in
// the window and the promises and accepts the acceptors gave, which show the round trip the
// optimisation saves.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/env.h"
#include "core/random.h"
#include "core/status.h"
#include "core/types.h"
#include "node/kv_client.h"
#include "node/leaderless_message.h"

namespace orrery::jepsen::runner {

enum class LwtPhase : uint8_t { kCasOneRoundTrip, kCasTwoRoundTrips, kQuorumPut };
inline constexpr LwtPhase kLwtPhases[] = {LwtPhase::kCasOneRoundTrip, LwtPhase::kCasTwoRoundTrips,
                                          LwtPhase::kQuorumPut};

// "lwt cas (1rtt on)", "lwt cas (1rtt off)", "quorum put".
std::string_view LwtPhaseName(LwtPhase phase);
// Whether the phase's nodes run with paxos one_round_trip on (the quorum phase: on, unused).
bool LwtPhaseOneRoundTrip(LwtPhase phase);

// The figures of one phase.
struct LwtPhaseResult {
    LwtPhase phase = LwtPhase::kCasOneRoundTrip;
    uint64_t ok = 0;          // Applied: a put acknowledged, or a cas that applied.
    uint64_t cas_failed = 0;  // A cas answered "not applied" (another value was there).
    uint64_t failed = 0;      // Other definite failures (an error reply, a refusal).
    uint64_t unknown = 0;     // Outcome unknown (info): no answer within the op timeout.
    uint64_t open = 0;        // Ops still running when the window closed (<= clients).
    std::vector<int64_t> latencies_us;  // Of ok and cas_failed ops, in completion order.
    Duration window;          // The measured window (simulated, or steady time).
    // Simulator only (0 on a real cluster): in the window.
    uint64_t messages = 0;    // Datagrams sent (servers and clients, gossip included).
    uint64_t promises = 0;    // Paxos promises the acceptors gave (phase 1).
    uint64_t accepts = 0;     // Paxos accepts the acceptors took (phase 2).
    double wall_seconds = 0;  // Real time of the whole phase (warm-up and cluster start too).

    uint64_t ops() const { return ok + cas_failed; }  // Ops that got an answer.
    double ops_per_second() const;
    // The q-quantile of the latencies in milliseconds (0 when there are none).
    double LatencyMs(double q) const;
    double MaxLatencyMs() const;
};

// Where clients report; `Begin`/`End` bracket the measured window. An op counts if it ended
// inside the window (latency from its invocation, which may precede the window: an op stuck
// since the warm-up shows up when it ends, not never).
class LwtRecorder {
public:
    explicit LwtRecorder(LwtPhase phase) { result_.phase = phase; }
    void Begin() { recording_ = true; }
    // Closes the window; ops still running then are counted as open.
    void End();
    // An op starts now.
    void Invoke() { ++in_flight_; }
    // An op ended with `o` after `took`.
    void Record(const node::KvOutcome& o, Duration took);
    LwtPhaseResult& result() { return result_; }

private:
    LwtPhaseResult result_;
    bool recording_ = false;
    uint64_t in_flight_ = 0;
};

struct LwtClientConfig {
    LwtPhase phase = LwtPhase::kCasOneRoundTrip;
    uint32_t index = 0;        // The client's number (its own key, its first coordinator).
    uint32_t shared_keys = 0;  // 0: a key of its own; else one of this many, at random.
};

// One closed-loop client of a phase, on any Env (a simulated client process, or a ClientEnv
// over TCP). It installs a KvClient on env; `servers` are rotated by `index`, so clients start
// at different coordinators. REQUIRES: recorder outlives the client.
class LwtBenchClient {
public:
    LwtBenchClient(Env& env, node::KvClientOptions options, LwtClientConfig config,
                   LwtRecorder& recorder);

    // Starts issuing ops (once; later calls do nothing while running).
    void Start();
    // Issues no op after the one in flight.
    void Stop() { running_ = false; }
    bool busy() const { return kv_.busy(); }

private:
    static node::KvClientOptions Rotated(node::KvClientOptions options, uint32_t index);
    std::string PickKey();
    void Next();
    void OnOutcome(const std::string& key, const std::string& sent, bool was_cas,
                   const node::KvOutcome& o);

    Env& env_;
    LwtClientConfig config_;
    LwtRecorder& recorder_;
    Random rng_;
    node::KvClient kv_;
    bool running_ = false;
    uint64_t counter_ = 0;                      // Quorum phase: the next value written.
    std::map<std::string, std::string> known_;  // LWT: the value each key is believed to hold.
};

struct LwtBenchOptions {
    uint32_t nodes = 5;
    uint32_t rf = 3;
    uint32_t clients = 16;
    uint32_t shared_keys = 0;                   // 0: one key per client.
    Duration duration = Duration::Seconds(10);  // Measured simulated time per phase.
    Duration warmup = Duration::Seconds(1);
    std::string engine;                         // "" = the leaderless runs' default.
    uint64_t seed = 1;
    std::string trace_prefix;                   // If set, phase N's trace goes to PREFIX-N.jsonl.
    std::vector<LwtPhase> phases = {std::begin(kLwtPhases), std::end(kLwtPhases)};
};

// InvalidArgument unless the sizes are sane and the engine is known.
Status ValidateLwtBench(const LwtBenchOptions& options);

// Runs each phase on a fresh simulated cluster. `wall_seconds` is a monotonic real time in
// seconds (the caller's clock: this layer may not read one).
Result<std::vector<LwtPhaseResult>> RunLwtBench(const LwtBenchOptions& options,
                                                const std::function<double()>& wall_seconds);

// The table: a header line and one row per result. `simulated` adds the message columns.
std::string RenderLwtTable(const std::vector<LwtPhaseResult>& results, bool simulated);

}  // namespace orrery::jepsen::runner
