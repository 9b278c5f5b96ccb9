// The trace viewer: one self-contained HTML page (inline CSS and JavaScript, no network) that
// draws a TraceModel (trace_model.h): lanes, message arrows, faults, roles and terms, commit
// indexes and logs, with a time slider, stepping, playback, filters and an event inspector.
// The page's code lives in trace/viewer/ (viewer.html, viewer.css, viewer.js) and is compiled
// into the library; the model travels inside the page as JSON (see ModelJson).
#pragma once

#include <string>
#include <string_view>

#include "trace/trace_model.h"

namespace orrery::trace {

// The page's data: columnar arrays (events, messages) plus role, commit, log and fault steps.
// Event indexes are positions in model.events; lanes are positions in model.lanes.
std::string ModelJson(const TraceModel& model, std::string_view title);

// The whole page. `title` names the trace (usually its file name).
std::string RenderTraceHtml(const TraceModel& model, std::string_view title);

}  // namespace orrery::trace
