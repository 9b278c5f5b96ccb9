// TxnRecord: what the replicated state remembers about a committed transaction, for SSI.
//
// SSI (Cahill, Röhm, Fekete 2008) needs to know, when transaction T commits, which *earlier*
// committers were concurrent with T and read something T writes (rw-antidependencies into T), and
// whether the committers T read past had rw-antidependencies of their own. PostgreSQL keeps the
// former as SIREAD locks that outlive the transaction (Ports & Grittner 2012, §5). Here the same
// facts live in the engine, one record per commit version, so they are part of the replicated
// state and survive a leader change:
//
//   key   0x01 BE64(commit_version)
//   value u8 format (1) | u8 flags (bit0 read-only, bit1 serializable) | varint snapshot_version
//         | varint txn_id | varint earliest_out_conflict | read set (keys, ranges; as in
//         commit_request.h)
//
// A record is written once, in the same batch as the commit's data versions, and never changed:
// every fact it holds (its reads, and its out-conflicts to transactions that committed *before*
// it) is final at its commit. Records at or below the GC horizon are deleted (gc.cpp): no
// transaction that may still commit can be concurrent with them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "mvcc/commit_request.h"

namespace orrery::mvcc {

struct TxnRecord {
    Version commit_version = 0;  // From the key, not the value.
    Version snapshot_version = 0;
    uint64_t txn_id = 0;
    bool read_only = false;
    bool serializable = true;
    // The smallest commit version among transactions T_out that (a) committed before this one,
    // (b) were concurrent with it and (c) wrote something it read: the rw-antidependency
    // this -> T_out. 0 when there is none. Used when a later committer reads past this record's
    // writes: then this transaction is the pivot of T_later -> this -> T_out.
    Version earliest_out_conflict = 0;
    std::vector<std::string> read_keys;  // Sorted, unique.
    std::vector<KeyRange> read_ranges;

    // Returns true iff the read set covers user key `key` (a point read or a range).
    bool ReadCovers(std::string_view key) const;
    // Returns true iff the read set covers any of the writes (sorted by key).
    bool ReadsAnyOf(const std::vector<Write>& writes) const;
};

std::string EncodeTxnRecord(const TxnRecord& record);
// Parses a record stored under RecordKey(commit_version).
Result<TxnRecord> DecodeTxnRecord(Version commit_version, std::string_view bytes);

}  // namespace orrery::mvcc
