// RealClock: the Clock contract over the steady clock, with timers on a Boost.Asio io_context.
//
// A real node runs one event-loop thread (one io_context). Every timer callback, every message
// delivery and every client request runs on that thread, one at a time, so the protocol code is
// exactly as single-threaded as it is under the simulator and needs no locks.
//
//  - Now() is CLOCK_MONOTONIC (std::chrono::steady_clock on Linux) in microseconds. It is the
//    same clock for every process on a machine, so the traces of a localhost cluster's five nodes
//    merge into one timeline by sorting on "t".
//  - Timers live in an ordered queue keyed by (deadline, id); one asio::steady_timer is armed for
//    the earliest deadline. So timers that fall due at the same instant run in the order they
//    were set (the contract), which asio's own timer heap does not promise.
//  - A callback never runs inline in SetTimer. A timer set by a callback with a zero delay runs
//    on a later turn of the loop, never in the batch that is firing, so a self-rearming timer
//    cannot starve the loop.
//  - CancelTimer(id) removes the entry: its callback will not run.
//
// REQUIRES: every method is called on the io_context's thread (or before it runs).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <map>
#include <memory>
#include <utility>

#include "core/clock.h"

namespace orrery::net {

// The most callbacks one wake-up runs before yielding the loop to I/O.
inline constexpr size_t kMaxTimersPerWake = 4096;

class RealClock final : public Clock {
public:
    explicit RealClock(boost::asio::io_context& io);
    ~RealClock() override;
    RealClock(const RealClock&) = delete;
    RealClock& operator=(const RealClock&) = delete;

    Timestamp Now() const override;
    TimerId SetTimer(Duration after, std::function<void()> fn) override;
    void CancelTimer(TimerId id) override;

    // The number of timers set and not yet fired or cancelled.
    size_t pending() const { return queue_.size(); }

private:
    using Key = std::pair<int64_t, TimerId>;  // (deadline in µs, id)

    // Arms the asio timer for the earliest deadline, if it is not armed for it already.
    void Arm();
    // Runs every due timer that existed when the wake-up began, then re-arms.
    void FireDue();

    boost::asio::steady_timer timer_;
    std::map<Key, std::function<void()>> queue_;
    std::map<TimerId, int64_t> deadline_of_;  // For CancelTimer.
    TimerId next_id_ = 1;
    int64_t armed_for_us_ = -1;            // Deadline the asio timer waits for; -1 = idle.
    std::shared_ptr<char> alive_;          // Completion handlers hold a weak_ptr to it.
};

}  // namespace orrery::net
