// SimClock: skewed, drifting, monotonic per-node time. See sim_clock.h.
#include "sim/sim_clock.h"

#include <algorithm>

#include "core/assert.h"
#include "sim/simulator.h"

namespace orrery::sim {

namespace {
constexpr int64_t kPpm = 1'000'000;
}  // namespace

SimClock::SimClock(Simulator& sim, NodeId node) : sim_(sim), node_(node) {
    anchor_true_us_ = sim_.Now().us();
    anchor_local_us_ = anchor_true_us_;
}

int64_t SimClock::RawLocal(int64_t true_us) const {
    int64_t elapsed = true_us - anchor_true_us_;
    return anchor_local_us_ + elapsed + elapsed * drift_ppm_ / kPpm;
}

Timestamp SimClock::Now() const {
    last_us_ = std::max(last_us_, RawLocal(sim_.Now().us()));
    return Timestamp(last_us_);
}

TimerId SimClock::SetTimer(Duration after, std::function<void()> fn) {
    int64_t now_true = sim_.Now().us();
    int64_t target_local = Now().us() + std::max<int64_t>(after.us(), 0);
    // True microseconds until the raw local clock reaches target_local, rounded up.
    int64_t local_gap = target_local - RawLocal(now_true);
    int64_t rate = kPpm + drift_ppm_;
    int64_t true_gap = (local_gap * kPpm + rate - 1) / rate;
    return sim_.ScheduleTimer(node_, Duration(std::max<int64_t>(true_gap, 0)), std::move(fn));
}

void SimClock::CancelTimer(TimerId id) {
    sim_.CancelTimer(id);
}

void SimClock::Reanchor(int64_t local_us) {
    anchor_true_us_ = sim_.Now().us();
    anchor_local_us_ = local_us;
}

void SimClock::SetSkew(Duration offset) {
    Reanchor(sim_.Now().us() + offset.us());
}

void SimClock::SetDriftPpm(int64_t ppm) {
    ORRERY_ASSERT(ppm >= -100000 && ppm <= 100000, "drift {} ppm out of range", ppm);
    Reanchor(RawLocal(sim_.Now().us()));
    drift_ppm_ = ppm;
}

Duration SimClock::skew() const {
    int64_t now_true = sim_.Now().us();
    return Duration(RawLocal(now_true) - now_true);
}

}  // namespace orrery::sim
