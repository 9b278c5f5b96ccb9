// Per-key linearizability checking and the explanation of a violation. See
// linearizability.h.
#include "jepsen/checker/linearizability.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>

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

// Drops the writes and cas of unknown outcome whose value no operation of the key ever
// observes (no ok read returns it, no cas expects it). If a linearization places such a write,
// the same order without it is legal too: until the next write nothing looks at the register,
// since anything that did would have observed the unobserved value. So dropping them changes
// no verdict, and it removes what makes the search exponential: every unknown write may happen
// or not, and the memo cannot merge orders that differ in which ones happened.
//
// Appends (the kv model) need their own argument. "The register holds the last value written"
// no longer holds: after put "a" and append "b" the key holds "ab", and a get of "ab" observes
// the put although no operation returns "a". So on a key with appends no put or cas is dropped.
// An append of unknown outcome is dropped when no ok get's value and no cas's expected value
// contains its suffix (Model::MaySee). If a linearization places it, its suffix stays in the
// value until the next put or cas; no get and no cas can run in that stretch (they would see
// the suffix), so only appends run there, and they stay legal without it (the value before it
// was a string or null, or it could not have run). After the put, the states are the same.
std::vector<LinOp> DropUnobservedUnknowns(const Model& model, std::vector<LinOp> ops) {
    bool appends = std::any_of(ops.begin(), ops.end(), [](const LinOp& op) {
        return op.op.kind == ModelOp::Kind::kAppend;
    });
    std::set<int64_t> observed;
    for (const LinOp& op : ops) {
        if (op.op.kind == ModelOp::Kind::kRead && op.ret != kNeverReturns) observed.insert(op.op.a);
        if (op.op.kind == ModelOp::Kind::kCas) observed.insert(op.op.a);
    }
    std::erase_if(ops, [&](const LinOp& op) {
        if (op.ret != kNeverReturns || op.op.kind == ModelOp::Kind::kRead) return false;
        if (appends && op.op.kind != ModelOp::Kind::kAppend) return false;
        return std::none_of(observed.begin(), observed.end(),
                            [&](int64_t value) { return model.MaySee(value, op.op); });
    });
    return ops;
}

// The window of `ops` from position `start` on, for a search from kAnyState: operations that
// completed before `start` are left out (whatever they did is in the unknown starting state);
// a read still running at `start` is left out too; a write or cas called before `start` and
// not yet returned becomes of unknown outcome (it may take effect before the window, inside
// it, or never). Each of these only weakens the history, so a window that is not linearizable
// from any state proves the whole history is not. Windows from later starts are weaker still.
std::vector<LinOp> Window(const Model& model, const std::vector<LinOp>& ops, int64_t start) {
    std::vector<LinOp> out;
    for (const LinOp& op : ops) {
        if (op.call >= start) {
            out.push_back(op);
            continue;
        }
        if (op.ret != kNeverReturns && op.ret < start) continue;
        if (op.op.kind == ModelOp::Kind::kRead) continue;
        LinOp copy = op;
        copy.ret = kNeverReturns;
        out.push_back(copy);
    }
    // Unknown writes from long before whose values only earlier operations read: gone too.
    return DropUnobservedUnknowns(model, std::move(out));
}

