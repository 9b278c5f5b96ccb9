// Lockstep determinism check. See determinism.h.
#include "sim/determinism.h"

#include <fmt/format.h>

#include <vector>

namespace orrery::sim {
namespace {

// Renders the captured lines of one step for the report.
std::string Lines(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& line : lines) out += "    " + line + "\n";
    if (out.empty()) out = "    (no trace event)\n";
    return out;
}

// Steps `sim` once if its next event is due by `end`; returns whether it did.
bool StepUntil(Simulator& sim, Timestamp end) {
    if (!sim.failure().ok() || sim.NextEventTime() > end) return false;
    return sim.Step();
}

}  // namespace

DeterminismResult CheckDeterminism(const RunBuilder& build, Timestamp end) {
    std::vector<std::string> lines_a, lines_b;
    // Capture from the very first event (the constructor records the run's note).
    auto a = build();
    auto b = build();
    Simulator& sa = a->sim();
    Simulator& sb = b->sim();
    DeterminismResult result;
    auto compare = [&](std::string_view where) {
        if (sa.trace_hash() == sb.trace_hash() && sa.trace_events() == sb.trace_events()) {
            return true;
        }
        result.same = false;
        result.divergence = fmt::format(
            "runs diverge {} (trace event {} vs {}, virtual time {}us vs {}us)\n  first run:\n{}"
            "  second run:\n{}",
            where, sa.trace_events(), sb.trace_events(), sa.Now().us(), sb.Now().us(),
            Lines(lines_a), Lines(lines_b));
        return false;
    };
    // Construction itself records events; those are not captured, only compared.
    if (compare("while building the run")) {
        sa.tracer().SetCapture(&lines_a);
        sb.tracer().SetCapture(&lines_b);
        for (;;) {
            lines_a.clear();
            lines_b.clear();
            bool stepped_a = StepUntil(sa, end);
            bool stepped_b = StepUntil(sb, end);
            if (!compare(fmt::format("at queue event {}", sa.events_processed()))) break;
            if (stepped_a != stepped_b) {
                result.same = false;
                result.divergence = fmt::format("one run ended before the other (events {} vs {})",
                                                sa.events_processed(), sb.events_processed());
                break;
            }
            if (!stepped_a) break;
        }
        sa.tracer().SetCapture(nullptr);
        sb.tracer().SetCapture(nullptr);
    }
    result.hash = sa.trace_hash();
    result.other_hash = sb.trace_hash();
    result.events = sa.trace_events();
    result.run_status = sa.failure();
    return result;
}

}  // namespace orrery::sim
