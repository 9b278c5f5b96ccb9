// History generators. See generate.h.
//
// Invariants of a generated schedule: a slot's next invoke comes strictly after its previous
// completion; every effect instant lies strictly inside its op's window (or, for an info op,
// strictly after its invoke); so any order of events with equal times stays consistent with
// the effects.
#include "jepsen/checker/generate.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string>

#include "jepsen/checker/operation.h"

namespace orrery::jepsen::checker {
namespace {

// When one operation runs and whether it takes effect.
struct Window {
    int64_t process = 0;
    int64_t invoke = 0;
    int64_t complete = 0;
    int64_t effect = 0;  // The instant it takes effect (if it does).
    bool info = false;
    bool applies = true;  // False for an info op that never took effect.
};

// Hands out windows for `concurrency` client slots.
class Scheduler {
public:
    Scheduler(Random& rng, size_t concurrency)
        : rng_(rng), free_at_(concurrency, 0), process_(concurrency) {
        for (size_t s = 0; s < concurrency; ++s) process_[s] = static_cast<int64_t>(s);
        next_process_ = static_cast<int64_t>(concurrency);
    }

    Window Next(double info_probability) {
        size_t slot = static_cast<size_t>(std::min_element(free_at_.begin(), free_at_.end()) -
                                          free_at_.begin());
        Window w;
        w.process = process_[slot];
        w.invoke = free_at_[slot] + rng_.Range(0, 5);
        w.complete = w.invoke + rng_.Range(2, 40);
        w.effect = rng_.Range(w.invoke + 1, w.complete - 1);
        w.info = rng_.Chance(info_probability);
        if (w.info) {
            w.applies = rng_.Chance(0.5);
            w.effect = rng_.Range(w.invoke + 1, w.complete + 60);  // May land after the timeout.
            process_[slot] = next_process_++;                      // Jepsen retires the process.
        }
        free_at_[slot] = w.complete + 1;
        return w;
    }

private:
    Random& rng_;
    std::vector<int64_t> free_at_;
    std::vector<int64_t> process_;
    int64_t next_process_ = 0;
};

struct Event {
    int64_t time;
    size_t op;
    bool completion;
};

// Emits invoke and completion events in time order.
History Emit(const std::vector<Window>& windows, const std::vector<Op>& invokes,
             const std::vector<Op>& completions) {
    std::vector<Event> events;
    for (size_t i = 0; i < windows.size(); ++i) {
        events.push_back({windows[i].invoke, i, false});
        events.push_back({windows[i].complete, i, true});
    }
    std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
        if (a.time != b.time) return a.time < b.time;
        if (a.op != b.op) return a.op < b.op;
        return !a.completion && b.completion;
    });
    History h;
    for (const Event& e : events) {
        Op op = e.completion ? completions[e.op] : invokes[e.op];
        op.time_us = e.time;
        h.Append(std::move(op));
    }
    return h;
}

std::vector<size_t> EffectOrder(const std::vector<Window>& windows) {
    std::vector<size_t> order(windows.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return windows[a].effect < windows[b].effect; });
    return order;
}

Op MakeOp(int64_t process, OpType type, const std::string& f, const std::string& key,
          nlohmann::json value) {
    Op op;
    op.process = process;
    op.type = type;
    op.f = f;
    op.key = key;
    op.value = std::move(value);
    if (type == OpType::kInfo) op.error = "timeout";
    return op;
}

}  // namespace

