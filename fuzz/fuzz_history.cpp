// Fuzz target: the history reader (jepsen/checker/check.h, jepsen/history.h) that `orrery check`
// runs on any file a user hands it, and the register checker behind it. Inputs are JSON Lines;
// the seed corpus holds real histories. Bounded: a history of more than 64 operations is only
// parsed, not checked (the search is exponential in the worst case by nature).
#include "fuzz/fuzz_util.h"
#include "jepsen/checker/check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace orrery;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    jepsen::checker::SourceLines lines;
    auto history = jepsen::checker::ParseHistoryText(text, lines);
    if (!history.ok()) return 0;
    if (history.value().size() > 64) return 0;
    jepsen::checker::CheckOptions options;
    for (const char* model : {"register", "list-append", "bank"}) {
        (void)jepsen::checker::CheckHistory(model, history.value(), lines, options);
    }
    return 0;
}
