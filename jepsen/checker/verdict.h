// Verdicts and reports: what every checker in this folder returns.
//
// A checker judges a history and answers one of three verdicts:
//   valid   - the history satisfies the property (within what the checker can infer);
//   invalid - it certainly violates it, and the report says where;
//   unknown - the checker could not decide: its deterministic search budget ran out, or the
//             history lacks what the property needs (a set history with no final read).
// Invariant: the report text of an invalid verdict always names the evidence (the failing
// operations, the cycle, or the bad read), so a person can verify it by hand.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace orrery::jepsen::checker {

enum class Verdict : uint8_t { kValid, kInvalid, kUnknown };

// Returns "valid", "invalid" or "unknown".
std::string_view VerdictName(Verdict v);

// The exit status `orrery check` uses: 0 valid, 1 invalid, 3 unknown (2 is bad input).
int VerdictExitCode(Verdict v);

// Combines two verdicts of parts of one history: invalid beats unknown beats valid.
Verdict CombineVerdicts(Verdict a, Verdict b);

// What a checker found: the verdict and a human-readable rendering. The first line of `text`
// starts with the verdict's name; further lines give the evidence.
struct CheckReport {
    Verdict verdict = Verdict::kValid;
    std::string text;
    // The names of the anomalies found, most severe first: "G0", "G-single", ...,
    // "nonlinearizable", "wrong-total", "negative-balance", "lost", "unexpected".
    std::vector<std::string> anomalies;
};

// Where a history op came from, for error messages: op index -> 1-based line of the file.
// Empty means "line = index + 1" (no blank lines were skipped).
struct SourceLines {
    std::vector<int64_t> line_of_op;

    // Returns "line L" for the op at `index`.
    std::string Describe(int64_t index) const;
};

}  // namespace orrery::jepsen::checker
