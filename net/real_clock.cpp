// RealClock: steady-clock time and an ordered timer queue on an io_context. See real_clock.h.
#include "net/real_clock.h"

#include <algorithm>
#include <chrono>

#include "core/assert.h"

namespace orrery::net {

namespace {

int64_t SteadyNowUs() {
    auto since = std::chrono::steady_clock::now().time_since_epoch();
    return std::chrono::duration_cast<std::chrono::microseconds>(since).count();
}

std::chrono::steady_clock::time_point TimePointOf(int64_t us) {
    return std::chrono::steady_clock::time_point(std::chrono::microseconds(us));
}

}  // namespace

RealClock::RealClock(boost::asio::io_context& io)
    : timer_(io), alive_(std::make_shared<char>(0)) {}

RealClock::~RealClock() {
    alive_.reset();  // Handlers already queued see the clock is gone and do nothing.
    timer_.cancel();
}

Timestamp RealClock::Now() const { return Timestamp(SteadyNowUs()); }

TimerId RealClock::SetTimer(Duration after, std::function<void()> fn) {
    ORRERY_ASSERT(fn != nullptr, "SetTimer needs a callback");
    int64_t deadline = SteadyNowUs() + std::max<int64_t>(after.us(), 0);
    TimerId id = next_id_++;
    queue_.emplace(Key{deadline, id}, std::move(fn));
    deadline_of_.emplace(id, deadline);
    Arm();
    return id;
}

void RealClock::CancelTimer(TimerId id) {
    auto it = deadline_of_.find(id);
    if (it == deadline_of_.end()) return;  // Fired, cancelled, or never set: a no-op.
    queue_.erase(Key{it->second, id});
    deadline_of_.erase(it);
    // The asio timer may stay armed for the cancelled deadline; FireDue then finds nothing due
    // and re-arms for the next one. Cheaper than re-arming on every cancel.
}

void RealClock::Arm() {
    if (queue_.empty()) return;
    int64_t earliest = queue_.begin()->first.first;
    if (armed_for_us_ >= 0 && armed_for_us_ <= earliest) return;
    armed_for_us_ = earliest;
    timer_.expires_at(TimePointOf(earliest));  // Cancels a wait for a later deadline.
    timer_.async_wait([this, alive = std::weak_ptr<char>(alive_)](boost::system::error_code ec) {
        if (alive.expired() || ec == boost::asio::error::operation_aborted) return;
        armed_for_us_ = -1;
        FireDue();
    });
}

void RealClock::FireDue() {
    const int64_t now = SteadyNowUs();
    const TimerId first_new = next_id_;  // Timers set from now on wait for a later wake-up.
    size_t fired = 0;
    for (auto it = queue_.begin(); it != queue_.end() && fired < kMaxTimersPerWake;) {
        if (it->first.first > now) break;
        if (it->first.second >= first_new) {
            ++it;
            continue;
        }
        std::function<void()> fn = std::move(it->second);
        deadline_of_.erase(it->first.second);
        queue_.erase(it);
        ++fired;
        fn();  // May set or cancel timers: restart from the front.
        it = queue_.begin();
    }
    // Timers left due (new ones, or beyond the batch limit) get a wake-up on a later turn.
    Arm();
}

}  // namespace orrery::net

