// Human-readable dumps of MVCC state. See debug.h.
#include "mvcc/debug.h"

#include <fmt/format.h>

#include <memory>

#include "mvcc/key_codec.h"
#include "mvcc/txn_record.h"

namespace orrery::mvcc {
namespace {

Result<std::string> DumpRecord(std::string_view key, std::string_view value) {
    ORRERY_ASSIGN_OR_RETURN(Version commit, DecodeRecordKey(key));
    ORRERY_ASSIGN_OR_RETURN(TxnRecord r, DecodeTxnRecord(commit, value));
    std::string out = fmt::format("txn v{}: snapshot=v{} {} {}", commit, r.snapshot_version,
                                  r.read_only ? "read-only" : "read-write",
                                  r.serializable ? "serializable" : "snapshot");
    if (r.earliest_out_conflict != 0)
        out += fmt::format(" out_conflict=v{}", r.earliest_out_conflict);
    if (r.serializable) out += " read=" + FormatReadSet(r.read_keys, r.read_ranges);
    return out;
}

Result<std::string> DumpData(std::string_view key, std::string_view value) {
    ORRERY_ASSIGN_OR_RETURN(DecodedDataKey k, DecodeDataKey(key));
    ORRERY_ASSIGN_OR_RETURN(std::optional<std::string> v, DecodeDataValue(value));
    return fmt::format("data {}@v{} = {}", PrintableKey(k.user_key), k.version,
                       v ? PrintableKey(*v) : "<deleted>");
}

Result<std::string> DumpMeta(std::string_view key, std::string_view value) {
    if (value.size() != 8) return Status::Corruption("malformed meta value");
    std::string name = key == LastVersionKey() ? "last_version"
                       : key == GcHorizonKey() ? "gc_horizon"
                                               : "unknown";
    return fmt::format("meta {}=v{}", name, GetBigEndian64(value));
}

}  // namespace

std::string FormatReadSet(const std::vector<std::string>& keys,
                          const std::vector<KeyRange>& ranges) {
    std::string out = "{";
    for (const auto& k : keys) out += (out.size() > 1 ? " " : "") + PrintableKey(k);
    for (const auto& r : ranges) {
        out += fmt::format("{}[{}, {})", out.size() > 1 ? " " : "", PrintableKey(r.start),
                           r.end.empty() ? "<end>" : PrintableKey(r.end));
    }
    return out + "}";
}

Result<std::string> DumpState(storage::Engine& engine) {
    storage::ScanOptions opts;
    opts.upper = storage::Bound::Exclusive(std::string(1, kEndOfMvccPrefix));
    std::unique_ptr<storage::Iterator> it = engine.Scan(opts);
    std::string out;
    for (; it->Valid(); it->Next()) {
        Result<std::string> line = Status::Corruption("unknown MVCC key prefix");
        switch (it->key()[0]) {
            case kMetaPrefix: line = DumpMeta(it->key(), it->value()); break;
            case kRecordPrefix: line = DumpRecord(it->key(), it->value()); break;
            case kDataPrefix: line = DumpData(it->key(), it->value()); break;
            default: break;
        }
        if (!line.ok()) return line.status();
        out += *line + "\n";
    }
    ORRERY_RETURN_IF_ERROR(it->status());
    return out;
}

}  // namespace orrery::mvcc
