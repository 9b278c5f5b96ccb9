// RealTracer: JSON Lines trace file for a real node. See real_tracer.h.
#include "net/real_tracer.h"

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace orrery::net {

Result<std::unique_ptr<RealTracer>> RealTracer::Open(const std::string& path,
                                                     const Clock& clock) {
    std::FILE* file = std::fopen(path.c_str(), "ae");
    if (file == nullptr) {
        return Status::IOError(fmt::format("open trace {}: {}", path, std::strerror(errno)));
    }
    return std::unique_ptr<RealTracer>(new RealTracer(file, clock));
}

RealTracer::~RealTracer() { std::fclose(file_); }

void RealTracer::Record(NodeId node, std::string_view kind, TraceFields fields) {
    std::string line = RenderTraceEvent(clock_.Now(), node, kind, fields);
    line.push_back('\n');
    bool ok = std::fwrite(line.data(), 1, line.size(), file_) == line.size();
    ok = std::fflush(file_) == 0 && ok;
    healthy_ = healthy_ && ok;  // Never fails loudly: the contract says Record never fails.
    ++events_;
}

}  // namespace orrery::net
