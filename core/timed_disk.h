// TimedDisk: a Disk that times every fsync of the Disk under it.
//
// Durability costs one fsync per Ready (group commit, docs/06-real-world.md), so its latency is
// the floor under every write's latency; a node's metrics report it (orrery_fsync_seconds). The
// decorator sees File::Sync and Disk::SyncDir and records how long each took on a Clock, the
// node's own: a real node's steady clock, or the simulator's, where a sync takes no time.
//
// The Clock is attached after construction because a real node's clock is made by the RealEnv
// that takes this disk (net/real_env.h); until then syncs go untimed. Everything else passes
// through unchanged.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/disk.h"
#include "core/metrics.h"

namespace orrery {

class TimedDisk final : public Disk {
public:
    // REQUIRES: base != nullptr. Files opened here must not outlive this TimedDisk.
    explicit TimedDisk(std::unique_ptr<Disk> base);

    // Syncs are timed on `clock` from now on. `clock` must outlive this disk.
    void AttachClock(const Clock& clock) { clock_ = &clock; }

    // File syncs and directory syncs, together, with how many of them failed.
    const metrics::LatencyHistogram& syncs() const { return syncs_; }
    uint64_t sync_errors() const { return sync_errors_; }

    Result<std::unique_ptr<File>> Open(std::string_view name, OpenMode mode) override;
    Status Rename(std::string_view from, std::string_view to) override;
    Status Remove(std::string_view name) override;
    Status SyncDir() override;
    Result<std::vector<std::string>> List() override;
    bool Exists(std::string_view name) override;

    // Runs one sync (a file's or the directory's) and records how long it took, once a clock
    // is attached.
    Status TimeSync(const std::function<Status()>& sync);

private:
    std::unique_ptr<Disk> base_;
    const Clock* clock_ = nullptr;
    metrics::LatencyHistogram syncs_;
    uint64_t sync_errors_ = 0;
};

}  // namespace orrery
