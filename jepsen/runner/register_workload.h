// The register workload: simulated client processes doing read / write / cas on a handful of
// keys through KvClient, recording every operation in a Jepsen history.
//
// Jepsen's operation model (jepsen/history.h): each process invokes one operation at a time and
// records its completion as ok, fail or info. After an info the process is retired and its
// client continues under a fresh process id (old id + number of clients), because the info op
// may still take effect at any later time. Values are small integers, as in Jepsen's register
// tests: writes of 0..4 and cas [old, new] with old, new in 0..4; a read of a never-written key
// returns null.
//
// Pinned readers (RegisterWorkloadOptions::pinned_readers): the first few clients do only
// reads, and send every read to one fixed server instead of following leader hints. A server
// answers a read only while it believes it leads, so a pinned reader accepts the answer of a
// node that claims leadership, as a client of a partitioned old leader would. A correct
// server confirms leadership with ReadIndex first (Raft thesis §6.4), so these reads are
// linearizable; the raft.stale-read bug answers locally, and the pinned reader is the client
// that sees a deposed leader's stale value. The other clients read, write and cas through
// the leader as usual. Pinned reader i asks server i mod servers. The "kv-pinned" workload
// (workload.h) turns three of them on; plain "kv" has none, because fewer writers change which
// rare fault effects the smoke campaign exercises (torn sectors lost at a crash).
//
// Every invoke and completion is also a trace event ("invoke", "ok", "fail", "info") on the
// client's endpoint, so traces show client operations beside the messages that serve them.
//
// Invariant: the history's times are true virtual time, never a (skewed) node clock.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "jepsen/history.h"
#include "node/kv_client.h"
#include "sim/simulator.h"

namespace orrery::jepsen::runner {

struct RegisterWorkloadOptions {
    uint32_t keys = 3;                         // Keys k0..k{keys-1}.
    uint32_t clients = 5;                      // Client processes.
    Duration think_max = Duration::Millis(20);  // Pause before each op, uniform in [0, max].
    uint32_t pinned_readers = 0;                // Read-only clients pinned to one server.
    // Client i starts at server i mod servers (and moves on from there) instead of all at the
    // first: the leaderless mode's clients spread over coordinators, as drivers do.
    bool spread_coordinators = false;
    node::KvClientOptions client;               // servers filled in by the run.
};

// Counters of completed operations.
struct WorkloadCounts {
    uint64_t invoked = 0;
    uint64_t ok = 0;
    uint64_t fail = 0;
    uint64_t info = 0;
};

// State shared by every client process of one run: the history and the stop switch.
class RegisterWorkload {
public:
    RegisterWorkload(sim::Simulator& sim, RegisterWorkloadOptions options)
        : sim_(sim), options_(std::move(options)) {}

    // The factory for client endpoint number `index` (0-based) of the run.
    sim::ProcessFactory ClientFactory(uint32_t index);

    // Stops invoking new operations (operations in flight still complete).
    void Stop() { stopped_ = true; }
    bool stopped() const { return stopped_; }
    // Number of clients with an operation in flight.
    uint32_t busy_clients() const { return busy_; }

    const History& history() const { return history_; }
    const WorkloadCounts& counts() const { return counts_; }
    const RegisterWorkloadOptions& options() const { return options_; }

private:
    friend class RegisterClientProcess;

    sim::Simulator& sim_;
    RegisterWorkloadOptions options_;
    History history_;
    WorkloadCounts counts_;
    bool stopped_ = false;
    uint32_t busy_ = 0;
};

}  // namespace orrery::jepsen::runner
