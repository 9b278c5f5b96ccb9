// The determinism check: build the same run twice and step both in lockstep, comparing the
// trace hash after every event. A mismatch is reported with the first diverging trace events.
//
// Why lockstep in one process: the two runs see different heap addresses and allocation
// orders, so any dependence on pointer values or hash-map iteration order shows up as a
// divergence, and the first differing event is known exactly without storing whole traces.
// (The cross-process check, which also catches differences between process starts, is the
// ctest that runs orrery_sim_hash twice; see sim/CMakeLists.txt.)
//
// Requirement on the run: everything that happens must happen inside the simulator (processes,
// invariants, ScheduleAt callbacks), because the check drives both runs with Step() only.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "sim/simulator.h"

namespace orrery::sim {

// Owns one run: the simulator plus whatever the upper layer built around it (workload state,
// checkers). Subclass it, or use SimOnlyRun for runs that need nothing else.
class RunHandle {
public:
    virtual ~RunHandle() = default;
    virtual Simulator& sim() = 0;
};

class SimOnlyRun final : public RunHandle {
public:
    explicit SimOnlyRun(SimOptions options) : sim_(std::move(options)) {}
    Simulator& sim() override { return sim_; }

private:
    Simulator sim_;
};

// Builds a fresh, fully configured run (same seed and options every call).
using RunBuilder = std::function<std::unique_ptr<RunHandle>()>;

struct DeterminismResult {
    bool same = true;         // True iff both runs produced identical traces.
    uint64_t hash = 0;        // The first run's final trace hash.
    uint64_t other_hash = 0;  // The second run's.
    uint64_t events = 0;      // Trace events compared.
    std::string divergence;   // When !same: the first diverging events of both runs.
    Status run_status;        // The first run's outcome (a failed invariant is not a mismatch).
};

// Runs two runs from `build` up to virtual time `end` in lockstep and compares them.
DeterminismResult CheckDeterminism(const RunBuilder& build, Timestamp end);

}  // namespace orrery::sim
