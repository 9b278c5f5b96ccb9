// TraceEvent: one parsed line of a trace file (JSON Lines, format in core/trace.h), for the
// readers of traces: `orrery trace show/step/html` and the trace viewer's model.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace orrery::trace {

struct TraceEvent {
    int line = 0;          // 1-based line in the file.
    int64_t t_us = 0;
    int64_t node = 0;
    std::string kind;
    nlohmann::ordered_json fields;  // The whole object.
};

// Parses a whole trace; the error names the first malformed line. Blank lines are skipped.
Result<std::vector<TraceEvent>> ParseTrace(const std::string& text);

// Parses one line (1-based number for messages).
Result<TraceEvent> ParseTraceLine(const std::string& line, int number);

}  // namespace orrery::trace
