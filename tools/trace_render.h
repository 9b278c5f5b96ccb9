// Rendering traces for people: one compact line per event, plus filters.
//
// A trace is JSON Lines (see core/trace.h). Rendering turns
//   {"t":12345,"node":1,"kind":"send","to":2,"msg":"Append t3 prev=4@2 [5@3]","len":57,"h":...}
// into
//   12.345ms n1 → n2 Append t3 prev=4@2 [5@3]
// Network events use arrows (→ send, ← deliver, ✗ drop, ⇉ duplicate); everything else is
// "kind key=value ...". Hashes ("h") are omitted: they are for machines.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"

namespace orrery::tools {

struct TraceEvent {
    int line = 0;          // 1-based line in the file.
    int64_t t_us = 0;
    int64_t node = 0;
    std::string kind;
    nlohmann::ordered_json fields;  // The whole object.
};

struct TraceFilter {
    std::set<int64_t> nodes;       // Empty: all. Matches the event's node, or its to/from peer.
    std::set<std::string> kinds;   // Empty: all.
    std::optional<int64_t> from_us;
    std::optional<int64_t> to_us;

    bool Matches(const TraceEvent& e) const;
    // Parses "node=1,2 kind=send,deliver from=1s to=2.5s" style words; InvalidArgument on junk.
    Status ParseWord(const std::string& word);
};

// Parses a whole trace; the error names the first malformed line.
Result<std::vector<TraceEvent>> ParseTrace(const std::string& text);

// Parses one line (1-based number for messages).
Result<TraceEvent> ParseTraceLine(const std::string& line, int number);

// Renders one event as a human line (no trailing newline).
std::string RenderEvent(const TraceEvent& e);

// Formats microseconds as "12.345ms".
std::string FormatTime(int64_t us);

}  // namespace orrery::tools