History GenerateRegisterHistory(Random& rng, const RegisterGenOptions& options) {
    Scheduler scheduler(rng, options.concurrency);
    std::vector<Window> windows;
    std::vector<Op> invokes, completions;
    std::vector<int64_t> next_value(options.keys, 1), last_written(options.keys, 0);
    std::vector<size_t> key_of;
    for (size_t i = 0; i < options.ops; ++i) {
        Window w = scheduler.Next(options.info_probability);
        size_t k = static_cast<size_t>(rng.Uniform(options.keys));
        std::string key = "r" + std::to_string(k);
        double roll = rng.NextDouble();
        nlohmann::json value;
        std::string f = "read";
        if (roll >= options.read_fraction) {
            bool cas = rng.Chance(0.4) && last_written[k] != 0;
            f = cas ? "cas" : "write";
            int64_t v = next_value[k]++;
            value = cas ? nlohmann::json::array({last_written[k], v}) : nlohmann::json(v);
            last_written[k] = v;
        }
        windows.push_back(w);
        key_of.push_back(k);
        invokes.push_back(MakeOp(w.process, OpType::kInvoke, f, key, value));
        completions.push_back(
            MakeOp(w.process, w.info ? OpType::kInfo : OpType::kOk, f, key, value));
    }
    std::vector<nlohmann::json> state(options.keys);  // null: never written.
    for (size_t i : EffectOrder(windows)) {
        if (!windows[i].applies) continue;
        nlohmann::json& current = state[key_of[i]];
        Op& done = completions[i];
        if (done.f == "read") {
            if (!windows[i].info) done.value = current;
        } else if (done.f == "write") {
            current = done.value;
        } else if (current == done.value[0]) {
            current = done.value[1];
        } else if (!windows[i].info) {
            done.type = OpType::kFail;  // The compare did not match: the cas did not happen.
        }
    }
    return Emit(windows, invokes, completions);
}

std::optional<int64_t> InjectStaleRead(History& history, int64_t not_before) {
    Result<std::vector<Operation>> paired = CollectOperations(history, SourceLines{});
    if (!paired.ok()) return std::nullopt;
    const std::vector<Operation>& ops = *paired;
    auto is_ok_write = [](const Operation& o) {
        return o.outcome == OpType::kOk && (o.f == "write" || o.f == "cas");
    };
    for (const Operation& read : ops) {
        if (read.f != "read" || read.outcome != OpType::kOk || read.invoke_index < not_before) {
            continue;
        }
        for (const Operation& w2 : ops) {
            if (!is_ok_write(w2) || w2.key != read.key || w2.complete_index > read.invoke_index)
                continue;
            for (const Operation& w1 : ops) {
                if (!is_ok_write(w1) || w1.key != read.key || w1.complete_index > w2.invoke_index)
                    continue;
                nlohmann::json stale = w1.f == "cas" ? w1.input[1] : w1.input;
                History changed;
                for (const Op& op : history.ops()) {
                    Op copy = op;
                    if (copy.index == read.complete_index) copy.value = stale;
                    changed.Append(std::move(copy));
                }
                history = std::move(changed);
                return read.complete_index;
            }
        }
    }
    return std::nullopt;
}

namespace {

// Returns `history` with the values of the events at `changed` (history index -> new value)
// replaced; everything else, times and order included, is kept.
History WithValues(const History& history, const std::map<int64_t, nlohmann::json>& changed) {
    History out;
    for (const Op& op : history.ops()) {
        Op copy = op;
        auto it = changed.find(copy.index);
        if (it != changed.end()) copy.value = it->second;
        out.Append(std::move(copy));
    }
    return out;
}

bool IsOkGet(const Operation& o) {
    return o.outcome == OpType::kOk && (o.f == "get" || o.f == "read");
}

bool IsOkKvWrite(const Operation& o) {
    return o.outcome == OpType::kOk && (o.f == "put" || o.f == "write" || o.f == "append");
}

// Each key's operations (positions in `ops`), in invocation order.
std::map<std::string, std::vector<size_t>> ByKey(const std::vector<Operation>& ops) {
    std::map<std::string, std::vector<size_t>> by_key;
    for (size_t i = 0; i < ops.size(); ++i) by_key[ops[i].key].push_back(i);
    return by_key;
}

}  // namespace

