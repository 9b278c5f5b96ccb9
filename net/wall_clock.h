// The calendar clock of the real world: microseconds since the Unix epoch (UTC), for SQL's now()
// (sql::SessionOptions::wall_clock_us). Kept apart from RealClock on purpose: the Clock
// interface is monotonic and need not be calendar time (RealClock is CLOCK_MONOTONIC), while a
// calendar clock may step backwards when the system time is set. Nothing but now() reads it:
// timeouts, elections and leases never do.
#pragma once

#include <chrono>
#include <cstdint>

namespace orrery::net {

inline int64_t SystemWallClockMicros() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace orrery::net
