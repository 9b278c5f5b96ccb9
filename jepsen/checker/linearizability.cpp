// Per-key linearizability checking and the explanation of a violation. See
// linearizability.h.
#include "jepsen/checker/linearizability.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "jepsen/checker/linear_search.h"
#include "jepsen/checker/operation.h"

namespace orrery::jepsen::checker {
namespace {

struct KeyResult {
    Verdict verdict = Verdict::kValid;
    uint64_t steps = 0;
    std::string evidence;  // Set for an invalid key.
};

// The sub-history of the events before `cut`: later calls are dropped, later returns make the
// operation pending (info), and a pending read constrains nothing so it is dropped.
std::vector<LinOp> Prefix(const std::vector<LinOp>& ops, int64_t cut) {
    std::vector<LinOp> out;
    for (const LinOp& op : ops) {
        if (op.call >= cut) continue;
        LinOp copy = op;
        if (copy.ret >= cut) {
            if (copy.op.kind == ModelOp::Kind::kRead) continue;
            copy.ret = kNeverReturns;
        }
        out.push_back(copy);
    }
    return out;
}

// Returns the shortest prefix (cut position) whose search proves a violation.
// REQUIRES: the whole of `ops` is proven invalid.
int64_t MinimalCut(const Model& model, const std::vector<LinOp>& ops, uint64_t budget) {
    std::vector<int64_t> events;
    for (const LinOp& op : ops) {
        events.push_back(op.call);
        if (op.ret != kNeverReturns) events.push_back(op.ret);
    }
    std::sort(events.begin(), events.end());
    size_t lo = 0, hi = events.size() - 1;  // events[hi] + 1 is a proven-invalid cut.
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        Verdict v = SearchLinearization(model, Prefix(ops, events[mid] + 1), budget).verdict;
        if (v == Verdict::kInvalid)
            hi = mid;
        else
            lo = mid + 1;
    }
    return events[hi] + 1;
}

// Relaxes each completed operation (newest first) while the history stays non-linearizable.
// Returns what is left: the completed operations that could not be relaxed, then the
// operations of unknown outcome (info, still running at the cut, or relaxed writes).
std::vector<LinOp> Witness(const Model& model, std::vector<LinOp> ops,
                           const LinearizabilityOptions& options) {
    std::vector<size_t> order;
    for (size_t i = 0; i < ops.size(); ++i) {
        if (ops[i].ret != kNeverReturns) order.push_back(i);
    }
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return ops[a].ret > ops[b].ret; });
    if (order.size() > options.relax_ops_max) order.resize(options.relax_ops_max);
    // Relaxing only weakens the history (a relaxed op may still happen, at any later time, or
    // never), so a relaxed history that is still not linearizable proves the original is not.
    // Dropping a write outright would not: a read of its value would become impossible.
    std::vector<LinOp> relaxed = ops;
    std::vector<bool> dropped(ops.size(), false);  // A relaxed read: it constrains nothing.
    auto with = [&](size_t relax) {
        std::vector<LinOp> trial;
        for (size_t j = 0; j < relaxed.size(); ++j) {
            bool read = relaxed[j].op.kind == ModelOp::Kind::kRead;
            if (dropped[j] || (j == relax && read)) continue;
            trial.push_back(relaxed[j]);
            if (j == relax) trial.back().ret = kNeverReturns;
        }
        return trial;
    };
    for (size_t i : order) {
        if (SearchLinearization(model, with(i), options.budget_steps).verdict !=
            Verdict::kInvalid) {
            continue;
        }
        relaxed[i].ret = kNeverReturns;
        dropped[i] = relaxed[i].op.kind == ModelOp::Kind::kRead;
    }
    std::vector<LinOp> witness;  // Ok ops first (by call), then the unknown ones.
    for (size_t j = 0; j < relaxed.size(); ++j) {
        if (!dropped[j]) witness.push_back(relaxed[j]);
    }
    std::stable_sort(witness.begin(), witness.end(), [](const LinOp& a, const LinOp& b) {
        bool unknown_a = a.ret == kNeverReturns, unknown_b = b.ret == kNeverReturns;
        return unknown_a != unknown_b ? unknown_b : a.call < b.call;
    });
    return witness;
}

