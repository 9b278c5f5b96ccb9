// TxnClient: snapshot reads, client-side write buffer, one-entry commits. See txn_client.h.
#include "node/txn_client.h"

#include <charconv>

namespace orrery::node {
namespace {

uint64_t ParseVersion(const std::string& text) {
    uint64_t v = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    return ec == std::errc() && ptr == text.data() + text.size() ? v : 0;
}

}  // namespace

TxnClient::TxnClient(Env& env, KvClientOptions options) : env_(env), kv_(env, std::move(options)) {}

TxnClient::~TxnClient() {
    if (defer_timer_) env_.clock.CancelTimer(*defer_timer_);
}

TxnOutcome TxnClient::FromKv(const KvOutcome& o) {
    TxnOutcome out;
    out.type = o.type;
    out.aborted = o.code == ReplyCode::kAborted;
    out.error = o.error;
    return out;
}

void TxnClient::Defer(TxnOutcome outcome, Done done) {
    defer_timer_ = env_.clock.SetTimer(Duration(0), [this, outcome = std::move(outcome),
                                                      done = std::move(done)] {
        defer_timer_.reset();
        done(outcome);
    });
}

void TxnClient::Reset() {
    snapshot_.reset();
    writes_.clear();
    read_keys_.clear();
    read_ranges_.clear();
}

void TxnClient::Begin(Done done) {
    ORRERY_ASSERT(!in_txn() && !busy(), "Begin inside a transaction or while busy");
    ClientRequest r;
    r.op = RequestOp::kTxnBegin;
    kv_.Submit(std::move(r), [this, done = std::move(done)](const KvOutcome& o) {
        TxnOutcome out = FromKv(o);
        if (o.type == KvOutcome::Type::kOk) {
            snapshot_ = ParseVersion(o.value);
            out.version = *snapshot_;
        }
        done(out);
    });
}

void TxnClient::Get(std::string key, Done done) {
    ORRERY_ASSERT(in_txn() && !busy(), "Get outside a transaction or while busy");
    if (auto own = writes_.find(key); own != writes_.end()) {
        TxnOutcome out;
        out.value = own->second;  // Our own write: no dependency on anyone, nothing recorded.
        return Defer(std::move(out), std::move(done));
    }
    read_keys_.insert(key);  // Recorded before the answer: conservative if it never comes.
    ClientRequest r;
    r.op = RequestOp::kTxnGet;
    r.key = std::move(key);
    r.snapshot = *snapshot_;
    kv_.Submit(std::move(r), [done = std::move(done)](const KvOutcome& o) {
        TxnOutcome out = FromKv(o);
        if (o.type == KvOutcome::Type::kOk && o.code == ReplyCode::kOk) out.value = o.value;
        done(out);
    });
}

void TxnClient::Scan(std::string start, std::string end, uint32_t limit, Done done) {
    ORRERY_ASSERT(in_txn() && !busy(), "Scan outside a transaction or while busy");
    mvcc::KeyRange range{start, end};
    read_ranges_.push_back(range);
    ClientRequest r;
    r.op = RequestOp::kTxnScan;
    r.key = std::move(start);
    r.end = std::move(end);
    r.limit = std::min(limit, kMaxScanLimit);
    r.snapshot = *snapshot_;
    kv_.Submit(std::move(r), [this, range, limit, done = std::move(done)](const KvOutcome& o) {
        TxnOutcome out = FromKv(o);
        if (o.type == KvOutcome::Type::kOk) {
            // Overlay the buffered writes in the range on the snapshot's pairs.
            std::map<std::string, std::string> merged(o.pairs.begin(), o.pairs.end());
            for (const auto& [key, value] : writes_) {
                if (!range.Contains(key)) continue;
                if (value) {
                    merged[key] = *value;
                } else {
                    merged.erase(key);
                }
            }
            for (auto& [key, value] : merged) {
                if (out.pairs.size() >= limit) break;
                out.pairs.emplace_back(key, value);
            }
        }
        done(out);
    });
}

void TxnClient::Set(std::string key, std::string value) {
    ORRERY_ASSERT(in_txn(), "Set outside a transaction");
    writes_.insert_or_assign(std::move(key), std::move(value));
}

void TxnClient::Delete(std::string key) {
    ORRERY_ASSERT(in_txn(), "Delete outside a transaction");
    writes_.insert_or_assign(std::move(key), std::nullopt);
}

void TxnClient::Rollback() { Reset(); }

mvcc::CommitRequest TxnClient::BuildRequest() {
    mvcc::CommitRequest req;
    req.txn_id = ++txn_counter_;
    req.snapshot_version = snapshot_.value_or(0);
    req.isolation = mvcc::Isolation::kSerializable;
    for (const auto& [key, value] : writes_) req.writes.push_back(mvcc::Write{key, value});
    req.read_keys.assign(read_keys_.begin(), read_keys_.end());
    req.read_ranges = read_ranges_;
    return req;
}

void TxnClient::Commit(Done done) {
    ORRERY_ASSERT(in_txn() && !busy(), "Commit outside a transaction or while busy");
    if (writes_.empty()) {
        // Read-only: every read was served at one snapshot after ReadIndex, and writers abort
        // on rw out-conflicts (txn_state_machine.h), so the snapshot is a serializable view.
        TxnOutcome out;
        out.version = *snapshot_;
        Reset();
        ++unlogged_commits_;
        return Defer(std::move(out), std::move(done));
    }
    mvcc::CommitRequest req = BuildRequest();
    Reset();
    SubmitCommit(RequestOp::kTxnCommit, req, std::move(done));
}

// One commit command through Raft (one log entry); the reply carries the commit version.
void TxnClient::SubmitCommit(RequestOp op, const mvcc::CommitRequest& req, Done done) {
    ClientRequest r;
    r.op = op;
    r.key = "txn";
    r.value = mvcc::EncodeCommitRequest(req);
    ++logged_commits_;
    kv_.Submit(std::move(r), [done = std::move(done)](const KvOutcome& o) {
        TxnOutcome out = FromKv(o);
        out.logged = true;
        if (o.type == KvOutcome::Type::kOk) out.version = ParseVersion(o.value);
        done(out);
    });
}

void TxnClient::Write(std::string key, std::optional<std::string> value, Done done) {
    ORRERY_ASSERT(!in_txn() && !busy(), "Write inside a transaction or while busy");
    mvcc::CommitRequest req;
    req.txn_id = ++txn_counter_;
    req.writes.push_back(mvcc::Write{std::move(key), std::move(value)});
    SubmitCommit(RequestOp::kTxnAutocommit, req, std::move(done));
}

}  // namespace orrery::node
