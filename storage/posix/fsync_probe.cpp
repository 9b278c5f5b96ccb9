// Fsync probe: times Append+Sync pairs on a Disk. See fsync_probe.h.
#include "storage/posix/fsync_probe.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

namespace orrery::storage {

namespace {

// Returns the q-quantile (0 <= q <= 1) of sorted, non-empty samples (nearest rank).
Duration Quantile(const std::vector<Duration>& sorted, double q) {
    ORRERY_ASSERT(!sorted.empty(), "quantile of no samples");
    size_t rank = static_cast<size_t>(q * static_cast<double>(sorted.size() - 1) + 0.5);
    return sorted[std::min(rank, sorted.size() - 1)];
}

FsyncLatency Summarize(std::vector<Duration> samples) {
    std::sort(samples.begin(), samples.end());
    int64_t total_us = 0;
    for (Duration d : samples) total_us += d.us();
    FsyncLatency out;
    out.samples = static_cast<int>(samples.size());
    out.min = samples.front();
    out.max = samples.back();
    out.median = Quantile(samples, 0.5);
    out.p99 = Quantile(samples, 0.99);
    out.mean = Duration(total_us / static_cast<int64_t>(samples.size()));
    return out;
}

Result<std::vector<Duration>> TimeSyncs(File& file, int samples, size_t write_bytes) {
    using SteadyClock = std::chrono::steady_clock;
    const std::string block(write_bytes, 'f');
    std::vector<Duration> taken;
    taken.reserve(static_cast<size_t>(samples));
    for (int i = 0; i < samples; ++i) {
        auto start = SteadyClock::now();
        ORRERY_RETURN_IF_ERROR(file.Append(block));
        ORRERY_RETURN_IF_ERROR(file.Sync());
        auto elapsed = SteadyClock::now() - start;
        taken.emplace_back(std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count());
    }
    return taken;
}

}  // namespace

Result<FsyncLatency> MeasureFsyncLatency(Disk& disk, int samples, size_t write_bytes) {
    if (samples < 1 || samples > kFsyncProbeMaxSamples) {
        return Status::InvalidArgument(
            fmt::format("fsync probe samples must be in [1, {}]", kFsyncProbeMaxSamples));
    }
    if (write_bytes < 1 || write_bytes > kFsyncProbeMaxWriteBytes) {
        return Status::InvalidArgument(
            fmt::format("fsync probe write size must be in [1, {}]", kFsyncProbeMaxWriteBytes));
    }
    Result<std::vector<Duration>> taken = Status::IOError("not run");
    {
        ORRERY_ASSIGN_OR_RETURN(auto file, disk.Open(kFsyncProbeFile, OpenMode::kCreateTruncate));
        taken = TimeSyncs(*file, samples, write_bytes);
    }
    Status removed = disk.Remove(kFsyncProbeFile);
    if (!taken.ok()) return std::move(taken).status();
    ORRERY_RETURN_IF_ERROR(removed);
    return Summarize(std::move(taken).value());
}

}  // namespace orrery::storage
