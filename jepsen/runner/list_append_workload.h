// The Elle list-append workload (Kingsbury & Alvaro, "Elle", VLDB 2020) over MVCC transactions
// (node/txn_client.h).
//
// Each client repeats one transaction of 1..4 micro-ops over the keys x0..x{keys-1}:
//   ["r", k, null]      read the whole list at k (filled in on ok: ["r", k, [1, 4]]);
//   ["append", k, v]    append v, a value unique per key across the run (a shared counter).
// A list is stored as its decimal elements separated by spaces; an append is a read of the key
// followed by a buffered write of the longer list, so it also joins the read set. The commit
// is one log entry when the transaction appended, and none when it only read.
//
// Outcomes: ok (committed; reads known), fail (a serialization failure or a failed read:
// nothing committed), info (the commit's fate is unknown). The Elle checker
// (checker/elle.h, model list-append) infers ww/wr/rw dependencies and looks for cycles:
// with SSI there must be none; with the mvcc.snapshot-only bug, write skew shows up as
// G2-item (two transactions each missing the other's append).
#pragma once

#include <cstdint>
#include <vector>
#include <string>
#include <optional>

#include "jepsen/runner/workload.h"

namespace orrery::jepsen::runner {

// A stored list: its decimal elements separated by spaces ("1 4 9"); absent is the empty list.
// A malformed element parses as -1, which no append wrote, so the checker reports it rather
// than the workload hiding it. Shared with the real-cluster workload (tools/jepsen_real.h).
std::vector<int64_t> ParseAppendList(const std::optional<std::string>& stored);

class ListAppendWorkload final : public TxnWorkloadBase {
public:
    using TxnWorkloadBase::TxnWorkloadBase;
    sim::ProcessFactory ClientFactory(uint32_t index) override;
    std::string_view model() const override { return "list-append"; }

    // The next value to append (unique across the run).
    int64_t NextValue() { return ++last_value_; }

private:
    int64_t last_value_ = 0;
};

}  // namespace orrery::jepsen::runner
