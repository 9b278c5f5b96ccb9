// The storage benchmark's workloads (`orrery bench storage`), run against any Engine.
//
// The workloads follow LevelDB's db_bench so the figures can be compared side by side:
//   fillseq     N writes, keys in increasing order
//   fillrandom  N writes, keys drawn uniformly from [0, N) (repeats allowed, as in db_bench)
//   overwrite   untimed: fillseq; timed: N writes of uniformly drawn keys
//   readrandom  untimed: every key of [0, N) written once, in a shuffled order; timed: N Gets
//   readseq     untimed: as readrandom; timed: one scan over all N keys
//   seekrandom  untimed: as readrandom; timed: N scans from a random key, each reading one entry
// Keys are 16 bytes (the index in decimal, zero-padded); values are value_size pseudo-random
// printable bytes. With sync_every = K > 0 the engine is synced after every K timed writes.
// Everything is seeded, so two engines see exactly the same operations.
//
// This file never reads a clock: the caller passes one (the benchmark command uses the steady
// clock; tests could pass a fake), which keeps storage/ free of real-world time.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "storage/engine.h"

namespace orrery::storage {

struct StorageBenchOptions {
    std::string workload = "fillrandom";
    uint64_t num = 1'000'000;
    size_t value_size = 100;
    uint64_t sync_every = 0;  // 0: never sync during the timed phase.
    uint64_t seed = 301;
};

struct StorageBenchResult {
    std::string workload;
    uint64_t ops = 0;
    int64_t elapsed_us = 0;
    uint64_t found = 0;               // Reads that found their key.
    uint64_t user_bytes = 0;          // Key+value bytes written in the timed phase.
    uint64_t disk_bytes_written = 0;  // As the engine reports it, timed phase only.
};

// The workload names, space-separated (for help text).
inline constexpr std::string_view kStorageBenchWorkloads =
    "fillseq fillrandom overwrite readrandom readseq seekrandom";

// kInvalidArgument unless name is one of the workloads and the sizes are sane.
Status ValidateStorageBench(const StorageBenchOptions& opts);

// Returns the 16-byte key for index i.
std::string StorageBenchKey(uint64_t i);

// Runs the workload: the untimed preparation, then the timed phase measured with now_us (a
// monotonic clock in microseconds). Engine errors are returned as they come.
Result<StorageBenchResult> RunStorageBench(Engine& engine, const StorageBenchOptions& opts,
                                           const std::function<int64_t()>& now_us);

}  // namespace orrery::storage
