// Always-on assertions. A broken invariant is a bug: the process prints what broke, where, and
// the context of the run (the simulator sets it to the seed and the replay command), then aborts.
//
// Assertions are never compiled out (TigerBeetle style): the cost is small and a database that keeps
// running after an invariant broke does more harm than one that stops.
//
// User errors are NOT assertions: they return a Status (see status.h).
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace orrery {

// Sets the text printed with every assertion failure, such as
// "seed=42 replay: orrery sim --seed 42 ...". It is diagnostic only and never read by
// protocol code, so it does not affect determinism. This is Orrery's one piece of process-wide
// state, kept here because an assertion deep in Raft has no other way to name the run.
void SetAssertContext(std::string context);

// Returns the text set by SetAssertContext ("" when none).
const std::string& AssertContext();

// Prints the failure and aborts. Never returns.
[[noreturn]] void AssertFail(const char* expr, const char* file, int line, const std::string& msg);

}  // namespace orrery

// ORRERY_ASSERT(cond) or ORRERY_ASSERT(cond, "fmt {}", args...).
#define ORRERY_ASSERT(cond, ...)                                                        \
    do {                                                                                \
        if (!(cond)) [[unlikely]] {                                                     \
            ::orrery::AssertFail(#cond, __FILE__, __LINE__,                             \
                                 ::orrery::detail::AssertMessage("" __VA_OPT__(, ) __VA_ARGS__)); \
        }                                                                               \
    } while (0)

namespace orrery::detail {
inline std::string AssertMessage(const char*) { return {}; }
template <typename... Args>
std::string AssertMessage(const char*, fmt::format_string<Args...> f, Args&&... args) {
    return fmt::format(f, std::forward<Args>(args)...);
}
}  // namespace orrery::detail
