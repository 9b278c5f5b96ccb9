// Trace event rendering and hashing. See trace.h for the line format.
#include "core/trace.h"

#include <nlohmann/json.hpp>

#include "core/checksum.h"

namespace orrery {

std::string RenderTraceEvent(Timestamp t, NodeId node, std::string_view kind, TraceFields fields) {
    nlohmann::ordered_json line;
    line["t"] = t.us();
    line["node"] = node.value();
    line["kind"] = kind;
    for (const auto& f : fields) {
        if (const auto* i = std::get_if<int64_t>(&f.value)) {
            line[std::string(f.key)] = *i;
        } else {
            line[std::string(f.key)] = std::get<std::string_view>(f.value);
        }
    }
    // Replace invalid UTF-8 (raw keys in messages) rather than throw.
    return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

uint64_t HashTraceEvent(uint64_t hash, Timestamp t, NodeId node, std::string_view kind,
                        TraceFields fields) {
    uint64_t h = Mix64(hash ^ static_cast<uint64_t>(t.us()));
    h = Mix64(h ^ node.value());
    h = Hash64(kind, h);
    for (const auto& f : fields) {
        if (f.key == "msg") continue;
        h = Hash64(f.key, h);
        if (const auto* i = std::get_if<int64_t>(&f.value)) {
            h = Mix64(h ^ static_cast<uint64_t>(*i));
        } else {
            h = Hash64(std::get<std::string_view>(f.value), h ^ 0x5bd1e995u);
        }
    }
    return h;
}

}  // namespace orrery
