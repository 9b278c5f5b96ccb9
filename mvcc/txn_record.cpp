// Committed-transaction records for SSI. See txn_record.h.
#include "mvcc/txn_record.h"

#include <algorithm>

#include "core/coding.h"

namespace orrery::mvcc {
namespace {

constexpr uint8_t kRecordFormat = 1;
constexpr uint8_t kFlagReadOnly = 0x01;
constexpr uint8_t kFlagSerializable = 0x02;

}  // namespace

bool TxnRecord::ReadCovers(std::string_view key) const {
    if (std::binary_search(read_keys.begin(), read_keys.end(), key)) return true;
    return std::any_of(read_ranges.begin(), read_ranges.end(),
                       [&](const KeyRange& r) { return r.Contains(key); });
}

bool TxnRecord::ReadsAnyOf(const std::vector<Write>& writes) const {
    auto by_key = [](const Write& w, std::string_view k) { return w.key < k; };
    for (const std::string& key : read_keys) {
        auto it = std::lower_bound(writes.begin(), writes.end(), key, by_key);
        if (it != writes.end() && it->key == key) return true;
    }
    for (const KeyRange& range : read_ranges) {
        // The first write at or after range.start; the range covers it iff it is before the end.
        auto it = std::lower_bound(writes.begin(), writes.end(), range.start, by_key);
        if (it != writes.end() && range.Contains(it->key)) return true;
    }
    return false;
}

std::string EncodeTxnRecord(const TxnRecord& record) {
    std::string out;
    out.push_back(static_cast<char>(kRecordFormat));
    uint8_t flags = (record.read_only ? kFlagReadOnly : 0) |
                    (record.serializable ? kFlagSerializable : 0);
    out.push_back(static_cast<char>(flags));
    PutVarint64(&out, record.snapshot_version);
    PutVarint64(&out, record.txn_id);
    PutVarint64(&out, record.earliest_out_conflict);
    AppendReadSet(&out, record.read_keys, record.read_ranges);
    return out;
}

Result<TxnRecord> DecodeTxnRecord(Version commit_version, std::string_view bytes) {
    Decoder in(bytes);
    TxnRecord record;
    record.commit_version = commit_version;
    uint8_t format = 0, flags = 0;
    bool ok = in.GetU8(&format) && format == kRecordFormat && in.GetU8(&flags) &&
              (flags & ~(kFlagReadOnly | kFlagSerializable)) == 0 &&
              in.GetVarint64(&record.snapshot_version) && in.GetVarint64(&record.txn_id) &&
              in.GetVarint64(&record.earliest_out_conflict) &&
              GetReadSet(&in, &record.read_keys, &record.read_ranges) && in.empty();
    if (!ok) return Status::Corruption("malformed transaction record");
    record.read_only = (flags & kFlagReadOnly) != 0;
    record.serializable = (flags & kFlagSerializable) != 0;
    if (record.snapshot_version >= commit_version ||
        record.earliest_out_conflict >= commit_version) {
        return Status::Corruption("transaction record versions out of order");
    }
    return record;
}

}  // namespace orrery::mvcc
