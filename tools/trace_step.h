// TraceStepper: the state behind `orrery trace step`, a cursor over a trace that a person moves
// with short commands. Kept free of terminal I/O so golden scripts can drive it.
//
// Commands: n [k] (next), b [k] (back), j TIME (jump to the first event at or after TIME),
// f WORD... (filter: node=1,2 kind=send from=1s to=2s; "f" alone clears), /TEXT (search forward
// in rendered lines), l [k] (list k events from the cursor), s (summary), h (help), q (quit).
// Invariant: the cursor always points at an event that matches the filter, or the trace (as
// filtered) is empty.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "tools/trace_render.h"

namespace orrery::tools {

class TraceStepper {
public:
    explicit TraceStepper(std::vector<TraceEvent> events);

    // Runs one command and returns what to print. Sets done() on "q".
    Result<std::string> Handle(const std::string& command);

    bool done() const { return done_; }
    // Renders the current position, e.g. "[3/120] 12.345ms n1 → n2 Append ...".
    std::string Current() const;

private:
    std::vector<size_t> Visible() const;  // Indexes of events matching the filter.
    std::string Move(long steps);
    std::string Jump(const std::string& time);
    std::string Search(const std::string& text);
    std::string List(long count) const;
    std::string Summary() const;

    std::vector<TraceEvent> events_;
    TraceFilter filter_;
    size_t cursor_ = 0;  // Index into events_.
    bool done_ = false;
};

}  // namespace orrery::tools
