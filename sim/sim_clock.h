// SimClock: one node's view of virtual time, with skew and drift, and timers on the event queue.
//
// The node's clock reads local = anchor_local + elapsed * (1 + drift_ppm / 1e6), where elapsed is
// the true virtual time since the last re-anchoring. SetSkew(offset) re-anchors so the clock now
// reads true time + offset; SetDriftPpm(ppm) re-anchors keeping the current reading. Now() is
// clamped to never go backwards, so a negative skew makes the clock stall until true time
// catches up, as a slewing monotonic clock would.
//
// A timer of `after` local microseconds fires at the first true time at which the local clock
// has advanced by at least `after` (computed with the drift in force when it was set). Timers
// belong to the node's current incarnation: a crash makes them vanish.
#pragma once

#include <cstdint>
#include <functional>

#include "core/clock.h"

namespace orrery::sim {

class Simulator;

class SimClock final : public Clock {
public:
    SimClock(Simulator& sim, NodeId node);

    Timestamp Now() const override;
    TimerId SetTimer(Duration after, std::function<void()> fn) override;
    void CancelTimer(TimerId id) override;

    // Sets the clock's offset from true virtual time (from now on; monotonic clamp applies).
    void SetSkew(Duration offset);
    // Sets the drift rate in parts per million (from now on). REQUIRES: |ppm| <= 100000.
    void SetDriftPpm(int64_t ppm);

    // The current offset of the (unclamped) clock from true time.
    Duration skew() const;
    int64_t drift_ppm() const { return drift_ppm_; }

private:
    // The local reading at true time t, before the monotonic clamp.
    int64_t RawLocal(int64_t true_us) const;
    void Reanchor(int64_t local_us);

    Simulator& sim_;
    NodeId node_;
    int64_t anchor_true_us_ = 0;
    int64_t anchor_local_us_ = 0;
    int64_t drift_ppm_ = 0;
    mutable int64_t last_us_ = INT64_MIN;  // The largest reading returned so far.
};

}  // namespace orrery::sim
