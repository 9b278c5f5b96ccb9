// Logger: one line per event on stderr, prefixed with the wall time and the node's name.
//
// Five node processes share a terminal or a log directory, so every line names its node:
//
//   2025-03-01 12:00:00.123 n2 WARN  closing 127.0.0.1:51234 (peer n3): frame length 0 ...
//
// A Logger is not a global: each node (and each transport in a test) is handed one. Each line
// is written with one write(2), so lines from different threads or processes never interleave
// mid-line. Tests may install a sink to capture lines instead of printing them.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace orrery::net {

enum class LogLevel : uint8_t { kDebug = 0, kInfo, kWarn, kError };

class Logger {
public:
    // Receives each finished line (without a trailing newline).
    using Sink = std::function<void(std::string_view line)>;

    // A logger for `name` ("n1", "c1000", "cluster") printing lines at `min_level` and above to
    // stderr, or to `sink` when one is given.
    explicit Logger(std::string name, LogLevel min_level = LogLevel::kInfo, Sink sink = nullptr);

    template <typename... Args>
    void Debug(fmt::format_string<Args...> f, Args&&... args) {
        Log(LogLevel::kDebug, f, std::forward<Args>(args)...);
    }
    template <typename... Args>
    void Info(fmt::format_string<Args...> f, Args&&... args) {
        Log(LogLevel::kInfo, f, std::forward<Args>(args)...);
    }
    template <typename... Args>
    void Warn(fmt::format_string<Args...> f, Args&&... args) {
        Log(LogLevel::kWarn, f, std::forward<Args>(args)...);
    }
    template <typename... Args>
    void Error(fmt::format_string<Args...> f, Args&&... args) {
        Log(LogLevel::kError, f, std::forward<Args>(args)...);
    }

    template <typename... Args>
    void Log(LogLevel level, fmt::format_string<Args...> f, Args&&... args) {
        if (level < min_level_) return;
        Write(level, fmt::format(f, std::forward<Args>(args)...));
    }

    const std::string& name() const { return name_; }

private:
    void Write(LogLevel level, std::string_view text);

    std::string name_;
    LogLevel min_level_;
    Sink sink_;
};

}  // namespace orrery::net
