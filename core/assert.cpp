// Assertion failure reporting. See assert.h.
#include "core/assert.h"

#include <cstdio>
#include <cstdlib>

namespace orrery {
namespace {
std::string& ContextStorage() {
    static std::string context;
    return context;
}
}  // namespace

void SetAssertContext(std::string context) { ContextStorage() = std::move(context); }

const std::string& AssertContext() { return ContextStorage(); }

void AssertFail(const char* expr, const char* file, int line, const std::string& msg) {
    std::fprintf(stderr, "assertion failed: %s\n  at %s:%d\n", expr, file, line);
    if (!msg.empty()) std::fprintf(stderr, "  %s\n", msg.c_str());
    if (!ContextStorage().empty()) std::fprintf(stderr, "  run: %s\n", ContextStorage().c_str());
    std::fflush(stderr);
    std::abort();
}

}  // namespace orrery
