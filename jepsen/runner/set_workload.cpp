// The set workload's client process. See set_workload.h.
#include "jepsen/runner/set_workload.h"

#include <fmt/format.h>

#include <charconv>

namespace orrery::jepsen::runner {
namespace {

constexpr std::string_view kPrefix = "set/";
constexpr std::string_view kEnd = "set0";  // '0' follows '/': the end of the prefix range.

std::string ElementKey(int64_t e) { return fmt::format("{}{:012}", kPrefix, e); }

// The element of a key, or -1 for a key that is not one (the checker reports it as unexpected).
int64_t ElementOf(std::string_view key) {
    if (!key.starts_with(kPrefix)) return -1;
    key.remove_prefix(kPrefix.size());
    int64_t e = 0;
    auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), e);
    return ec == std::errc() && end == key.data() + key.size() ? e : -1;
}

class SetProcess final : public TxnProcess {
public:
    SetProcess(Env& env, SetWorkload& w, uint32_t index)
        : TxnProcess(env, w, index, "set"), set_(w) {
        ScheduleNext();
    }

private:
    void Invoke() override {
        if (rng().Chance(0.25)) return Read();
        int64_t e = set_.NextElement();
        Start("add", e);
        client().Begin([this, e](const node::TxnOutcome& o) {
            if (o.type != node::KvOutcome::Type::kOk) return Abandon(o);
            client().Set(ElementKey(e), "1");
            client().Commit([this](const node::TxnOutcome& c) { FinishFrom(c, invoked()); });
        });
    }

    void Read() {
        Start("read", nullptr);
        client().Begin([this](const node::TxnOutcome& o) {
            if (o.type != node::KvOutcome::Type::kOk) return Abandon(o);
            ReadPage(std::string(kPrefix), nlohmann::json::array());
        });
    }

    // Scans one page of at most kMaxScanLimit keys from `from`, all at the transaction's one
    // snapshot, and continues after its last key until a page comes back short.
    void ReadPage(std::string from, nlohmann::json elements) {
        client().Scan(std::move(from), std::string(kEnd), node::kMaxScanLimit,
                      [this, elements = std::move(elements)](const node::TxnOutcome& s) mutable {
                          if (s.type != node::KvOutcome::Type::kOk) return Abandon(s);
                          for (const auto& [k, v] : s.pairs) elements.push_back(ElementOf(k));
                          if (s.pairs.size() == node::kMaxScanLimit) {
                              return ReadPage(s.pairs.back().first + '\0', std::move(elements));
                          }
                          client().Commit([this, elements](const node::TxnOutcome& c) {
                              FinishFrom(c, elements);
                          });
                      });
    }

    SetWorkload& set_;
};

}  // namespace

sim::ProcessFactory SetWorkload::ClientFactory(uint32_t index) {
    return [this, index](Env& env) -> std::unique_ptr<sim::Process> {
        return std::make_unique<SetProcess>(env, *this, index);
    };
}

}  // namespace orrery::jepsen::runner