History GenerateKvHistory(Random& rng, const KvGenOptions& options) {
    ORRERY_ASSERT(options.keys > 0 && options.clients > 0, "a kv history needs keys and clients");
    Scheduler scheduler(rng, options.clients);
    std::vector<Window> windows;
    std::vector<Op> invokes, completions;
    std::vector<size_t> key_of;
    for (size_t i = 0; i < options.ops; ++i) {
        Window w = scheduler.Next(options.info_probability);
        size_t k = static_cast<size_t>(rng.Uniform(options.keys));
        std::string f = "get";
        nlohmann::json value;  // A get's invocation carries no value.
        if (!rng.Chance(options.get_fraction)) {
            f = rng.Chance(0.7) ? "append" : "put";
            value = fmt::format("x {} {} y", w.process, i);  // Unique: i is.
        }
        windows.push_back(w);
        key_of.push_back(k);
        invokes.push_back(MakeOp(w.process, OpType::kInvoke, f, std::to_string(k), value));
        completions.push_back(
            MakeOp(w.process, w.info ? OpType::kInfo : OpType::kOk, f, std::to_string(k), value));
    }
    std::vector<nlohmann::json> state(options.keys);  // null: never written.
    for (size_t i : EffectOrder(windows)) {
        if (!windows[i].applies) continue;
        nlohmann::json& current = state[key_of[i]];
        Op& done = completions[i];
        if (done.f == "get") {
            if (!windows[i].info) done.value = current;  // An info get's result is unknown.
        } else if (done.f == "put") {
            current = done.value;
        } else {
            std::string after = current.is_null() ? "" : current.get<std::string>();
            current = after + done.value.get<std::string>();
        }
    }
    return Emit(windows, invokes, completions);
}

std::optional<int64_t> InjectStaleGet(History& history, int64_t not_before) {
    Result<std::vector<Operation>> paired = CollectOperations(history, SourceLines{});
    if (!paired.ok()) return std::nullopt;
    const std::vector<Operation>& ops = *paired;
    std::map<std::string, std::vector<size_t>> by_key = ByKey(ops);
    for (const Operation& g : ops) {  // In invocation order.
        if (!IsOkGet(g) || g.invoke_index < not_before) continue;
        const std::vector<size_t>& mine = by_key[g.key];
        // W: an ok put or append that ran entirely before G; G0: an ok get entirely before W.
        for (size_t wi : mine) {
            const Operation& w = ops[wi];
            if (w.invoke_index >= g.invoke_index) break;
            if (!IsOkKvWrite(w) || w.complete_index > g.invoke_index) continue;
            for (size_t g0i : mine) {
                const Operation& g0 = ops[g0i];
                if (g0.invoke_index >= w.invoke_index) break;
                if (!IsOkGet(g0) || g0.complete_index > w.invoke_index) continue;
                if (g0.output.is_null() || g0.output == g.output) continue;
                history = WithValues(history, {{g.complete_index, g0.output}});
                return g.complete_index;
            }
        }
    }
    return std::nullopt;
}

