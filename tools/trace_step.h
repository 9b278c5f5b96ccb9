// TraceStepper: the state behind `orrery trace step`, a cursor over a trace that a person moves
// with short commands. Kept free of terminal I/O so golden scripts can drive it.
//
// Commands: n [k] (next; with k > 1 the events passed over are listed), b [k] (back), j TIME
// (jump to the first event at or after TIME), f WORD... (filter: node=1,2 kind=send
// msg=Append from=1s to=2s; "f" alone clears), /TEXT and ?TEXT (search forward and backward
// in rendered lines; "/" or "?" alone repeats the last search), l [k] (list k events from the
// cursor), p (panel: each server's role, term, commit index and log at the cursor), s
// (summary), h (help), q (quit). An empty command repeats the last one that worked.
// Invariant: the cursor always points at an event that matches the filter, or the trace (as
// filtered) is empty.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "tools/trace_render.h"
#include "trace/trace_model.h"

namespace orrery::tools {

class TraceStepper {
public:
    explicit TraceStepper(std::vector<TraceEvent> events);

    // Runs one command and returns what to print. Sets done() on "q". Bad commands (an unknown
    // verb, a count that is not a positive integer, a bad filter) are InvalidArgument.
    Result<std::string> Handle(const std::string& command);

    bool done() const { return done_; }
    // Renders the current position, e.g. "[3/120] 12.345ms n1 → n2 Append ...".
    std::string Current() const;

private:
    Result<std::string> Run(const std::string& command);
    std::vector<size_t> Visible() const;  // Indexes of events matching the filter.
    std::string Move(long steps);
    std::string Jump(const std::string& time);
    std::string Search(const std::string& text, bool forward);
    std::string List(long count) const;
    std::string Panel() const;
    std::string Summary() const;

    const std::vector<TraceEvent>& events() const { return model_.events; }

    trace::TraceModel model_;  // Its events are the trace; its roles and logs feed the panel.
    TraceFilter filter_;
    size_t cursor_ = 0;  // Index into events().
    std::string last_command_ = "n";
    std::string last_search_;
    bool last_search_forward_ = true;
    bool done_ = false;
};

}  // namespace orrery::tools
