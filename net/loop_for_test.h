// Test helpers: drive an io_context on the test's own thread until a condition holds.
// Tests only. Everything in a test runs on one thread, so no test needs a lock.
#pragma once

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>

namespace orrery::net {

// Runs handlers until pred() is true (returns true) or `timeout` passes (returns false).
inline bool RunUntil(boost::asio::io_context& io, const std::function<bool()>& pred,
                     std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!pred()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        io.restart();  // run_one_for stops the context when it runs out of work.
        io.run_one_for(std::chrono::milliseconds(5));
    }
    return true;
}

// Runs handlers for `span`, whatever happens (to let things that must NOT happen show up).
inline void RunFor(boost::asio::io_context& io, std::chrono::milliseconds span) {
    auto deadline = std::chrono::steady_clock::now() + span;
    while (std::chrono::steady_clock::now() < deadline) {
        io.restart();
        io.run_one_for(std::chrono::milliseconds(5));
    }
}

}  // namespace orrery::net
