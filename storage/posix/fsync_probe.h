// Fsync probe: how long does making a small write durable take on this machine's disk?
//
// The cluster benchmark quotes it next to its commit latency, because a Raft commit waits for a
// quorum of fsyncs and nothing in software beats the medium. The probe appends `write_bytes` to a
// scratch file and syncs it, `samples` times, timing each Append+Sync with the steady clock; then
// it removes the scratch file. It works on any Disk (a SimDisk measures only CPU cost), and it
// is the only code in storage/ that reads a real clock, which is why it lives in storage/posix.
#pragma once

#include <cstddef>

#include "core/disk.h"
#include "core/types.h"

namespace orrery::storage {

// The distribution of one probe run. All fields are per Append+Sync pair.
struct FsyncLatency {
    int samples = 0;
    Duration min;
    Duration median;
    Duration p99;
    Duration max;
    Duration mean;
};

// The scratch file's name; an existing file of this name is overwritten and then removed.
inline constexpr const char* kFsyncProbeFile = "fsync-probe.tmp";
// Named limits on a probe run.
inline constexpr int kFsyncProbeMaxSamples = 100'000;
inline constexpr size_t kFsyncProbeMaxWriteBytes = 1 << 20;

// Measures Append(write_bytes)+Sync latency `samples` times on `disk`.
// REQUIRES (else kInvalidArgument): 1 <= samples <= kFsyncProbeMaxSamples and
// 1 <= write_bytes <= kFsyncProbeMaxWriteBytes. Disk errors are returned as they come.
Result<FsyncLatency> MeasureFsyncLatency(Disk& disk, int samples, size_t write_bytes = 4096);

}  // namespace orrery::storage