std::optional<int64_t> InjectLostAppend(History& history, int64_t not_before) {
    Result<std::vector<Operation>> paired = CollectOperations(history, SourceLines{});
    if (!paired.ok()) return std::nullopt;
    const std::vector<Operation>& ops = *paired;
    std::map<std::string, std::vector<size_t>> by_key = ByKey(ops);
    // True if a put or cas of the key could take effect inside [from, to]: it is not a fail,
    // was invoked before `to` and had not returned by `from` (an info one never returns).
    auto overwrite_between = [&](const std::vector<size_t>& mine, int64_t from, int64_t to) {
        return std::any_of(mine.begin(), mine.end(), [&](size_t pi) {
            const Operation& p = ops[pi];
            bool overwrites = p.f == "put" || p.f == "write" || p.f == "cas";
            return overwrites && p.outcome != OpType::kFail && p.invoke_index < to &&
                   p.return_position() > from;
        });
    };
    for (const Operation& g : ops) {  // In invocation order.
        if (!IsOkGet(g) || g.invoke_index < not_before || !g.output.is_string()) continue;
        const std::string& seen = g.output.get_ref<const std::string&>();
        const std::vector<size_t>& mine = by_key[g.key];
        for (auto it = mine.rbegin(); it != mine.rend(); ++it) {  // Nearest appends first.
            const Operation& a = ops[*it];
            if (a.invoke_index >= g.invoke_index) continue;
            if (a.outcome != OpType::kOk || a.f != "append" || !a.input.is_string() ||
                a.complete_index > g.invoke_index) {
                continue;
            }
            const std::string& token = a.input.get_ref<const std::string&>();
            // The get saw more than the token, so the loss leaves a value, not "".
            if (seen.size() <= token.size() || seen.find(token) == std::string::npos) continue;
            if (overwrite_between(mine, a.invoke_index, g.complete_index)) continue;
            std::map<int64_t, nlohmann::json> changed;  // Every get that saw the token.
            for (size_t oi : mine) {
                const Operation& o = ops[oi];
                if (!IsOkGet(o) || !o.output.is_string()) continue;
                std::string value = o.output.get<std::string>();
                size_t at = value.find(token);
                if (at == std::string::npos) continue;
                changed[o.complete_index] = value.erase(at, token.size());
            }
            ORRERY_ASSERT(changed.count(g.complete_index) == 1, "G saw the token");
            history = WithValues(history, changed);
            return g.complete_index;
        }
    }
    return std::nullopt;
}

namespace {

// Draws one transaction's micro-ops over the active keys, retiring keys that are full.
nlohmann::json DrawTxn(Random& rng, const ListAppendGenOptions& options,
                       std::vector<int64_t>& active, std::map<int64_t, size_t>& appends,
                       int64_t& next_key, int64_t& next_value) {
    nlohmann::json micro = nlohmann::json::array();
    auto count = static_cast<size_t>(rng.Range(1, static_cast<int64_t>(options.micro_ops_max)));
    for (size_t m = 0; m < count; ++m) {
        size_t slot = static_cast<size_t>(rng.Uniform(active.size()));
        int64_t key = active[slot];
        if (rng.Chance(0.5)) {
            micro.push_back(nlohmann::json::array({"r", key, nullptr}));
            continue;
        }
        micro.push_back(nlohmann::json::array({"append", key, next_value++}));
        if (++appends[key] >= options.appends_per_key_max) active[slot] = next_key++;
    }
    return micro;
}

}  // namespace

History GenerateListAppendHistory(Random& rng, const ListAppendGenOptions& options) {
    Scheduler scheduler(rng, options.concurrency);
    std::vector<int64_t> active;
    int64_t next_key = 0, next_value = 1;
    for (size_t k = 0; k < options.active_keys; ++k) active.push_back(next_key++);
    std::map<int64_t, size_t> appends;
    std::vector<Window> windows;
    std::vector<Op> invokes, completions;
    for (size_t i = 0; i < options.txns; ++i) {
        Window w = scheduler.Next(options.info_probability);
        bool fails = !w.info && rng.Chance(options.fail_probability);
        if (fails) w.applies = false;
        nlohmann::json micro = DrawTxn(rng, options, active, appends, next_key, next_value);
        windows.push_back(w);
        invokes.push_back(MakeOp(w.process, OpType::kInvoke, "txn", "", micro));
        OpType done = w.info ? OpType::kInfo : fails ? OpType::kFail : OpType::kOk;
        completions.push_back(MakeOp(w.process, done, "txn", "", micro));
        if (fails) completions.back().error = "aborted";
    }
    std::map<int64_t, std::vector<int64_t>> lists;
    for (size_t i : EffectOrder(windows)) {
        if (!windows[i].applies) continue;
        bool record = completions[i].type == OpType::kOk;
        for (nlohmann::json& m : completions[i].value) {
            std::vector<int64_t>& list = lists[m[1].get<int64_t>()];
            if (m[0] == "append")
                list.push_back(m[2].get<int64_t>());
            else if (record)
                m[2] = list;
        }
    }
    return Emit(windows, invokes, completions);
}

}  // namespace orrery::jepsen::checker
