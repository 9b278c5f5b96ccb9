// Verdict names, exit codes and source-line descriptions. See verdict.h.
#include "jepsen/checker/verdict.h"

#include <fmt/format.h>

namespace orrery::jepsen::checker {

std::string_view VerdictName(Verdict v) {
    switch (v) {
        case Verdict::kValid:
            return "valid";
        case Verdict::kInvalid:
            return "invalid";
        case Verdict::kUnknown:
            return "unknown";
    }
    return "?";
}

int VerdictExitCode(Verdict v) {
    switch (v) {
        case Verdict::kValid:
            return 0;
        case Verdict::kInvalid:
            return 1;
        case Verdict::kUnknown:
            return 3;
    }
    return 2;
}

Verdict CombineVerdicts(Verdict a, Verdict b) {
    if (a == Verdict::kInvalid || b == Verdict::kInvalid) return Verdict::kInvalid;
    if (a == Verdict::kUnknown || b == Verdict::kUnknown) return Verdict::kUnknown;
    return Verdict::kValid;
}

std::string SourceLines::Describe(int64_t index) const {
    if (index >= 0 && static_cast<size_t>(index) < line_of_op.size()) {
        return fmt::format("line {}", line_of_op[static_cast<size_t>(index)]);
    }
    return fmt::format("line {}", index + 1);
}

}  // namespace orrery::jepsen::checker
