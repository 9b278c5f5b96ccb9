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

// A "drop" event records only the message's hash ("h"); its text is on the "send" that put it on
// the wire. Copies that send's "msg" into each drop that lacks one, matching the latest earlier
// send with the same sender, receiver and hash, so readers can say *what* was lost
// ("n3 ✗ c1001 Reply c1001#13 ok reason=loss") and a message-type filter sees drops too. A drop
// whose send is not in the trace keeps no "msg".
void NameDroppedMessages(std::vector<TraceEvent>& events);

}  // namespace orrery::trace
