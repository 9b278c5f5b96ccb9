// Write-write and SSI conflict detection at commit. See conflicts.h for the rules.
#include "mvcc/conflicts.h"

#include <fmt/format.h>

#include <map>
#include <memory>
#include <string>

#include "mvcc/key_codec.h"
#include "mvcc/txn_record.h"

namespace orrery::mvcc {
namespace {

// Earlier committers T read past: commit version -> one user key that shows the edge.
using OutConflicts = std::map<Version, std::string>;

std::string_view RetryHint() { return "; retry the transaction"; }

// Adds to *out every data version in opts that is newer than snapshot.
Status CollectNewerVersions(storage::Engine& engine, const storage::ScanOptions& opts,
                            Version snapshot, OutConflicts* out) {
    std::unique_ptr<storage::Iterator> it = engine.Scan(opts);
    for (; it->Valid(); it->Next()) {
        ORRERY_ASSIGN_OR_RETURN(DecodedDataKey decoded, DecodeDataKey(it->key()));
        if (decoded.version > snapshot) out->emplace(decoded.version, decoded.user_key);
    }
    return it->status();
}

// The versions of user_key newer than snapshot sort before EncodeDataKey(key, snapshot).
storage::ScanOptions NewerVersionsOf(std::string_view key, Version snapshot) {
    storage::ScanOptions opts;
    opts.lower = storage::Bound::Inclusive(DataKeyPrefix(key));
    opts.upper = storage::Bound::Exclusive(EncodeDataKey(key, snapshot));
    return opts;
}

// Every rw-antidependency T -rw-> U to a transaction U that committed after T's snapshot.
Result<OutConflicts> FindOutConflicts(storage::Engine& engine, const CommitRequest& req) {
    OutConflicts out;
    for (const std::string& key : req.read_keys) {
        ORRERY_RETURN_IF_ERROR(CollectNewerVersions(
            engine, NewerVersionsOf(key, req.snapshot_version), req.snapshot_version, &out));
    }
    for (const KeyRange& range : req.read_ranges) {
        ORRERY_RETURN_IF_ERROR(CollectNewerVersions(engine, DataScan(range.start, range.end),
                                                    req.snapshot_version, &out));
    }
    return out;
}

Result<TxnRecord> LoadRecord(storage::Engine& engine, Version commit) {
    Result<std::string> bytes = engine.Get(RecordKey(commit));
    if (!bytes.ok()) {
        if (bytes.status().Is(Code::kNotFound)) {
            return Status::Corruption(fmt::format("no transaction record for version v{}", commit));
        }
        return bytes.status();
    }
    return DecodeTxnRecord(commit, *bytes);
}

// Rule (b): T is T_in of pivot -> T_out, where the pivot committed after T's snapshot.
Status CheckAsReader(storage::Engine& engine, const CommitRequest& req, const OutConflicts& out) {
    for (const auto& [pivot, key] : out) {
        ORRERY_ASSIGN_OR_RETURN(TxnRecord record, LoadRecord(engine, pivot));
        Version t_out = record.earliest_out_conflict;
        if (!record.serializable || t_out == 0) continue;
        // A read-only T_in matters only if T_out was visible to it (Ports & Grittner §4).
        if (req.read_only && t_out > req.snapshot_version) continue;
        return Status::Aborted(fmt::format(
            "serialization failure: dangerous structure this -rw({})-> v{} -rw-> v{}, "
            "and v{} committed first{}",
            PrintableKey(key), pivot, t_out, t_out, RetryHint()));
    }
    return Status::Ok();
}

// Returns the first write a record's read set covers (for the message).
std::string FirstCoveredWrite(const TxnRecord& record, const std::vector<Write>& writes) {
    for (const Write& w : writes) {
        if (record.ReadCovers(w.key)) return w.key;
    }
    return "";
}

// Rule (a): T is the pivot of T_in -> T -> T_out, T_out = the earliest of T's out-conflicts.
Status CheckAsPivot(storage::Engine& engine, const CommitRequest& req, const OutConflicts& out) {
    if (out.empty() || req.writes.empty()) return Status::Ok();
    const auto& [t_out, out_key] = *out.begin();
    storage::ScanOptions opts;
    opts.lower = storage::Bound::Inclusive(RecordKey(req.snapshot_version + 1));
    opts.upper = storage::Bound::Exclusive(std::string(1, kDataPrefix));
    std::unique_ptr<storage::Iterator> it = engine.Scan(opts);
    for (; it->Valid(); it->Next()) {
        ORRERY_ASSIGN_OR_RETURN(Version t_in, DecodeRecordKey(it->key()));
        ORRERY_ASSIGN_OR_RETURN(TxnRecord record, DecodeTxnRecord(t_in, it->value()));
        if (!record.serializable || !record.ReadsAnyOf(req.writes)) continue;
        if (t_out > t_in) continue;  // T_in committed before T_out: T_out was not first.
        if (record.read_only && t_out > record.snapshot_version) continue;
        return Status::Aborted(fmt::format(
            "serialization failure: dangerous structure v{} -rw({})-> this -rw({})-> v{}, "
            "and v{} committed first{}",
            t_in, PrintableKey(FirstCoveredWrite(record, req.writes)), PrintableKey(out_key),
            t_out, t_out, RetryHint()));
    }
    return it->status();
}

}  // namespace

Status CheckWriteWrite(storage::Engine& engine, const CommitRequest& req) {
    for (const Write& w : req.writes) {
        OutConflicts newer;
        ORRERY_RETURN_IF_ERROR(CollectNewerVersions(
            engine, NewerVersionsOf(w.key, req.snapshot_version), req.snapshot_version, &newer));
        if (newer.empty()) continue;
        return Status::Aborted(fmt::format(
            "serialization failure: write-write conflict on {}: v{} wrote it after snapshot v{}{}",
            PrintableKey(w.key), newer.rbegin()->first, req.snapshot_version, RetryHint()));
    }
    return Status::Ok();
}

Result<Version> CheckSerializable(storage::Engine& engine, const CommitRequest& req) {
    ORRERY_ASSERT(req.isolation == Isolation::kSerializable);
    ORRERY_ASSIGN_OR_RETURN(OutConflicts out, FindOutConflicts(engine, req));
    ORRERY_RETURN_IF_ERROR(CheckAsReader(engine, req, out));
    ORRERY_RETURN_IF_ERROR(CheckAsPivot(engine, req, out));
    return out.empty() ? Version{0} : out.begin()->first;
}

}  // namespace orrery::mvcc
