// KvStateMachine: applying commands, sessions, snapshots. See kv_state_machine.h.
#include "node/kv_state_machine.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/checksum.h"
#include "core/coding.h"

namespace orrery::node {
namespace {

constexpr char kDataPrefix = 'd';
constexpr char kSessionPrefix = 's';
constexpr std::string_view kAppliedKey = "mapplied";
constexpr uint8_t kSnapshotVersion = 1;
constexpr size_t kCrcBytes = 4;

std::string DataKey(std::string_view key) {
    std::string k(1, kDataPrefix);
    k.append(key);
    return k;
}

std::string SessionKey(uint64_t client_id) {
    std::string k(1, kSessionPrefix);
    for (int shift = 56; shift >= 0; shift -= 8) k.push_back(static_cast<char>(client_id >> shift));
    return k;
}

uint64_t SessionClient(std::string_view key) {
    uint64_t id = 0;
    for (size_t i = 1; i < key.size(); ++i) id = (id << 8) | static_cast<uint8_t>(key[i]);
    return id;
}

// Keys a snapshot carries: KV data, sessions, and everything MVCC owns.
bool IsReplicatedKey(std::string_view key) {
    return !key.empty() && (key.front() == kDataPrefix || key.front() == kSessionPrefix ||
                            key.front() < mvcc::kEndOfMvccPrefix);
}

std::string EncodeIndex(LogIndex index) {
    std::string v;
    PutFixed64(&v, index.value());
    return v;
}

}  // namespace

Result<std::unique_ptr<KvStateMachine>> KvStateMachine::Open(storage::Engine& engine,
                                                             KvStateMachineOptions options) {
    std::unique_ptr<KvStateMachine> sm(new KvStateMachine(engine, options));
    ORRERY_RETURN_IF_ERROR(sm->Load());
    ORRERY_ASSIGN_OR_RETURN(sm->txn_, TxnStateMachine::Open(engine, options.txn));
    return sm;
}

Status KvStateMachine::Load() {
    auto applied = GetWithRetry(kAppliedKey);
    if (applied.ok()) {
        if (applied->size() != 8) return Status::Corruption("kv: applied index is not 8 bytes");
        applied_ = LogIndex(DecodeFixed64(applied->data()));
    } else if (!applied.status().Is(Code::kNotFound)) {
        return applied.status();
    }
    sessions_.clear();
    auto it = engine_.Scan(storage::PrefixScan(std::string(1, kSessionPrefix)));
    for (; it->Valid(); it->Next()) {
        Decoder d(it->value());
        Session s;
        uint64_t index = 0;
        if (it->key().size() != 9 || !d.GetVarint64(&s.seq) || !d.GetVarint64(&index)) {
            return Status::Corruption("kv: malformed session record");
        }
        ORRERY_ASSIGN_OR_RETURN(s.reply, DecodeCommandReply(d.rest()));
        s.index = LogIndex(index);
        sessions_[SessionClient(it->key())] = std::move(s);
    }
    return it->status();
}

Result<std::string> KvStateMachine::GetWithRetry(std::string_view engine_key) {
    Result<std::string> r = engine_.Get(engine_key);
    for (int attempt = 1; attempt < options_.max_read_attempts; ++attempt) {
        if (r.ok() || !r.status().Is(Code::kIOError)) break;
        r = engine_.Get(engine_key);
    }
    return r;
}

void KvStateMachine::Apply(const raft::Entry& entry) {
    if (!health_.ok()) return SkipFrozen(entry.index);  // The host halts and recovers from disk.
    ORRERY_ASSERT(entry.index == applied_ + 1, "apply out of order: {} after {}", entry.index,
                  applied_);
    storage::WriteBatch batch;
    if (entry.type == raft::EntryType::kNormal) {
        auto command = DecodeCommand(entry.data);
        if (command.ok()) {
            ApplyCommand(entry.index, *command, &batch);
        } else {
            // Raft checksums its log and messages, so this is a foreign or buggy entry. Every
            // replica skips it the same way, which keeps them identical.
            ++corrupt_commands_;
        }
    }
    if (!health_.ok()) return SkipFrozen(entry.index);
    Commit(entry.index, &batch);
    if (!health_.ok()) SkipFrozen(entry.index);
}

void KvStateMachine::SkipFrozen(LogIndex index) {
    // Raft's apply loop requires every Apply to advance the index. A frozen machine keeps pace
    // without applying anything; its host discards it right after this Ready (fail-stop), and
    // recovery starts again from the index stored in the engine. Until then nothing may read
    // it: readers check health() first (kv_server.cpp).
    applied_ = index;
}

void KvStateMachine::Commit(LogIndex index, storage::WriteBatch* batch) {
    batch->Set(kAppliedKey, EncodeIndex(index));
    Status s = engine_.Write(*batch);
    if (!s.ok()) {
        health_ = s.WithContext(fmt::format("applying index {}", index));
        return;
    }
    applied_ = index;
    txn_->OnBatchWritten();
}

void KvStateMachine::ApplyCommand(LogIndex index, const Command& c, storage::WriteBatch* batch) {
    SessionLookup seen = LookupSession(c.client_id, c.seq);
    if (seen.kind != SessionLookup::Kind::kNew) {
        ++duplicates_suppressed_;
        CommandReply reply = seen.kind == SessionLookup::Kind::kDuplicate
                                 ? seen.reply
                                 : CommandReply{ReplyCode::kError, "stale sequence number"};
        if (listener_) listener_(index, c, reply, /*duplicate=*/true);
        return;
    }
    Status error;
    CommandReply reply = Execute(c, batch, &error);
    if (!error.ok()) {
        health_ = error.WithContext(fmt::format("applying index {}", index));
        return;
    }
    Session& s = sessions_[c.client_id];
    s.seq = std::max(s.seq, c.seq);  // Under kv.no-dedup an old seq may apply again.
    s.index = index;
    s.reply = reply;
    std::string record;
    PutVarint64(&record, s.seq);
    PutVarint64(&record, index.value());
    record += EncodeCommandReply(reply);
    batch->Set(SessionKey(c.client_id), record);
    EvictSessions(batch);
    ++commands_applied_;
    if (listener_) listener_(index, c, reply, /*duplicate=*/false);
}

CommandReply KvStateMachine::Execute(const Command& c, storage::WriteBatch* batch, Status* error) {
    switch (c.op) {
        case CommandOp::kPut:
            batch->Set(DataKey(c.key), c.value);
            return {ReplyCode::kOk, {}};
        case CommandOp::kDelete:
            batch->Delete(DataKey(c.key));
            return {ReplyCode::kOk, {}};
        case CommandOp::kCas: {
            auto current = GetWithRetry(DataKey(c.key));
            if (!current.ok() && !current.status().Is(Code::kNotFound)) {
                *error = current.status();
                return {ReplyCode::kError, current.status().ToString()};
            }
            if (!current.ok() || *current != c.expected) {
                return {ReplyCode::kCasFailed, current.ok() ? *current : std::string()};
            }
            batch->Set(DataKey(c.key), c.value);
            return {ReplyCode::kOk, {}};
        }
        case CommandOp::kTxn:
        case CommandOp::kTxnAutocommit:
        case CommandOp::kTxnGc: return txn_->Execute(c, batch, error);
    }
    ORRERY_ASSERT(false, "unknown command op {}", static_cast<int>(c.op));
    return {};
}

void KvStateMachine::EvictSessions(storage::WriteBatch* batch) {
    if (sessions_.size() <= options_.max_sessions) return;
    // Evict the least recently active tenth. Every replica holds the same sessions and applies
    // the same entries, so every replica evicts the same ones. A client whose session was
    // evicted loses exactly-once for a retry older than the eviction (thesis §6.3 discusses
    // expiry); the limit is far above any workload's client count.
    std::vector<std::pair<LogIndex, uint64_t>> by_age;
    for (const auto& [client, s] : sessions_) by_age.emplace_back(s.index, client);
    std::sort(by_age.begin(), by_age.end());
    size_t evict = sessions_.size() - options_.max_sessions * 9 / 10;
    for (size_t i = 0; i < evict && i < by_age.size(); ++i) {
        sessions_.erase(by_age[i].second);
        batch->Delete(SessionKey(by_age[i].second));
    }
}

SessionLookup KvStateMachine::LookupSession(uint64_t client_id, uint64_t seq) const {
    if (options_.bug_no_dedup) return {};
    auto it = sessions_.find(client_id);
    if (it == sessions_.end() || seq > it->second.seq) return {};
    if (seq == it->second.seq) return {SessionLookup::Kind::kDuplicate, it->second.reply};
    return {SessionLookup::Kind::kStale, {}};
}

Result<std::string> KvStateMachine::Get(std::string_view key) {
    return engine_.Get(DataKey(key));
}

Result<std::vector<std::pair<std::string, std::string>>> KvStateMachine::Scan(
    std::string_view start, std::string_view end, size_t limit) {
    storage::ScanOptions opts;
    opts.lower = storage::Bound::Inclusive(DataKey(start));
    opts.upper = end.empty() ? storage::Bound::Exclusive(std::string(1, kDataPrefix + 1))
                             : storage::Bound::Exclusive(DataKey(end));
    std::vector<std::pair<std::string, std::string>> out;
    auto it = engine_.Scan(opts);
    for (; it->Valid() && out.size() < limit; it->Next()) {
        out.emplace_back(std::string(it->key().substr(1)), std::string(it->value()));
    }
    ORRERY_RETURN_IF_ERROR(it->status());
    return out;
}

// Snapshot layout: u8 version, fixed64 index, then (length-prefixed key, length-prefixed value)
// for every 'd', 's' and MVCC record in key order, then a fixed32 masked CRC32C of all before.
Result<std::string> KvStateMachine::Snapshot() {
    ORRERY_RETURN_IF_ERROR(health_);
    ORRERY_RETURN_IF_ERROR(engine_.Sync());
    std::string out;
    out.push_back(static_cast<char>(kSnapshotVersion));
    PutFixed64(&out, applied_.value());
    auto it = engine_.Scan(storage::ScanOptions{});
    for (; it->Valid(); it->Next()) {
        if (!IsReplicatedKey(it->key())) continue;
        PutLengthPrefixed(&out, it->key());
        PutLengthPrefixed(&out, it->value());
    }
    ORRERY_RETURN_IF_ERROR(it->status());
    PutFixed32(&out, MaskCrc(Crc32c(out)));
    return out;
}

Status KvStateMachine::Restore(LogIndex index, std::string_view snapshot) {
    if (snapshot.size() < 1 + 8 + kCrcBytes) return Status::Corruption("kv snapshot: truncated");
    std::string_view body = snapshot.substr(0, snapshot.size() - kCrcBytes);
    if (UnmaskCrc(DecodeFixed32(snapshot.data() + body.size())) != Crc32c(body)) {
        return Status::Corruption("kv snapshot: bad checksum");
    }
    Decoder d(body);
    uint8_t version = 0;
    uint64_t snap_index = 0;
    if (!d.GetU8(&version) || version != kSnapshotVersion) {
        return Status::NotSupported("kv snapshot: unknown version");
    }
    if (!d.GetFixed64(&snap_index) || snap_index != index.value()) {
        return Status::Corruption("kv snapshot: index does not match");
    }
    if (restore_listener_) restore_listener_();
    // One batch: delete everything, write the snapshot, set the index. Atomic, so a crash
    // leaves either the old state with its index or the new state with the new one.
    storage::WriteBatch batch;
    auto it = engine_.Scan(storage::ScanOptions{});
    for (; it->Valid(); it->Next()) batch.Delete(it->key());
    ORRERY_RETURN_IF_ERROR(it->status());
    it.reset();
    while (!d.empty()) {
        std::string_view k, v;
        if (!d.GetLengthPrefixed(&k) || !d.GetLengthPrefixed(&v) || !IsReplicatedKey(k)) {
            return Status::Corruption("kv snapshot: malformed record");
        }
        batch.Set(k, v);
    }
    batch.Set(kAppliedKey, EncodeIndex(index));
    ORRERY_RETURN_IF_ERROR(engine_.Write(batch));
    applied_ = index;
    health_ = Status::Ok();
    ORRERY_RETURN_IF_ERROR(Load());
    return txn_->Reload();
}

}  // namespace orrery::node
