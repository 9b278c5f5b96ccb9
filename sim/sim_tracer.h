// SimTracer: the simulator's Tracer. It stamps events with virtual time, folds them into the
// running trace hash, and writes them as JSON Lines when a sink is attached.
//
// Invariants: the hash depends only on (virtual time, node, kind, fields except "msg") of every
// event in order, so it is the same with or without a sink, in any process, on any machine. The
// hot path (no sink, no capture) renders nothing and allocates nothing.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/trace.h"

namespace orrery::sim {

class SimTracer final : public Tracer {
public:
    // `now` is the simulator's virtual clock; it must outlive the tracer.
    explicit SimTracer(const Timestamp* now) : now_(now) {}
    ~SimTracer() override;

    SimTracer(const SimTracer&) = delete;
    SimTracer& operator=(const SimTracer&) = delete;

    void Record(NodeId node, std::string_view kind, TraceFields fields) override;
    bool rendering() const override { return sink_ != nullptr || capture_ != nullptr; }

    // Writes every later event to the file at `path` ("-" means stdout), one JSON line each.
    Status OpenSink(const std::string& path);
    // Flushes and closes the sink, if any.
    void CloseSink();

    // Appends every later event's rendered line to *lines (nullptr stops). Used by the
    // determinism check to show where two runs diverge.
    void SetCapture(std::vector<std::string>* lines) { capture_ = lines; }

    // The running hash over every event so far.
    uint64_t hash() const { return hash_; }
    // The number of events recorded so far.
    uint64_t events() const { return events_; }

private:
    const Timestamp* now_;
    uint64_t hash_ = 0x6f727265727921ull;  // "orrery!": any fixed start will do.
    uint64_t events_ = 0;
    std::FILE* sink_ = nullptr;
    bool owns_sink_ = false;
    std::vector<std::string>* capture_ = nullptr;
};

}  // namespace orrery::sim
