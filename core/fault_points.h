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

    // Returns true if the fault at `point` should fire now.
    virtual bool Fire(std::string_view point) = 0;
};

// The real world's fault points: they never fire.
class NoFaultPoints final : public FaultPoints {
public:
    bool Fire(std::string_view) override { return false; }
};

}  // namespace orrery
