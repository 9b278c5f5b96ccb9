// Properties: generated correct histories are always judged correct, and one injected stale
// read is always caught.
#include <fmt/format.h>
#include <rapidcheck/catch.h>

#include <map>

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

KvGenOptions DrawKvOptions() {
    KvGenOptions gen;
    gen.ops = *rc::gen::inRange<size_t>(30, 300);
    gen.keys = *rc::gen::inRange<size_t>(1, 4);
    gen.clients = *rc::gen::inRange<size_t>(1, 13);
    gen.info_probability = *rc::gen::element(0.0, 0.02, 0.1);
    return gen;
}

// A correct history is never judged invalid. As below, the search may exhaust its budget on one
// key with many clients in flight and answer unknown, which is honest: such a case is
// discarded, not passed. Found by the property itself (its random seed, in a CI run of the
// sanitizer build, where the shrinking of that case ran past ctest's 600 s timeout):
// RC_PARAMS="seed=5941805873022828772", 219 ops, 1 key, 11 clients, 10% info.
TEST_CASE("kv histories from a correct store are linearizable", "[jepsen]") {
    rc::prop("generated kv history is valid", [] {
        Random rng(*rc::gen::arbitrary<uint64_t>());
        History h = GenerateKvHistory(rng, DrawKvOptions());
        Result<CheckReport> report = CheckHistory("kv", h, SourceLines{}, CheckOptions{});
        RC_ASSERT(report.ok());
        RC_ASSERT(report->verdict != Verdict::kInvalid);
        if (report->verdict == Verdict::kUnknown) {
            RC_ASSERT(report->text.find("search budget") != std::string::npos);
        }
        RC_PRE(report->verdict == Verdict::kValid);
    });
}

// A history with one injected violation is never judged valid. Linearizability checking is
// NP-complete: on one key with up to 12 clients in flight the search can exhaust its budget
// (2M steps per key) before it proves the violation, and then the verdict is unknown, which is
// honest. Such a case is discarded (RC_PRE), not passed: rapidcheck fails the property when too
// many cases are discarded. Found by the property itself: seed 42120536138268852, 100 ops, 1 key,
// 10 clients, no info, a lost append at position 196 needs 3.1M steps.
void RequireInvalidOrOutOfBudget(const CheckReport& report) {
    RC_ASSERT(report.verdict != Verdict::kValid);
    if (report.verdict == Verdict::kUnknown) {
        RC_ASSERT(report.text.find("search budget") != std::string::npos);
    }
    RC_PRE(report.verdict == Verdict::kInvalid);
}

