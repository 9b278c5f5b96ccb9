// FaultPoints: BUGGIFY-style fault injection inside protocol code (after FoundationDB).
//
// A fault point is a named place where code may take a rare but legal path: drop an append
// batch, shrink a buffer, delay a flush. Under the simulator a point fires with a seeded
// probability, so campaigns explore paths that real clusters take once a year. In the real world
// it never fires. Code must stay correct whichever way each point goes.
#pragma once

#include <string_view>

namespace orrery {

class FaultPoints {
public:
    virtual ~FaultPoints() = default;

    // Returns true if the fault at `point` should fire now. `weight` scales the run's firing
    // probability (capped at 1), like FoundationDB's BUGGIFY_WITH_PROB: a point that is reached
    // only in a rare state, such as a new leader's first appends, can fire often when reached
    // without perturbing the rest of the run.
    virtual bool Fire(std::string_view point, double weight = 1.0) = 0;
};

// The real world's fault points: they never fire.
class NoFaultPoints final : public FaultPoints {
public:
    bool Fire(std::string_view, double = 1.0) override { return false; }
};

}  // namespace orrery
