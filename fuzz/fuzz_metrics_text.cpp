// Fuzz target: the strict reader of Prometheus' text format (core/metrics.h), which
// `orrery cluster status --metrics` runs on whatever answers at a node's metrics address. It must
// never crash. Whatever it accepts must come back unchanged when written out again in the
// canonical form (every sample as name{labels} value, labels escaped, values in their shortest
// form) and read a second time, so the reader cannot accept a line it then misreads.
#include <cmath>

#include "core/metrics.h"
#include "fuzz/fuzz_util.h"

namespace {

bool Same(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace orrery;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto parsed = metrics::ParseText(text);
    if (!parsed.ok()) return 0;
    std::string canonical;
    for (const metrics::ParsedSample& s : parsed->samples) {
        canonical += s.name;
        if (!s.labels.empty()) {
            canonical += '{';
            for (size_t i = 0; i < s.labels.size(); ++i) {
                if (i > 0) canonical += ',';
                canonical += s.labels[i].first + "=\"" + metrics::EscapeLabelValue(s.labels[i].second) + "\"";
            }
            canonical += '}';
        }
        canonical += ' ' + metrics::FormatValue(s.value) + '\n';
    }
    auto again = metrics::ParseText(canonical);
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(again->samples.size() == parsed->samples.size());
    for (size_t i = 0; i < parsed->samples.size(); ++i) {
        FUZZ_CHECK(again->samples[i].name == parsed->samples[i].name);
        FUZZ_CHECK(again->samples[i].labels == parsed->samples[i].labels);
        FUZZ_CHECK(Same(again->samples[i].value, parsed->samples[i].value));
    }
    // Rebuilding a histogram from arbitrary samples may fail, but never crash.
    for (const auto& [family, type] : parsed->types) {
        if (type == "histogram") (void)parsed->Histogram(family);
    }
    return 0;
}
