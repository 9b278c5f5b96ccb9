// The list-append workload's client process. See list_append_workload.h.
#include "jepsen/runner/list_append_workload.h"

#include <fmt/format.h>

#include <charconv>

namespace orrery::jepsen::runner {

std::vector<int64_t> ParseAppendList(const std::optional<std::string>& stored) {
    std::vector<int64_t> out;
    if (!stored) return out;
    const char* p = stored->data();
    const char* end = p + stored->size();
    while (p < end) {
        int64_t v = -1;
        auto [next, ec] = std::from_chars(p, end, v);
        out.push_back(ec == std::errc() ? v : -1);
        p = next;
        while (p < end && *p != ' ') ++p;  // Skip garbage up to the separator.
        if (p < end) ++p;
    }
    return out;
}

namespace {

constexpr int kMaxMicroOps = 4;

class ListAppendProcess final : public TxnProcess {
public:
    ListAppendProcess(Env& env, ListAppendWorkload& w, uint32_t index)
        : TxnProcess(env, w, index, "list-append"), workload_(w) {
        ScheduleNext();
    }

private:
    void Invoke() override {
        int n = static_cast<int>(rng().Range(1, kMaxMicroOps));
        nlohmann::json txn = nlohmann::json::array();
        for (int i = 0; i < n; ++i) {
            std::string key = fmt::format("x{}", rng().Uniform(workload_.options().keys));
            if (rng().Chance(0.5)) {
                txn.push_back({"r", key, nullptr});
            } else {
                txn.push_back({"append", key, workload_.NextValue()});
            }
        }
        result_ = txn;
        Start("txn", txn);
        client().Begin([this](const node::TxnOutcome& o) {
            if (o.type != node::KvOutcome::Type::kOk) return Abandon(o);
            Step(0);
        });
    }

    // Runs micro-op i (each is one read at the snapshot), then the next; commits after the last.
    void Step(size_t i) {
        if (i == result_.size()) {
            return client().Commit([this](const node::TxnOutcome& c) { FinishFrom(c, result_); });
        }
        std::string key = result_[i][1].get<std::string>();
        client().Get(key, [this, i, key](const node::TxnOutcome& g) {
            if (g.type != node::KvOutcome::Type::kOk) return Abandon(g);
            std::vector<int64_t> list = ParseAppendList(g.value);
            if (result_[i][0] == "r") {
                result_[i][2] = list;
            } else {
                int64_t v = result_[i][2].get<int64_t>();
                std::string stored = g.value.value_or("");
                client().Set(key, stored.empty() ? std::to_string(v)
                                                 : fmt::format("{} {}", stored, v));
            }
            Step(i + 1);
        });
    }

    ListAppendWorkload& workload_;
    nlohmann::json result_;  // The transaction, with reads filled in as they complete.
};

}  // namespace

sim::ProcessFactory ListAppendWorkload::ClientFactory(uint32_t index) {
    return [this, index](Env& env) -> std::unique_ptr<sim::Process> {
        return std::make_unique<ListAppendProcess>(env, *this, index);
    };
}

}  // namespace orrery::jepsen::runner
