// Parsing trace lines. See trace_event.h.
#include "trace/trace_event.h"

#include <fmt/format.h>

#include <map>
#include <optional>
#include <sstream>
#include <tuple>

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

void NameDroppedMessages(std::vector<TraceEvent>& events) {
    auto integer = [](const TraceEvent& e, const char* key) -> std::optional<int64_t> {
        auto it = e.fields.find(key);
        if (it == e.fields.end() || !it->is_number_integer()) return std::nullopt;
        return it->get<int64_t>();
    };
    // (sender, receiver, hash) -> the text of the latest send. An ordered map: nothing here
    // depends on iteration order, but the tree's rule is no unordered containers in readers.
    std::map<std::tuple<int64_t, int64_t, int64_t>, std::string> sent;
    for (TraceEvent& e : events) {
        auto h = integer(e, "h");
        if (!h) continue;
        if (e.kind == "send") {
            auto to = integer(e, "to");
            auto msg = e.fields.find("msg");
            if (to && msg != e.fields.end() && msg->is_string()) {
                sent[{e.node, *to, *h}] = msg->get<std::string>();
            }
        } else if (e.kind == "drop" && !e.fields.contains("msg")) {
            // Dropped at the sender ("to") or on arrival at the receiver ("from").
            auto to = integer(e, "to");
            auto from = integer(e, "from");
            std::tuple<int64_t, int64_t, int64_t> key;
            if (to) {
                key = {e.node, *to, *h};
            } else if (from) {
                key = {*from, e.node, *h};
            } else {
                continue;
            }
            if (auto it = sent.find(key); it != sent.end()) e.fields["msg"] = it->second;
        }
    }
}

}  // namespace orrery::trace
