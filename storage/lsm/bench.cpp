// The storage benchmark's workloads. See bench.h.
#include "storage/lsm/bench.h"

#include <fmt/format.h>

#include <numeric>
#include <vector>

#include "core/random.h"

namespace orrery::storage {
namespace {

// Value bytes are cut from one pre-generated buffer at varying offsets.
constexpr size_t kValuePoolBytes = 1 << 20;
// The untimed preparation writes in batches of this many keys.
constexpr size_t kPrepBatch = 1000;

class ValueSource {
public:
    ValueSource(Random& rng, size_t value_size) : value_size_(value_size) {
        pool_.resize(kValuePoolBytes + value_size);
        for (char& c : pool_) c = static_cast<char>(' ' + rng.Uniform(95));
    }
    std::string_view Next() {
        pos_ = (pos_ + 997) % kValuePoolBytes;
        return std::string_view(pool_.data() + pos_, value_size_);
    }

private:
    size_t value_size_;
    std::string pool_;
    size_t pos_ = 0;
};

// Writes every key of [0, num) once, in a shuffled order, in batches, then syncs.
Status FillAllShuffled(Engine& engine, uint64_t num, Random& rng, ValueSource& values) {
    std::vector<uint64_t> order(num);
    std::iota(order.begin(), order.end(), 0);
    for (uint64_t i = num; i > 1; --i) std::swap(order[i - 1], order[rng.Uniform(i)]);
    WriteBatch batch;
    for (uint64_t i = 0; i < num; ++i) {
        batch.Set(StorageBenchKey(order[i]), values.Next());
        if (batch.size() == kPrepBatch || i + 1 == num) {
            ORRERY_RETURN_IF_ERROR(engine.Write(batch));
            batch.Clear();
        }
    }
    return engine.Sync();
}

Status TimedWrites(Engine& engine, const StorageBenchOptions& opts, bool sequential, Random& rng,
                   ValueSource& values) {
    for (uint64_t i = 0; i < opts.num; ++i) {
        uint64_t k = sequential ? i : rng.Uniform(opts.num);
        ORRERY_RETURN_IF_ERROR(engine.Set(StorageBenchKey(k), values.Next()));
        if (opts.sync_every > 0 && (i + 1) % opts.sync_every == 0) {
            ORRERY_RETURN_IF_ERROR(engine.Sync());
        }
    }
    return Status::Ok();
}

Result<uint64_t> TimedReads(Engine& engine, const StorageBenchOptions& opts, Random& rng) {
    uint64_t found = 0;
    if (opts.workload == "readrandom") {
        for (uint64_t i = 0; i < opts.num; ++i) {
            Result<std::string> r = engine.Get(StorageBenchKey(rng.Uniform(opts.num)));
            if (r.ok()) {
                ++found;
            } else if (!r.status().Is(Code::kNotFound)) {
                return r.status();
            }
        }
    } else if (opts.workload == "readseq") {
        auto it = engine.Scan(ScanOptions{});
        for (; it->Valid(); it->Next()) ++found;
        ORRERY_RETURN_IF_ERROR(it->status());
    } else {  // seekrandom
        for (uint64_t i = 0; i < opts.num; ++i) {
            ScanOptions so;
            so.lower = Bound::Inclusive(StorageBenchKey(rng.Uniform(opts.num)));
            auto it = engine.Scan(so);
            if (it->Valid()) ++found;
            ORRERY_RETURN_IF_ERROR(it->status());
        }
    }
    return found;
}

}  // namespace

Status ValidateStorageBench(const StorageBenchOptions& opts) {
    bool known = false;
    for (std::string_view w : {"fillseq", "fillrandom", "overwrite", "readrandom", "readseq",
                               "seekrandom"}) {
        known = known || opts.workload == w;
    }
    if (!known) {
        return Status::InvalidArgument(fmt::format("unknown workload '{}' (one of: {})",
                                                   opts.workload, kStorageBenchWorkloads));
    }
    if (opts.num == 0 || opts.num > 100'000'000) {
        return Status::InvalidArgument("--num must be in [1, 100000000]");
    }
    if (opts.value_size > kMaxValueBytes) {
        return Status::InvalidArgument(fmt::format("--value-size must be at most {}", kMaxValueBytes));
    }
    return Status::Ok();
}

std::string StorageBenchKey(uint64_t i) { return fmt::format("{:016d}", i); }

Result<StorageBenchResult> RunStorageBench(Engine& engine, const StorageBenchOptions& opts,
                                           const std::function<int64_t()>& now_us) {
    ORRERY_RETURN_IF_ERROR(ValidateStorageBench(opts));
    Random rng(opts.seed);
    ValueSource values(rng, opts.value_size);
    bool is_write = opts.workload == "fillseq" || opts.workload == "fillrandom" ||
                    opts.workload == "overwrite";
    if (opts.workload == "overwrite") {
        ORRERY_RETURN_IF_ERROR(TimedWrites(engine, {"fillseq", opts.num, opts.value_size, 0, 0},
                                           true, rng, values));
        ORRERY_RETURN_IF_ERROR(engine.Sync());
    } else if (!is_write) {
        ORRERY_RETURN_IF_ERROR(FillAllShuffled(engine, opts.num, rng, values));
    }
    EngineStatus before = engine.GetStatus();
    StorageBenchResult out;
    out.workload = opts.workload;
    out.ops = opts.num;
    int64_t start = now_us();
    if (is_write) {
        ORRERY_RETURN_IF_ERROR(TimedWrites(engine, opts, opts.workload == "fillseq", rng, values));
    } else {
        ORRERY_ASSIGN_OR_RETURN(out.found, TimedReads(engine, opts, rng));
    }
    out.elapsed_us = now_us() - start;
    EngineStatus after = engine.GetStatus();
    out.user_bytes = after.user_bytes_written - before.user_bytes_written;
    out.disk_bytes_written = after.disk_bytes_written - before.disk_bytes_written;
    return out;
}

}  // namespace orrery::storage
