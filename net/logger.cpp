// Logger: formats a line and writes it with a single write(2). See logger.h.
#include "net/logger.h"

#include <unistd.h>

#include <chrono>
#include <ctime>

namespace orrery::net {

namespace {

std::string_view LevelName(LogLevel level) {
    switch (level) {
        case LogLevel::kDebug: return "DEBUG";
        case LogLevel::kInfo: return "INFO ";
        case LogLevel::kWarn: return "WARN ";
        case LogLevel::kError: return "ERROR";
    }
    return "?    ";
}

// "2025-03-01 12:00:00.123" in local time.
std::string WallTime() {
    auto now = std::chrono::system_clock::now();
    std::time_t secs = std::chrono::system_clock::to_time_t(now);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
    std::tm tm{};
    ::localtime_r(&secs, &tm);
    char buf[32];
    size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return fmt::format("{}.{:03d}", std::string_view(buf, n), static_cast<int>(ms.count()));
}

}  // namespace

Logger::Logger(std::string name, LogLevel min_level, Sink sink)
    : name_(std::move(name)), min_level_(min_level), sink_(std::move(sink)) {}

void Logger::Write(LogLevel level, std::string_view text) {
    std::string line = fmt::format("{} {} {} {}", WallTime(), name_, LevelName(level), text);
    if (sink_) {
        sink_(line);
        return;
    }
    line.push_back('\n');
    // One write per line; a short write to stderr is not worth a retry loop.
    ssize_t written = ::write(STDERR_FILENO, line.data(), line.size());
    (void)written;
}

}  // namespace orrery::net
