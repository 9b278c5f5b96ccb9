// The bank workload's client process. See bank_workload.h.
#include "jepsen/runner/bank_workload.h"

#include <fmt/format.h>

#include <charconv>

namespace orrery::jepsen::runner {
namespace {

std::string Account(int i) { return fmt::format("acct{}", i); }

// A stored balance, or the initial balance of an account never written. Garbage becomes a
// value the checker rejects (a huge negative), never a silent default.
int64_t Balance(const std::optional<std::string>& stored) {
    if (!stored) return kBankInitialBalance;
    int64_t v = 0;
    auto [end, ec] = std::from_chars(stored->data(), stored->data() + stored->size(), v);
    return ec == std::errc() && end == stored->data() + stored->size() ? v : INT64_MIN / 2;
}

class BankProcess final : public TxnProcess {
public:
    BankProcess(Env& env, TxnWorkloadBase& w, uint32_t index) : TxnProcess(env, w, index, "bank") {
        ScheduleNext();
    }

private:
    void Invoke() override {
        if (rng().Chance(0.5)) return Read();
        int from = static_cast<int>(rng().Uniform(kBankAccounts));
        int to = static_cast<int>(rng().Uniform(kBankAccounts - 1));
        if (to >= from) ++to;
        int64_t amount = rng().Range(1, 5);
        Start("transfer", {{"from", Account(from)}, {"to", Account(to)}, {"amount", amount}});
        client().Begin([this, from, to, amount](const node::TxnOutcome& o) {
            if (o.type != node::KvOutcome::Type::kOk) return Abandon(o);
            client().Get(Account(from), [this, from, to, amount](const node::TxnOutcome& f) {
                if (f.type != node::KvOutcome::Type::kOk) return Abandon(f);
                int64_t from_balance = Balance(f.value);
                client().Get(Account(to), [this, from, to, amount, from_balance](
                                              const node::TxnOutcome& t) {
                    if (t.type != node::KvOutcome::Type::kOk) return Abandon(t);
                    Transfer(from, to, amount, from_balance, Balance(t.value));
                });
            });
        });
    }

    void Transfer(int from, int to, int64_t amount, int64_t from_balance, int64_t to_balance) {
        if (from_balance < amount) {
            client().Rollback();
            return Finish(OpType::kFail, invoked(), "insufficient funds");
        }
        client().Set(Account(from), std::to_string(from_balance - amount));
        client().Set(Account(to), std::to_string(to_balance + amount));
        client().Commit([this](const node::TxnOutcome& c) { FinishFrom(c, invoked()); });
    }

    void Read() {
        Start("read", nullptr);
        client().Begin([this](const node::TxnOutcome& o) {
            if (o.type != node::KvOutcome::Type::kOk) return Abandon(o);
            client().Scan("acct", "acct~", 100, [this](const node::TxnOutcome& s) {
                if (s.type != node::KvOutcome::Type::kOk) return Abandon(s);
                nlohmann::json balances = nlohmann::json::object();
                for (int i = 0; i < kBankAccounts; ++i) balances[Account(i)] = kBankInitialBalance;
                for (const auto& [k, v] : s.pairs) balances[k] = Balance(v);
                client().Commit([this, balances](const node::TxnOutcome& c) {
                    FinishFrom(c, balances);
                });
            });
        });
    }
};

}  // namespace

sim::ProcessFactory BankWorkload::ClientFactory(uint32_t index) {
    return [this, index](Env& env) -> std::unique_ptr<sim::Process> {
        return std::make_unique<BankProcess>(env, *this, index);
    };
}

checker::CheckOptions BankWorkload::check_options() const {
    checker::CheckOptions o;
    o.total = kBankAccounts * kBankInitialBalance;
    return o;
}

}  // namespace orrery::jepsen::runner
