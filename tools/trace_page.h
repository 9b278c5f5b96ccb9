// `orrery trace html` and `orrery sim --html` share this: the trace file at `trace_path` drawn
// as the self-contained viewer page (trace/trace_html.h) at `html_path`. Prints what it wrote;
// exits with status 2 (CLI::RuntimeError) if the trace cannot be read or the page written.
#pragma once

#include <string>

namespace orrery::tools {

void WriteTraceHtml(const std::string& trace_path, const std::string& html_path);

}  // namespace orrery::tools
