// MvccTxnStore (mvcc_txn_store.h): thin adapters from txn.h to mvcc::Transaction.
#include "sql/mvcc_txn_store.h"

#include "core/assert.h"
#include "mvcc/transaction.h"

namespace orrery::sql {
namespace {

class MvccKvIterator final : public KvIterator {
public:
    explicit MvccKvIterator(std::unique_ptr<mvcc::ScanIterator> it) : it_(std::move(it)) {}
    bool Valid() const override { return it_->Valid(); }
    void Next() override { it_->Next(); }
    std::string_view key() const override { return it_->key(); }
    std::string_view value() const override { return it_->value(); }
    Status status() const override { return it_->status(); }

private:
    std::unique_ptr<mvcc::ScanIterator> it_;
};

class MvccTxn final : public Txn {
public:
    MvccTxn(mvcc::Transaction txn, bool unlogged_readers)
        : txn_(std::move(txn)), unlogged_readers_(unlogged_readers) {}
    ~MvccTxn() override {
        if (txn_.state() == mvcc::Transaction::State::kActive) txn_.Rollback();
    }

    mvcc::Version snapshot() const override { return txn_.snapshot(); }
    bool read_only() const override { return txn_.read_only(); }
    mvcc::Isolation isolation() const override { return txn_.isolation(); }

    Result<std::optional<std::string>> Get(std::string_view key) override {
        return txn_.Get(key);
    }
    Result<std::unique_ptr<KvIterator>> Scan(const mvcc::KeyRange& range) override {
        return ScanIn(range, mvcc::Transaction::View::kAll);
    }
    void BeginStatement() override { txn_.BeginStatement(); }
    Result<std::optional<std::string>> GetAtStatementStart(std::string_view key) override {
        return txn_.Get(key, mvcc::Transaction::View::kStatementStart);
    }
    Result<std::unique_ptr<KvIterator>> ScanAtStatementStart(const mvcc::KeyRange& range) override {
        return ScanIn(range, mvcc::Transaction::View::kStatementStart);
    }
    Status Put(std::string_view key, std::string_view value) override {
        return txn_.Set(key, value);
    }
    Status Delete(std::string_view key) override {
        return txn_.Delete(key);
    }

    std::optional<mvcc::CommitRequest> CommitRequest() const override {
        if (!txn_.NeedsCommitEntry()) return std::nullopt;
        mvcc::CommitRequest req = txn_.BuildCommitRequest();
        if (unlogged_readers_ && req.writes.empty()) return std::nullopt;
        return req;
    }

    void Finish(bool committed) override {
        ORRERY_ASSERT(txn_.state() == mvcc::Transaction::State::kActive, "Finish called twice");
        if (committed) {
            txn_.Finish(true);
        } else {
            txn_.Rollback();
        }
    }

private:
    Result<std::unique_ptr<KvIterator>> ScanIn(const mvcc::KeyRange& range,
                                               mvcc::Transaction::View view) {
        ORRERY_ASSIGN_OR_RETURN(auto it, txn_.Scan(range, view));
        return std::unique_ptr<KvIterator>(std::make_unique<MvccKvIterator>(std::move(it)));
    }

    mvcc::Transaction txn_;
    bool unlogged_readers_;
};

}  // namespace

Result<std::unique_ptr<Txn>> MvccTxnStore::Begin(const TxnOptions& options) {
    mvcc::TxnOptions opts;
    if (options.as_of) {
        opts = mvcc::TxnOptions::AsOf(*options.as_of);
    } else if (options.read_only) {
        opts = mvcc::TxnOptions::ReadOnly(options.isolation);
    } else {
        opts = mvcc::TxnOptions::ReadWrite(options.isolation);
    }
    ORRERY_ASSIGN_OR_RETURN(mvcc::Transaction txn, mvcc_.Begin(opts));
    return std::unique_ptr<Txn>(std::make_unique<MvccTxn>(std::move(txn), unlogged_readers_));
}

}  // namespace orrery::sql
