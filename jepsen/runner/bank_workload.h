// The bank workload (Jepsen's bank test) over MVCC transactions (node/txn_client.h).
//
// kAccounts accounts acct0..acct4 each start with kInitialBalance; an account never written
// holds its initial balance, so no set-up step is needed and the total is invariant. Each
// client repeats, at random:
//   read     - begin; scan [acct, acct~) (a range read, so phantoms matter); commit, which is
//              read-only and costs no log entry. Records {"acct0": 20, ...}.
//   transfer - begin; get from; get to; if from holds less than the amount, roll back and
//              record fail (nothing happened); else set both and commit (one log entry).
//              Records {"from": .., "to": .., "amount": ..}; a serialization failure is fail.
// The bank checker (checker/bank.h) then demands that every ok read sums to the total and no
// balance is negative.
#pragma once

#include <string>

#include "jepsen/runner/workload.h"

namespace orrery::jepsen::runner {

inline constexpr int kBankAccounts = 5;
inline constexpr int64_t kBankInitialBalance = 20;

class BankWorkload final : public TxnWorkloadBase {
public:
    using TxnWorkloadBase::TxnWorkloadBase;
    sim::ProcessFactory ClientFactory(uint32_t index) override;
    std::string_view model() const override { return "bank"; }
    checker::CheckOptions check_options() const override;
};

}  // namespace orrery::jepsen::runner