TEST_CASE("one stale get or one lost append makes a kv history non-linearizable", "[jepsen]") {
    rc::prop("stale get is caught", [] {
        Random rng(*rc::gen::arbitrary<uint64_t>());
        History h = GenerateKvHistory(rng, DrawKvOptions());
        std::optional<int64_t> changed = InjectStaleGet(h);
        RC_PRE(changed.has_value());
        Result<CheckReport> report = CheckHistory("kv", h, SourceLines{}, CheckOptions{});
        RC_ASSERT(report.ok());
        RequireInvalidOrOutOfBudget(*report);
        // The explanation ends at the changed get: the shortest failing prefix.
        RC_ASSERT(report->text.find(fmt::format("already at history position {}", *changed)) !=
                  std::string::npos);
    });
    rc::prop("lost append is caught", [] {
        Random rng(*rc::gen::arbitrary<uint64_t>());
        History h = GenerateKvHistory(rng, DrawKvOptions());
        std::optional<int64_t> changed = InjectLostAppend(h);
        RC_PRE(changed.has_value());
        Result<CheckReport> report = CheckHistory("kv", h, SourceLines{}, CheckOptions{});
        RC_ASSERT(report.ok());
        RequireInvalidOrOutOfBudget(*report);
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

// A serial list-append execution: each transaction is invoked after the previous one
// completed, and reads return the lists as they stand. Keys are drawn from few, so reads of
// keys nothing was appended to yet (empty reads) are common, and so are keys read only empty.
History SerialListAppend(Random& rng, size_t txns, size_t keys) {
    std::vector<nlohmann::json> lists(keys, nlohmann::json::array());
    int64_t next_value = 1;
    History h;
    for (size_t t = 0; t < txns; ++t) {
        nlohmann::json invoke = nlohmann::json::array(), done = nlohmann::json::array();
        auto micro_ops = static_cast<size_t>(rng.Range(1, 4));
        for (size_t m = 0; m < micro_ops; ++m) {
            size_t k = rng.Uniform(keys);
            std::string key = "k" + std::to_string(k);
            if (rng.Chance(0.5)) {
                nlohmann::json append = {"append", key, next_value};
                lists[k].push_back(next_value++);
                invoke.push_back(append);
                done.push_back(append);
            } else {
                invoke.push_back({"r", key, nullptr});
                done.push_back({"r", key, lists[k]});
            }
        }
        Op op;
        op.process = static_cast<int64_t>(t % 5);
        op.time_us = static_cast<int64_t>(2 * t);
        op.f = "txn";
        op.type = OpType::kInvoke;
        op.value = invoke;
        h.Append(op);
        op.type = OpType::kOk;
        op.time_us += 1;
        op.value = done;
        h.Append(op);
    }
    return h;
}

// Makes one read of a serial list-append history stale so that it closes a cycle: a
// transaction R reads key a and key b; the last value it saw on b was appended by W, and W
// also appended a value R saw on a. R's read of a is cut back to just before W's first value
// there, so R missed W on a (rw) yet saw W on b (wr): G-single. R must touch a only with that
// read (else the cut would also be an internal anomaly). Every other edge follows the serial
// order, so each cycle holds this one backward edge and G-single is the only class. Returns
// false when no transaction qualifies.
bool InjectCycleRead(Random& rng, History& h) {
    std::map<std::pair<std::string, int64_t>, size_t> writer;  // (key, value) -> op index.
    struct Candidate {
        size_t op, micro_op;
        nlohmann::json stale;
    };
    std::vector<Candidate> candidates;
    for (size_t i = 0; i < h.size(); ++i) {
        const Op& op = h.ops()[i];
        if (op.type != OpType::kOk) continue;
        std::map<std::string, int> touches;
        for (const nlohmann::json& m : op.value) ++touches[m[1].get<std::string>()];
        for (const nlohmann::json& m : op.value) {
            if (m[0] == "append") writer[{m[1].get<std::string>(), m[2].get<int64_t>()}] = i;
        }
        for (size_t a = 0; a < op.value.size(); ++a) {
            const nlohmann::json& ra = op.value[a];
            std::string key_a = ra[1].get<std::string>();
            if (ra[0] != "r" || touches[key_a] != 1) continue;
            for (const nlohmann::json& rb : op.value) {
                if (rb[0] != "r" || rb[1] == ra[1] || rb[2].empty()) continue;
                size_t w = writer.at({rb[1].get<std::string>(), rb[2].back().get<int64_t>()});
                if (w == i) continue;
                const nlohmann::json& list = ra[2];
                for (size_t e = 0; e < list.size(); ++e) {
                    if (writer.at({key_a, list[e].get<int64_t>()}) != w) continue;
                    nlohmann::json stale(list.begin(), list.begin() + static_cast<long>(e));
                    candidates.push_back({i, a, stale.is_null() ? nlohmann::json::array() : stale});
                    break;
                }
            }
        }
    }
    if (candidates.empty()) return false;
    const Candidate& c = candidates[rng.Uniform(candidates.size())];
    History out;
    for (size_t i = 0; i < h.size(); ++i) {
        Op op = h.ops()[i];
        if (i == c.op) op.value[c.micro_op][2] = c.stale;
        out.Append(op);
    }
    h = std::move(out);
    return true;
}

TEST_CASE("serial list-append executions are valid, and a cycle-closing stale read is G-single",
          "[jepsen]") {
    rc::prop("serial history valid; with the stale read, G-single", [] {
        Random rng(*rc::gen::arbitrary<uint64_t>());
        auto txns = *rc::gen::inRange<size_t>(2, 150);
        auto keys = *rc::gen::inRange<size_t>(2, 8);
        History h = SerialListAppend(rng, txns, keys);
        Result<CheckReport> valid = CheckHistory("list-append", h, SourceLines{}, CheckOptions{});
        RC_ASSERT(valid.ok());
        RC_ASSERT(valid->verdict == Verdict::kValid);
        RC_PRE(InjectCycleRead(rng, h));
        Result<CheckReport> stale = CheckHistory("list-append", h, SourceLines{}, CheckOptions{});
        RC_ASSERT(stale.ok());
        RC_ASSERT(stale->anomalies == std::vector<std::string>{"G-single"});
    });
}

}  // namespace
}  // namespace orrery::jepsen::checker
