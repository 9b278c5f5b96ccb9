// Properties: generated correct histories are always judged correct, and one injected stale
// read is always caught.
#include <rapidcheck/catch.h>

#include "jepsen/checker/generate.h"
#include "jepsen/checker/test_util.h"

namespace orrery::jepsen::checker {
namespace {

RegisterGenOptions DrawOptions() {
    RegisterGenOptions gen;
    gen.ops = *rc::gen::inRange<size_t>(30, 300);
    gen.keys = *rc::gen::inRange<size_t>(1, 4);
    gen.concurrency = *rc::gen::inRange<size_t>(1, 9);
    gen.info_probability = *rc::gen::element(0.0, 0.02, 0.1);
    return gen;
}

TEST_CASE("register histories from a correct register are linearizable", "[jepsen]") {
    rc::prop("generated history is valid", [] {
        Random rng(*rc::gen::arbitrary<uint64_t>());
        History h = GenerateRegisterHistory(rng, DrawOptions());
        Result<CheckReport> report = CheckHistory("register", h, SourceLines{}, CheckOptions{});
        RC_ASSERT(report.ok());
        RC_ASSERT(report->verdict == Verdict::kValid);
    });
}

TEST_CASE("one injected stale read makes a history non-linearizable", "[jepsen]") {
    rc::prop("stale read is caught", [] {
        Random rng(*rc::gen::arbitrary<uint64_t>());
        RegisterGenOptions gen = DrawOptions();
        gen.ops = std::max<size_t>(gen.ops, 60);
        History h = GenerateRegisterHistory(rng, gen);
        std::optional<int64_t> changed = InjectStaleRead(h);
        RC_PRE(changed.has_value());
        Result<CheckReport> report = CheckHistory("register", h, SourceLines{}, CheckOptions{});
        RC_ASSERT(report.ok());
        RC_ASSERT(report->verdict == Verdict::kInvalid);
    });
}

TEST_CASE("generated list-append histories have no anomalies", "[jepsen]") {
    rc::prop("generated list-append history is valid", [] {
        Random rng(*rc::gen::arbitrary<uint64_t>());
        ListAppendGenOptions gen;
        gen.txns = *rc::gen::inRange<size_t>(1, 400);
        gen.concurrency = *rc::gen::inRange<size_t>(1, 12);
        gen.active_keys = *rc::gen::inRange<size_t>(1, 6);
        History h = GenerateListAppendHistory(rng, gen);
        Result<CheckReport> report = CheckHistory("list-append", h, SourceLines{}, CheckOptions{});
        RC_ASSERT(report.ok());
        RC_ASSERT(report->verdict == Verdict::kValid);
    });
}

}  // namespace
}  // namespace orrery::jepsen::checker
