// TxnStateMachine: deciding replicated MVCC commits and serving snapshot reads.
// See txn_state_machine.h.
#include "node/txn_state_machine.h"

#include <fmt/format.h>

#include <charconv>

#include "mvcc/commit_request.h"
#include "mvcc/transaction.h"

namespace orrery::node {

Result<std::unique_ptr<TxnStateMachine>> TxnStateMachine::Open(storage::Engine& engine,
                                                               TxnStateMachineOptions options) {
    ORRERY_ASSIGN_OR_RETURN(std::unique_ptr<mvcc::Mvcc> m, mvcc::Mvcc::Open(engine));
    return std::unique_ptr<TxnStateMachine>(new TxnStateMachine(std::move(m), options));
}

CommandReply TxnStateMachine::Execute(const Command& command, storage::WriteBatch* batch,
                                      Status* error) {
    ORRERY_ASSERT(!staged_ && !staged_horizon_, "a staged effect was never written");
    if (command.op == CommandOp::kTxnGc) return ExecuteGc(command, batch);
    auto req = mvcc::DecodeCommitRequest(command.value);
    if (!req.ok()) return {ReplyCode::kError, "malformed transaction: " + req.status().ToString()};
    if (command.op == CommandOp::kTxnAutocommit) {
        if (!req->read_keys.empty() || !req->read_ranges.empty() || req->writes.empty()) {
            return {ReplyCode::kError, "an autocommit write carries writes and no reads"};
        }
        req->snapshot_version = mvcc_->last_version();
    }
    if (options_.bug_snapshot_only && req->isolation == mvcc::Isolation::kSerializable) {
        req->isolation = mvcc::Isolation::kSnapshot;  // The bug: forget the read set.
        req->read_keys.clear();
        req->read_ranges.clear();
    }
    mvcc::CommitRules rules;
    rules.unlogged_readers = true;
    auto outcome = mvcc_->StageCommit(*req, rules, batch);
    for (int attempt = 1; attempt < options_.max_read_attempts; ++attempt) {
        if (outcome.ok() || !outcome.status().Is(Code::kIOError)) break;
        outcome = mvcc_->StageCommit(*req, rules, batch);  // A failed decision staged nothing.
    }
    if (outcome.ok()) {
        staged_ = *outcome;
        ++commits_;
        return {ReplyCode::kOk, std::to_string(outcome->commit_version)};
    }
    const Status& s = outcome.status();
    if (s.Is(Code::kAborted)) {
        ++aborts_;
        return {ReplyCode::kAborted, std::string(s.message())};
    }
    if (s.Is(Code::kInvalidArgument)) return {ReplyCode::kError, s.ToString()};
    *error = s;
    return {ReplyCode::kError, s.ToString()};
}

CommandReply TxnStateMachine::ExecuteGc(const Command& command, storage::WriteBatch* batch) {
    uint64_t keep = 0;
    const std::string& text = command.value;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), keep);
    if (ec != std::errc() || end != text.data() + text.size()) {
        return {ReplyCode::kError, "malformed gc command"};
    }
    mvcc::Version last = mvcc_->last_version();
    mvcc::Version horizon = last > keep ? last - keep : 0;
    if (horizon <= mvcc_->gc_horizon()) {
        return {ReplyCode::kOk, fmt::format("horizon v{}", mvcc_->gc_horizon())};
    }
    Status s = mvcc_->StageHorizon(horizon, batch);
    ORRERY_ASSERT(s.ok(), "staging horizon v{}: {}", horizon, s.ToString());
    staged_horizon_ = horizon;
    return {ReplyCode::kOk, fmt::format("horizon v{}", horizon)};
}

void TxnStateMachine::OnBatchWritten() {
    if (staged_) mvcc_->CommitStaged(*staged_);
    staged_.reset();
    if (!staged_horizon_) return;
    mvcc_->CommitStagedHorizon(*staged_horizon_);
    staged_horizon_.reset();
    auto stats = mvcc_->CollectBelowHorizon();
    if (!stats.ok()) {
        ++gc_failures_;  // Garbage stays until the next GC; no read or decision depends on it.
        return;
    }
    versions_collected_ += stats->versions_deleted;
}

Status TxnStateMachine::Reload() {
    staged_.reset();
    staged_horizon_.reset();
    return mvcc_->Reload();
}

Result<std::optional<std::string>> TxnStateMachine::Get(std::string_view key,
                                                        mvcc::Version snapshot) {
    ORRERY_ASSIGN_OR_RETURN(mvcc::Transaction txn, mvcc_->Begin(mvcc::TxnOptions::AsOf(snapshot)));
    auto value = txn.Get(key);
    txn.Rollback();
    return value;
}

Result<std::vector<std::pair<std::string, std::string>>> TxnStateMachine::Scan(
    std::string_view start, std::string_view end, size_t limit, mvcc::Version snapshot) {
    ORRERY_ASSIGN_OR_RETURN(mvcc::Transaction txn, mvcc_->Begin(mvcc::TxnOptions::AsOf(snapshot)));
    auto pairs = txn.ScanAll(mvcc::KeyRange{std::string(start), std::string(end)}, limit);
    txn.Rollback();
    return pairs;
}

}  // namespace orrery::node
