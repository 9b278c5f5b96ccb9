// Clock: time and timers, the only way protocol code learns what time it is or waits.
//
// Contract:
//  - Now() is monotonic per node: it never goes backwards. It need not agree with other nodes'
//    clocks: the simulator skews and drifts each node's clock, because leases and last-write-wins
//    timestamps must be tested against bad clocks.
//  - SetTimer(after, fn) runs fn once, on the node's own event loop, no earlier than `after`
//    measured on this clock. It never runs fn inline. Nothing ever sleeps.
//  - CancelTimer(id) guarantees fn will not run; cancelling a fired or unknown id is a no-op.
//  - Timers that fire at the same instant run in the order they were set.
//  - When a node crashes its timers vanish with it.
#pragma once

#include <cstdint>
#include <functional>

#include "core/types.h"

namespace orrery {

using TimerId = uint64_t;

class Clock {
public:
    virtual ~Clock() = default;

    // Returns this node's monotonic time.
    virtual Timestamp Now() const = 0;

    // Schedules fn to run once after `after` (clamped to >= 0). Returns an id for CancelTimer.
    virtual TimerId SetTimer(Duration after, std::function<void()> fn) = 0;

    // Cancels a pending timer; a no-op if it already fired or never existed.
    virtual void CancelTimer(TimerId id) = 0;
};

}  // namespace orrery
