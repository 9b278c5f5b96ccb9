// Rendering traces for people: one compact line per event, plus filters.
//
// A trace is JSON Lines (see core/trace.h). Rendering turns
//   {"t":12345,"node":1,"kind":"send","to":2,"msg":"Append t3 prev=4@2 [5@3]","len":57,"h":...}
// into
//   12.345ms n1 → n2 Append t3 prev=4@2 [5@3]
// Network events use arrows (→ send, ← deliver, ✗ drop, ⇉ duplicate); everything else is
// "kind key=value ...". Hashes ("h") are omitted: they are for machines.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "trace/trace_event.h"

namespace orrery::tools {

// The event and its parser live in trace/ (shared with the HTML viewer's model).
using trace::ParseTrace;
using trace::ParseTraceLine;
using trace::TraceEvent;

struct TraceFilter {
    std::set<int64_t> nodes;       // Empty: all. Matches the event's node, or its to/from peer.
    std::set<std::string> kinds;   // Empty: all.
    // Message types ("Append", "Vote"; trace::MessageKind): only network events carrying one.
    std::set<std::string> messages;
    std::optional<int64_t> from_us;
    std::optional<int64_t> to_us;

    bool Matches(const TraceEvent& e) const;
    // Parses "node=1,2 kind=send,deliver msg=Append from=1s to=2.5s" style words;
    // InvalidArgument on junk.
    Status ParseWord(const std::string& word);
    // Warnings for the filter's kinds and message types that no event of `events` has, each
    // naming the ones it does have (and saying when a kind is really a message type, as in
    // kind=Append): such a filter is valid but matches nothing, which looks like a bug.
    std::vector<std::string> Unmatched(const std::vector<TraceEvent>& events) const;
};

// Renders one event as a human line (no trailing newline).
std::string RenderEvent(const TraceEvent& e);

// Formats microseconds as "12.345ms".
std::string FormatTime(int64_t us);

}  // namespace orrery::tools
