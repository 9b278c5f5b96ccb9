// InterruptGuard: SIGINT, SIGTERM and SIGHUP end a long-running command early instead of killing
// it, so that it can stop the processes it started. `orrery jepsen --real` and `orrery bench
// cluster` start nodes in their own sessions (net/local_process.h): a terminal's Ctrl-C reaches
// only the command, which must stop them, and a signal that killed it outright would leave them
// running.
//
// The handler only sets g_interrupted; the command polls it (a phase's loop, between steps) and
// tears down on its ordinary path. Invariants: one guard at a time; the old handlers come back
// when the guard goes.
#pragma once

#include <signal.h>

#include <array>
#include <atomic>

namespace orrery::tools {

// Set by SIGINT, SIGTERM or SIGHUP while a guard is alive.
inline std::atomic<bool> g_interrupted = false;
inline void OnInterrupt(int) { g_interrupted = true; }

// Catches SIGINT, SIGTERM and SIGHUP for its lifetime, then restores the old handlers.
class InterruptGuard {
public:
    InterruptGuard() {
        g_interrupted = false;
        struct sigaction action = {};
        action.sa_handler = OnInterrupt;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESTART;
        for (size_t i = 0; i < kSignals.size(); ++i) ::sigaction(kSignals[i], &action, &old_[i]);
    }
    ~InterruptGuard() {
        for (size_t i = 0; i < kSignals.size(); ++i) ::sigaction(kSignals[i], &old_[i], nullptr);
    }
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

private:
    static constexpr std::array<int, 3> kSignals = {SIGINT, SIGTERM, SIGHUP};
    std::array<struct sigaction, 3> old_ = {};
};

}  // namespace orrery::tools
