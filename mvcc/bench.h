// The MVCC benchmark's workloads (`orrery bench mvcc`), on one node, over any Engine.
//
// `concurrency` transactions are open at once; a seeded scheduler advances a random one by one
// step (begin, one read or write, or the commit), so transactions genuinely overlap and conflict
// the way they would on a leader serving many clients. A transaction that aborts is counted and
// not retried; its slot starts a new one. Mixes:
//   read-only     serializable read-only transactions of ops_per_txn point reads; each commits
//                 through a read-only validation entry (ApplyCommit)
//   read-only-si  the same under snapshot isolation: no commit entry at all
//   write-only    serializable blind writes of ops_per_txn random keys (write-write conflicts)
//   bank          serializable transfers: read source, give up if short, read destination,
//                 write both (write-write and SSI conflicts)
// Every commit goes through encode -> decode -> ApplyCommit. Garbage is collected every
// gc_every finished transactions at the oldest active snapshot.
//
// This file never reads a clock: the caller passes one (now_us), keeping mvcc/ deterministic.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "storage/engine.h"

namespace orrery::mvcc {

struct MvccBenchOptions {
    std::string mix = "all";  // One of kMvccBenchMixes, or "all".
    uint64_t txns = 20000;    // Transactions started per mix.
    int concurrency = 8;      // Transactions open at once.
    int keys = 10000;         // Key space (accounts for bank).
    int ops_per_txn = 4;      // Reads or writes per read-only / write-only transaction.
    uint64_t gc_every = 1000;
    uint64_t seed = 42;
};

struct MvccBenchResult {
    std::string mix;
    uint64_t committed = 0;
    uint64_t aborted = 0;      // Serialization failures (write-write or SSI).
    uint64_t gave_up = 0;      // Bank transfers that rolled back for lack of funds.
    uint64_t log_entries = 0;  // Commits that needed a replicated entry.
    uint64_t log_bytes = 0;    // Their encoded size.
    int64_t elapsed_us = 0;
};

inline constexpr std::string_view kMvccBenchMixes = "read-only read-only-si write-only bank";

// kInvalidArgument unless the mix is known and the sizes are sane.
Status ValidateMvccBench(const MvccBenchOptions& opts);

// Runs the selected mixes, each on a fresh engine from make_engine, timed with now_us
// (a monotonic clock in microseconds). The preload is not timed.
Result<std::vector<MvccBenchResult>> RunMvccBench(
    const std::function<Result<std::unique_ptr<storage::Engine>>()>& make_engine,
    const MvccBenchOptions& opts, const std::function<int64_t()>& now_us);

}  // namespace orrery::mvcc
