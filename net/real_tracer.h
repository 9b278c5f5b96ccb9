// RealTracer: a real node's trace, written as the same JSON Lines the simulator writes.
//
// Each Record() renders one line with core's RenderTraceEvent, stamped with the node's RealClock
// (CLOCK_MONOTONIC microseconds, shared by all processes on the machine), and appends it to the
// file. The line is handed to the kernel at once (fflush per line): a node killed with SIGKILL
// loses no event it recorded, at the price of one write(2) per event, which is fine for the runs
// people want to read. `orrery trace show` renders the file like a simulated trace; the files of
// several nodes merge into one timeline with `sort -s -t: -k2,2n n*.jsonl`.
//
// REQUIRES: used from the node's event-loop thread only.
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "core/trace.h"

namespace orrery::net {

class RealTracer final : public Tracer {
public:
    // Opens (appending to) the trace file at `path`. The clock must outlive the tracer.
    static Result<std::unique_ptr<RealTracer>> Open(const std::string& path, const Clock& clock);
    ~RealTracer() override;
    RealTracer(const RealTracer&) = delete;
    RealTracer& operator=(const RealTracer&) = delete;

    void Record(NodeId node, std::string_view kind, TraceFields fields) override;
    bool rendering() const override { return true; }

    // Events recorded so far.
    uint64_t events() const { return events_; }
    // False once a write failed (the trace is then incomplete; the node keeps running).
    bool healthy() const { return healthy_; }

private:
    RealTracer(std::FILE* file, const Clock& clock) : file_(file), clock_(clock) {}

    std::FILE* file_;
    const Clock& clock_;
    uint64_t events_ = 0;
    bool healthy_ = true;
};

}  // namespace orrery::net
