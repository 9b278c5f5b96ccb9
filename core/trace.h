// The trace-event API: how every component tells the world what it just did.
//
// A trace is JSON Lines, one event per line, written by the simulator (and optionally by a real
// node) and read by `orrery trace`, the notebooks and the determinism check. One line:
//
//   {"t":12345,"node":1,"kind":"send","to":2,"msg":"Append prev=4@2 [5@3]","len":57}
//
//   t     - microseconds of *true* time: the simulator's virtual time (not the node's skewed
//           clock) or, in a real run, the node's steady clock;
//   node  - the node (or client endpoint) the event happened on; 0 for the simulator itself;
//   kind  - one of the kinds below;
//   other - the event's fields, integers or strings, in the order they were given.
//
// Kinds used across the project (components may add their own, lower-case with dots/dashes):
//   send deliver drop dup            - network (to/from, msg, len)
//   timer                            - a timer fired (name)
//   sync syncdir crash restart pause resume - disk and process lifecycle
//   role term commit apply           - Raft (role, term, index, leader)
//   invoke ok fail info              - client operations (process, f, key, value)
//   fault heal                       - the nemesis (what)
//   note                             - free text (text)
//
// The trace hash covers t, node, kind and every field except "msg" (a rendering of bytes that
// are already hashed through "h"), so it is identical whether or not a trace file is written.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

#include "core/types.h"

namespace orrery {

// One key/value field of an event. Keys and string values must outlive the Record call only.
struct TraceField {
    TraceField(std::string_view k, int64_t v) : key(k), value(v) {}
    TraceField(std::string_view k, uint64_t v) : key(k), value(static_cast<int64_t>(v)) {}
    TraceField(std::string_view k, int v) : key(k), value(static_cast<int64_t>(v)) {}
    TraceField(std::string_view k, uint32_t v) : key(k), value(static_cast<int64_t>(v)) {}
    TraceField(std::string_view k, std::string_view v) : key(k), value(v) {}
    TraceField(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
    TraceField(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
    TraceField(std::string_view k, NodeId v) : key(k), value(static_cast<int64_t>(v.value())) {}
    TraceField(std::string_view k, Term v) : key(k), value(static_cast<int64_t>(v.value())) {}
    TraceField(std::string_view k, LogIndex v) : key(k), value(static_cast<int64_t>(v.value())) {}

    std::string_view key;
    std::variant<int64_t, std::string_view> value;
};

using TraceFields = std::initializer_list<TraceField>;

class Tracer {
public:
    virtual ~Tracer() = default;

    // Records one event that happened on `node` now. Never fails; never blocks on I/O.
    virtual void Record(NodeId node, std::string_view kind, TraceFields fields) = 0;

    // True when rendered events are wanted (a trace file or a stepping session is attached).
    // Producers may skip building purely descriptive text (the "msg" field) when false.
    virtual bool rendering() const { return false; }
};

// A tracer that drops everything, for tests and tools that do not care.
class NullTracer final : public Tracer {
public:
    void Record(NodeId, std::string_view, TraceFields) override {}
};

// Renders one event as a JSON line (without the trailing newline), in the format above.
std::string RenderTraceEvent(Timestamp t, NodeId node, std::string_view kind, TraceFields fields);

// Folds one event into a running 64-bit trace hash (skipping the "msg" field).
uint64_t HashTraceEvent(uint64_t hash, Timestamp t, NodeId node, std::string_view kind,
                        TraceFields fields);

}  // namespace orrery
