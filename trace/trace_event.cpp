// Parsing trace lines. See trace_event.h.
#include "trace/trace_event.h"

#include <fmt/format.h>

#include <sstream>

namespace orrery::trace {

Result<TraceEvent> ParseTraceLine(const std::string& line, int number) {
    auto j = nlohmann::ordered_json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) {
        return Status::InvalidArgument(fmt::format("line {}: not a JSON object", number));
    }
    auto t = j.find("t"), node = j.find("node"), kind = j.find("kind");
    if (t == j.end() || !t->is_number_integer() || node == j.end() ||
        !node->is_number_integer() || kind == j.end() || !kind->is_string()) {
        return Status::InvalidArgument(
            fmt::format("line {}: a trace event needs integer \"t\" and \"node\" and a string \"kind\"", number));
    }
    TraceEvent e;
    e.line = number;
    e.t_us = t->get<int64_t>();
    e.node = node->get<int64_t>();
    e.kind = kind->get<std::string>();
    e.fields = std::move(j);
    return e;
}

Result<std::vector<TraceEvent>> ParseTrace(const std::string& text) {
    std::vector<TraceEvent> events;
    std::istringstream in(text);
    int number = 0;
    for (std::string line; std::getline(in, line);) {
        ++number;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        ORRERY_ASSIGN_OR_RETURN(TraceEvent e, ParseTraceLine(line, number));
        events.push_back(std::move(e));
    }
    return events;
}

}  // namespace orrery::trace
