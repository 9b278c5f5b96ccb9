// The execution half of a transaction. See transaction.h.
#include "mvcc/transaction.h"

#include <fmt/format.h>

namespace orrery::mvcc {

Transaction::Transaction(Mvcc* mvcc, uint64_t id, Version snapshot, TxnOptions options)
    : mvcc_(mvcc), id_(id), snapshot_(snapshot), options_(options) {
    mvcc_->RegisterSnapshot(snapshot_);
}

Transaction::Transaction(Transaction&& other) noexcept
    : mvcc_(other.mvcc_),
      id_(other.id_),
      snapshot_(other.snapshot_),
      options_(other.options_),
      state_(other.state_),
      writes_(std::move(other.writes_)),
      statement_before_(std::move(other.statement_before_)),
      statements_(other.statements_),
      read_keys_(std::move(other.read_keys_)),
      read_ranges_(std::move(other.read_ranges_)) {
    other.mvcc_ = nullptr;
}

Transaction& Transaction::operator=(Transaction&& other) noexcept {
    if (this == &other) return *this;
    if (mvcc_ != nullptr && state_ == State::kActive) End(State::kRolledBack);
    mvcc_ = other.mvcc_;
    id_ = other.id_;
    snapshot_ = other.snapshot_;
    options_ = other.options_;
    state_ = other.state_;
    writes_ = std::move(other.writes_);
    statement_before_ = std::move(other.statement_before_);
    statements_ = other.statements_;
    read_keys_ = std::move(other.read_keys_);
    read_ranges_ = std::move(other.read_ranges_);
    other.mvcc_ = nullptr;
    return *this;
}

Transaction::~Transaction() {
    if (mvcc_ != nullptr && state_ == State::kActive) End(State::kRolledBack);
}

Status Transaction::CheckActive() const {
    ORRERY_ASSERT(mvcc_ != nullptr, "use of a moved-from transaction");
    if (state_ != State::kActive) {
        return Status::InvalidArgument(fmt::format("transaction {} is no longer active", id_));
    }
    return Status::Ok();
}

void Transaction::End(State state) {
    ORRERY_ASSERT(state_ == State::kActive && state != State::kActive);
    state_ = state;
    mvcc_->UnregisterSnapshot(snapshot_);
}

bool Transaction::RecordsReads() const { return options_.isolation == Isolation::kSerializable; }

Result<std::optional<std::string>> Transaction::Get(std::string_view key, View view) {
    ORRERY_RETURN_IF_ERROR(CheckActive());
    ORRERY_RETURN_IF_ERROR(ValidateUserKey(key));
    auto before = view == View::kStatementStart ? statement_before_.find(key)
                                                : statement_before_.end();
    if (before != statement_before_.end()) {
        // Written by this statement: answer as the buffer stood when the statement began.
        if (before->second.buffered) return *before->second.buffered;
    } else {
        auto own = writes_.find(key);
        if (own != writes_.end()) return own->second;  // Our own write: no dependency on others.
    }
    if (RecordsReads()) read_keys_.emplace(key);
    return mvcc_->ReadAt(key, snapshot_);
}

Status Transaction::Set(std::string_view key, std::string_view value) {
    ORRERY_RETURN_IF_ERROR(CheckActive());
    if (read_only()) return Status::InvalidArgument("cannot write in a read-only transaction");
    ORRERY_RETURN_IF_ERROR(ValidateUserKey(key));
    ORRERY_RETURN_IF_ERROR(ValidateUserValue(value));
    Buffer(key, value);
    return Status::Ok();
}

Status Transaction::Delete(std::string_view key) {
    ORRERY_RETURN_IF_ERROR(CheckActive());
    if (read_only()) return Status::InvalidArgument("cannot write in a read-only transaction");
    ORRERY_RETURN_IF_ERROR(ValidateUserKey(key));
    Buffer(key, std::nullopt);
    return Status::Ok();
}

void Transaction::Buffer(std::string_view key, std::optional<std::string_view> value) {
    // A bulk load buffers a million keys here: one search finds the entry or where it goes.
    auto at = writes_.lower_bound(key);
    const bool present = at != writes_.end() && at->first == key;
    NoteStatementWrite(key, present ? &at->second : nullptr);
    std::optional<std::string> v;
    if (value) v.emplace(*value);
    if (present) {
        at->second = std::move(v);
    } else {
        writes_.emplace_hint(at, std::string(key), std::move(v));
    }
}

void Transaction::NoteStatementWrite(std::string_view key,
                                     const std::optional<std::string>* buffered) {
    if (!statements_) return;  // No statement boundary yet: nothing to remember.
    if (statement_before_.find(key) != statement_before_.end()) return;
    Before before;
    if (buffered != nullptr) before.buffered = *buffered;
    statement_before_.emplace(std::string(key), std::move(before));
}

Result<std::unique_ptr<ScanIterator>> Transaction::Scan(const KeyRange& range, View view) {
    ORRERY_RETURN_IF_ERROR(CheckActive());
    if (!range.end.empty() && !(range.start < range.end)) {
        return Status::InvalidArgument("scan range is empty or inverted");
    }
    if (snapshot_ < mvcc_->gc_horizon()) {
        return Status::Aborted(fmt::format("snapshot v{} is below the GC horizon v{}: retry the "
                                           "transaction", snapshot_, mvcc_->gc_horizon()));
    }
    if (RecordsReads()) read_ranges_.push_back(range);
    ScanIterator::Buffered buffered;
    auto end = range.end.empty() ? writes_.end() : writes_.lower_bound(range.end);
    bool as_of_statement = view == View::kStatementStart && !statement_before_.empty();
    for (auto it = writes_.lower_bound(range.start); it != end; ++it) {
        if (as_of_statement) {
            // Every key the statement wrote is in writes_: show its state before the statement.
            auto before = statement_before_.find(it->first);
            if (before != statement_before_.end()) {
                const auto& was = before->second.buffered;
                if (was) buffered.emplace_back(it->first, *was);
                continue;
            }
        }
        buffered.push_back(*it);
    }
    return std::make_unique<ScanIterator>(mvcc_->engine(), range, snapshot_, std::move(buffered));
}

Result<std::vector<std::pair<std::string, std::string>>> Transaction::ScanAll(
    const KeyRange& range, size_t limit) {
    ORRERY_ASSIGN_OR_RETURN(std::unique_ptr<ScanIterator> it, Scan(range));
    std::vector<std::pair<std::string, std::string>> out;
    for (; it->Valid() && out.size() < limit; it->Next()) out.emplace_back(it->key(), it->value());
    ORRERY_RETURN_IF_ERROR(it->status());
    return out;
}

bool Transaction::NeedsCommitEntry() const {
    if (!writes_.empty()) return true;
    return RecordsReads() && (!read_keys_.empty() || !read_ranges_.empty());
}

CommitRequest Transaction::BuildCommitRequest() const {
    CommitRequest req;
    req.txn_id = id_;
    req.snapshot_version = snapshot_;
    req.isolation = options_.isolation;
    // A read-write transaction that wrote nothing commits like a read-only one.
    req.read_only = writes_.empty();
    for (const auto& [key, value] : writes_) req.writes.push_back(Write{key, value});
    if (RecordsReads()) {
        req.read_keys.assign(read_keys_.begin(), read_keys_.end());
        req.read_ranges = read_ranges_;
        CoarsenReadSet(&req, kReadSetBudgetBytes);
    }
    return req;
}

Result<CommitOutcome> Transaction::Commit() {
    ORRERY_RETURN_IF_ERROR(CheckActive());
    if (!NeedsCommitEntry()) {
        End(State::kCommitted);
        return CommitOutcome{snapshot_, 0};
    }
    // The replicated path, even on one node: the request must survive its own encoding.
    std::string entry = EncodeCommitRequest(BuildCommitRequest());
    ORRERY_ASSIGN_OR_RETURN(CommitRequest decoded, DecodeCommitRequest(entry));
    Result<CommitOutcome> outcome = mvcc_->ApplyCommit(decoded);
    End(outcome.ok() ? State::kCommitted : State::kRolledBack);
    return outcome;
}

void Transaction::Finish(bool committed) {
    ORRERY_ASSERT(CheckActive().ok(), "Finish() on an ended transaction");
    End(committed ? State::kCommitted : State::kRolledBack);
}

void Transaction::Rollback() {
    if (state_ != State::kActive) return;
    writes_.clear();
    statement_before_.clear();
    End(State::kRolledBack);
}

}  // namespace orrery::mvcc
