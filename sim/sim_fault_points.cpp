// SimFaultPoints: per-run enabled points that fire with a seeded probability. See the header.
#include "sim/sim_fault_points.h"

#include <algorithm>

#include "core/checksum.h"

namespace orrery::sim {

bool SimFaultPoints::Enabled(std::string_view point) {
    auto it = enabled_.find(point);
    if (it == enabled_.end()) {
        bool on = Random(Hash64(point, run_seed_)).Chance(kBuggifyEnabledShare);
        it = enabled_.emplace(std::string(point), on).first;
    }
    return it->second;
}

bool SimFaultPoints::Fire(std::string_view point, double weight) {
    if (probability_ <= 0) return false;
    if (!Enabled(point) || !rng_.Chance(std::min(1.0, probability_ * weight))) return false;
    ++fired_;
    tracer_.Record(node_, "fault", {{"what", "buggify"}, {"point", point}});
    return true;
}

}  // namespace orrery::sim
