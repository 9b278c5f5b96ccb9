// MvccTxnStore: the transaction interface (txn.h) on an mvcc::Mvcc.
//
// One class serves both worlds. The embedded database (embedded.h) owns its Mvcc and decides
// commits locally; a cluster node passes the Mvcc of its replicated state machine and decides
// commits through Raft. Either way the store never commits by itself: Txn::CommitRequest() hands
// the request to whoever drives the session.
//
// Unlogged readers (docs/07-mvcc.md §7.13): with `unlogged_readers` (the default, and what the
// cluster does) a transaction that wrote nothing needs no commit decision even under
// serializable isolation, and the deciding side must pass CommitRules::unlogged_readers, which
// makes writers abort on any rw out-conflict instead, so the read-only anomaly stays impossible.
// Without it, a serializable reader commits a read-only validation entry (the single-node
// design of §7.6).
#pragma once

#include <memory>

#include "mvcc/mvcc.h"
#include "sql/txn.h"

namespace orrery::sql {

class MvccTxnStore final : public TxnStore {
public:
    // `mvcc` must outlive the store and every transaction it began.
    explicit MvccTxnStore(mvcc::Mvcc& mvcc, bool unlogged_readers = true)
        : mvcc_(mvcc), unlogged_readers_(unlogged_readers) {}

    Result<std::unique_ptr<Txn>> Begin(const TxnOptions& options) override;
    mvcc::Version last_version() const override { return mvcc_.last_version(); }
    bool unlogged_readers() const { return unlogged_readers_; }

private:
    mvcc::Mvcc& mvcc_;
    bool unlogged_readers_;
};

}  // namespace orrery::sql
