// SimFaultPoints: BUGGIFY for simulated nodes (after FoundationDB).
//
// Each named point is either enabled or disabled for a whole run: the choice is a coin derived
// from the run seed and the point's name, so every node agrees and a replay agrees. An enabled
// point fires with the plan's buggify probability times the call's weight (at most 1), drawn
// from the node's own generator. With buggify off (probability 0, the default, and always in the
// liveness phase) no point ever fires and nothing is drawn. Every firing is traced as a "fault" event (what=buggify, point=name).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/fault_points.h"
#include "core/random.h"
#include "core/trace.h"

namespace orrery::sim {

// The share of points enabled in a run that has buggify on.
inline constexpr double kBuggifyEnabledShare = 0.5;

class SimFaultPoints final : public FaultPoints {
public:
    SimFaultPoints(uint64_t run_seed, Random rng, Tracer& tracer, NodeId node)
        : run_seed_(run_seed), rng_(rng), tracer_(tracer), node_(node) {}

    bool Fire(std::string_view point, double weight = 1.0) override;

    // Sets the probability with which enabled points fire; 0 turns buggify off.
    void SetProbability(double p) { probability_ = p; }
    double probability() const { return probability_; }

    // Returns true iff `point` is enabled in this run (independent of the probability).
    bool Enabled(std::string_view point);

    // How many times a point fired on this node.
    uint64_t fired() const { return fired_; }

private:
    uint64_t run_seed_;
    Random rng_;
    Tracer& tracer_;
    NodeId node_;
    double probability_ = 0;
    uint64_t fired_ = 0;
    std::map<std::string, bool, std::less<>> enabled_;
};

}  // namespace orrery::sim
