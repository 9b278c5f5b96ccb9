// SimTracer: hashing always, rendering only when someone reads. See sim_tracer.h.
#include "sim/sim_tracer.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

namespace orrery::sim {

SimTracer::~SimTracer() {
    CloseSink();
}

void SimTracer::Record(NodeId node, std::string_view kind, TraceFields fields) {
    hash_ = HashTraceEvent(hash_, *now_, node, kind, fields);
    ++events_;
    if (sink_ == nullptr && capture_ == nullptr) [[likely]]
        return;
    std::string line = RenderTraceEvent(*now_, node, kind, fields);
    if (sink_ != nullptr) {
        std::fwrite(line.data(), 1, line.size(), sink_);
        std::fputc('\n', sink_);
    }
    if (capture_ != nullptr) capture_->push_back(std::move(line));
}

Status SimTracer::OpenSink(const std::string& path) {
    CloseSink();
    if (path == "-") {
        sink_ = stdout;
        return Status::Ok();
    }
    sink_ = std::fopen(path.c_str(), "w");
    if (sink_ == nullptr) {
        return Status::IOError(
            fmt::format("cannot open trace file '{}': {}", path, std::strerror(errno)));
    }
    owns_sink_ = true;
    return Status::Ok();
}

void SimTracer::CloseSink() {
    if (sink_ == nullptr) return;
    if (owns_sink_) {
        std::fclose(sink_);
    } else {
        std::fflush(sink_);
    }
    sink_ = nullptr;
    owns_sink_ = false;
}

}  // namespace orrery::sim