std::string Explain(const Model& model, const ValueTable& values, const std::string& key,
                    const std::vector<Operation>& operations, const std::vector<LinOp>& ops,
                    const LinearizabilityOptions& options) {
    constexpr size_t kUnknownShownMax = 8;
    int64_t cut = MinimalCut(model, ops, options.budget_steps);
    std::vector<LinOp> witness = Witness(model, Prefix(ops, cut), options);
    std::string out = fmt::format(
        "key {} is not linearizable (already at history position {}). These completed "
        "operations conflict:\n",
        RenderValue(key), cut - 1);
    size_t unknown = 0;
    for (const LinOp& op : witness) {
        const Operation& o = operations[op.source];
        if (op.ret != kNeverReturns) {
            out += fmt::format("  [{}..{}] p{} {}\n", op.call, op.ret, o.process,
                               model.Describe(op.op, values));
            continue;
        }
        if (unknown++ == 0)
            out +=
                "whatever these did (each may take effect once, any time after its call, or "
                "never):\n";
        if (unknown <= kUnknownShownMax) {
            out +=
                fmt::format("  [{}..] p{} {}\n", op.call, o.process, model.Describe(op.op, values));
        }
    }
    if (unknown > kUnknownShownMax)
        out += fmt::format("  (and {} more)\n", unknown - kUnknownShownMax);
    return out;
}

}  // namespace

Result<CheckReport> CheckLinearizable(const Model& model, const History& history,
                                      const SourceLines& lines,
                                      const LinearizabilityOptions& options) {
    ORRERY_ASSIGN_OR_RETURN(std::vector<Operation> operations, CollectOperations(history, lines));
    ValueTable values;
    std::map<std::string, std::vector<LinOp>> by_key;
    for (size_t i = 0; i < operations.size(); ++i) {
        ORRERY_ASSIGN_OR_RETURN(std::optional<ModelOp> m,
                                model.Prepare(operations[i], values, lines));
        if (!m.has_value()) continue;
        by_key[operations[i].key].push_back(
            {operations[i].invoke_index, operations[i].return_position(), *m, i});
    }
    CheckReport report;
    size_t valid_keys = 0, unknown_keys = 0;
    uint64_t steps = 0;
    std::string evidence;
    for (const auto& [key, ops] : by_key) {
        SearchOutcome outcome = SearchLinearization(model, ops, options.budget_steps);
        steps += outcome.steps;
        if (outcome.verdict == Verdict::kValid) ++valid_keys;
        if (outcome.verdict == Verdict::kUnknown) {
            ++unknown_keys;
            evidence += fmt::format("key {}: search budget of {} steps exhausted\n",
                                    RenderValue(key), options.budget_steps);
        }
        if (outcome.verdict == Verdict::kInvalid) {
            // Only the first failing key is explained: explaining costs many searches.
            evidence += report.verdict == Verdict::kInvalid
                            ? fmt::format("key {}: not linearizable\n", RenderValue(key))
                            : Explain(model, values, key, operations, ops, options);
        }
        report.verdict = CombineVerdicts(report.verdict, outcome.verdict);
    }
    size_t invalid_keys = by_key.size() - valid_keys - unknown_keys;
    if (invalid_keys > 0) report.anomalies.push_back("nonlinearizable");
    report.text = fmt::format(
        "{}: {} model, {} key{}: {} linearizable, {} not, {} unknown ({} search steps)\n",
        VerdictName(report.verdict), model.name(), by_key.size(), by_key.size() == 1 ? "" : "s",
        valid_keys, invalid_keys, unknown_keys, steps);
    report.text += evidence;
    return report;
}

}  // namespace orrery::jepsen::checker