// Returns the latest call position from which the window of `ops` is still not linearizable
// from any state (binary search: the windows weaken as the start moves later), or nullopt if
// even the whole of `ops` needs its initial state to fail (e.g. a read of the never-written
// register after a write).
std::optional<int64_t> LatestWindowStart(const Model& model, const std::vector<LinOp>& ops,
                                         uint64_t budget) {
    std::vector<int64_t> calls;
    for (const LinOp& op : ops) calls.push_back(op.call);
    std::sort(calls.begin(), calls.end());
    auto invalid_from = [&](size_t i) {
        return SearchLinearization(model, Window(model, ops, calls[i]), budget, kAnyState).verdict ==
               Verdict::kInvalid;
    };
    if (calls.empty() || !invalid_from(0)) return std::nullopt;
    size_t lo = 0, hi = calls.size() - 1;  // invalid_from(lo) holds.
    while (lo < hi) {
        size_t mid = lo + (hi - lo + 1) / 2;
        if (invalid_from(mid)) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    return calls[lo];
}

struct WitnessResult {
    std::vector<LinOp> ops;  // Ok ops first (by call), then the unknown ones.
    bool complete = true;    // False if the explanation budget ran out before every try.
};

// Relaxes completed operations while the history stays non-linearizable, by delta debugging:
// a whole group is tried at once, and a group that cannot be relaxed whole is split in halves,
// down to single operations, so the result is 1-minimal (no single operation left could be
// relaxed) after O(k log n) searches for k operations kept of n. Reads go first, as one group
// (removing reads makes every later search cheaper), then writes and cas, each newest first.
// Returns what is left: the completed operations that could not be relaxed, then the
// operations of unknown outcome (info, still running at the cut, or relaxed writes). The tries
// share options.explain_budget_steps; when it runs out the rest stay unrelaxed.
WitnessResult Witness(const Model& model, std::vector<LinOp> ops, uint64_t initial,
                      const LinearizabilityOptions& options) {
    std::vector<size_t> reads, writes;
    for (size_t i = 0; i < ops.size(); ++i) {
        if (ops[i].ret == kNeverReturns) continue;
        (ops[i].op.kind == ModelOp::Kind::kRead ? reads : writes).push_back(i);
    }
    auto newest_first = [&](size_t a, size_t b) { return ops[a].ret > ops[b].ret; };
    std::sort(reads.begin(), reads.end(), newest_first);
    std::sort(writes.begin(), writes.end(), newest_first);
    // Relaxing only weakens the history (a relaxed op may still happen, at any later time, or
    // never), so a relaxed history that is still not linearizable proves the original is not.
    // Dropping a write outright would not: a read of its value would become impossible.
    std::vector<bool> relaxed(ops.size(), false);
    auto trial = [&](const std::vector<size_t>& group) {
        std::vector<bool> relax = relaxed;
        for (size_t i : group) relax[i] = true;
        std::vector<LinOp> out;
        for (size_t j = 0; j < ops.size(); ++j) {
            if (!relax[j]) {
                out.push_back(ops[j]);
            } else if (ops[j].op.kind != ModelOp::Kind::kRead) {
                out.push_back(ops[j]);
                out.back().ret = kNeverReturns;
            }  // A relaxed read constrains nothing: left out.
        }
        return out;
    };
    WitnessResult result;
    uint64_t left = options.explain_budget_steps;
    std::function<void(std::vector<size_t>)> relax_group = [&](std::vector<size_t> group) {
        if (group.empty()) return;
        if (left == 0) {
            result.complete = false;
            return;
        }
        SearchOutcome o =
            SearchLinearization(model, trial(group), std::min(left, options.budget_steps), initial);
        left -= std::min(left, o.steps);
        if (o.verdict == Verdict::kInvalid) {
            for (size_t i : group) relaxed[i] = true;
            return;
        }
        if (group.size() == 1) return;  // Needed (or unknown: kept, to be safe).
        std::vector<size_t> second(group.begin() + static_cast<long>(group.size() / 2), group.end());
        group.resize(group.size() / 2);
        relax_group(std::move(group));
        relax_group(std::move(second));
    };
    relax_group(reads);
    relax_group(writes);
    for (size_t j = 0; j < ops.size(); ++j) {
        if (!relaxed[j]) {
            result.ops.push_back(ops[j]);
        } else if (ops[j].op.kind != ModelOp::Kind::kRead) {
            result.ops.push_back(ops[j]);
            result.ops.back().ret = kNeverReturns;
        }
    }
    std::stable_sort(result.ops.begin(), result.ops.end(), [](const LinOp& a, const LinOp& b) {
        bool unknown_a = a.ret == kNeverReturns, unknown_b = b.ret == kNeverReturns;
        return unknown_a != unknown_b ? unknown_b : a.call < b.call;
    });
    return result;
}

// "12.345ms", as `orrery trace show` prints times, so a reader can look the op up in the trace.
std::string Millis(int64_t us) {
    return fmt::format("{}.{:03d}ms", us / 1000, static_cast<int>(us % 1000));
}

// When an op ran in real time, the client that ran it and the server that answered, as far as
// the history says: "(c1002, 1203.456ms..1210.000ms, answered by n3)".
std::string WhoAndWhen(const Operation& o) {
    std::string out = "(";
    if (o.node != 0) out += fmt::format("{}{}, ", o.node >= 1000 ? "c" : "n", o.node);
    if (o.complete_time_us < 0 || o.outcome == OpType::kInfo) {
        out += "invoked at " + Millis(o.invoke_time_us);
    } else {
        out += Millis(o.invoke_time_us) + ".." + Millis(o.complete_time_us);
    }
    if (o.server != 0) out += fmt::format(", answered by n{}", o.server);
    return out + ")";
}

std::string Explain(const Model& model, const ValueTable& values, const std::string& key,
                    const std::vector<Operation>& operations, const std::vector<LinOp>& ops,
                    const LinearizabilityOptions& options) {
    constexpr size_t kUnknownShownMax = 8;
    int64_t cut = MinimalCut(model, ops, options.budget_steps);
    std::vector<LinOp> prefix = Prefix(ops, cut);
    std::optional<int64_t> start = LatestWindowStart(model, prefix, options.budget_steps);
    WitnessResult result = start ? Witness(model, Window(model, prefix, *start), kAnyState, options)
                                 : Witness(model, prefix, model.Init(), options);
    const std::vector<LinOp>& witness = result.ops;
    std::string out = fmt::format("key {} is not linearizable (already at history position {}",
                                  RenderValue(key), cut - 1);
    if (start && *start > 0) {
        out += fmt::format(", and whatever it held before position {}", *start);
    }
    out += "). These completed operations conflict:\n";
    size_t unknown = 0;
    for (const LinOp& op : witness) {
        const Operation& o = operations[op.source];
        if (op.ret != kNeverReturns) {
            out += fmt::format("  [{}..{}] p{} {}  {}\n", op.call, op.ret, o.process,
                               model.Describe(op.op, values), WhoAndWhen(o));
            continue;
        }
        if (unknown++ == 0)
            out +=
                "whatever these did (each may take effect once, any time after its call, or "
                "never):\n";
        if (unknown <= kUnknownShownMax) {
            out +=
                fmt::format("  [{}..] p{} {}  {}\n", op.call, o.process,
                            model.Describe(op.op, values), WhoAndWhen(o));
        }
    }
    if (unknown > kUnknownShownMax)
        out += fmt::format("  (and {} more)\n", unknown - kUnknownShownMax);
    if (!result.complete) {
        out += fmt::format(
            "(the explanation stopped after {} search steps: some operations listed may not be "
            "needed)\n",
            options.explain_budget_steps);
    }
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
    for (auto& [key, key_ops] : by_key) {
        std::vector<LinOp> ops = DropUnobservedUnknowns(model, std::move(key_ops));
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
