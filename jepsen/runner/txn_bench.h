// The MVCC benchmark on a simulated cluster (`orrery bench mvcc --cluster`): transactions per
// second and abort rates of the read-only, write-only and bank mixes when every transaction
// runs through TxnClient against a Raft-replicated KvServer cluster in the simulator, without
// faults.
//
// Each of `clients` client processes runs transactions back to back (no think time):
//   read-only   begin; ops_per_txn gets of random keys; commit (no log entry: ReadIndex only)
//   write-only  begin; ops_per_txn buffered sets of random keys; commit (one entry)
//   bank        begin; get from; get to; if short, roll back (gave-up); else two sets and
//               commit (one entry). Accounts never written hold kBankBenchInitial.
// Figures are per SIMULATED second: the cluster's throughput under the simulator's network
// latency, which is the quantity the replication design changes (entries and round trips per
// transaction). The caller may time the wall clock around the call as well.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/types.h"

namespace orrery::jepsen::runner {

inline constexpr std::string_view kClusterTxnMixes = "read-only write-only bank";

struct ClusterTxnBenchOptions {
    std::string mix = "all";  // One of kClusterTxnMixes, or "all".
    uint32_t nodes = 5;
    uint32_t clients = 16;
    Duration duration = Duration::Seconds(10);  // Measured simulated time per mix.
    int keys = 1000;
    int ops_per_txn = 4;
    std::string engine = "memory";  // "memory" or "lsm".
    uint64_t seed = 42;
};

struct ClusterTxnBenchResult {
    std::string mix;
    uint64_t committed = 0;
    uint64_t aborted = 0;       // Serialization failures.
    uint64_t gave_up = 0;       // Bank transfers rolled back for lack of funds.
    uint64_t other_failed = 0;  // Timeouts and unknown outcomes (none expected without faults).
    uint64_t log_entries = 0;   // Raft entries appended during the measured window.
    Duration simulated;         // The measured window.
    uint64_t events = 0;        // Simulator events in the window.
};

// InvalidArgument unless the mix is known and the sizes are sane.
Status ValidateClusterTxnBench(const ClusterTxnBenchOptions& options);

// Runs the selected mixes, each on a fresh simulated cluster.
Result<std::vector<ClusterTxnBenchResult>> RunClusterTxnBench(
    const ClusterTxnBenchOptions& options);

}  // namespace orrery::jepsen::runner
