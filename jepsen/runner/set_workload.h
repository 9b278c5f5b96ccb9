// The set workload (Jepsen's set test) over the replicated store, through MVCC transactions
// (node/txn_client.h).
//
// An element is a unique integer; adding e writes the key "set/" + 12-digit e. Each client
// repeats, at random:
//   add   - begin; set the element's key; commit (one log entry). Records {"f": "add", e}.
//   read  - begin; scan ["set/", "set0") in pages of kMaxScanLimit keys, all at one snapshot;
//           commit (read-only, no log entry). Records the list of elements found, in key order.
// Elements are drawn from one counter shared by all clients, so every add is unique and a read
// names exactly the adds it saw. The set checker (checker/set_checker.h) then demands that every
// add acknowledged before the last ok read is in it (nothing lost) and that no read holds an
// element nobody tried to add (nothing invented).
#pragma once

#include <cstdint>
#include <string>

#include "jepsen/runner/workload.h"

namespace orrery::jepsen::runner {

class SetWorkload final : public TxnWorkloadBase {
public:
    using TxnWorkloadBase::TxnWorkloadBase;
    sim::ProcessFactory ClientFactory(uint32_t index) override;
    std::string_view model() const override { return "set"; }

    // The next unique element.
    int64_t NextElement() { return next_element_++; }

private:
    int64_t next_element_ = 1;
};

}  // namespace orrery::jepsen::runner
