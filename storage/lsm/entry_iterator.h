// EntryIterator: the LSM's internal cursor, one per source (a memtable or a table).
//
// Unlike the public Iterator it shows tombstones, because a tombstone in a newer source must hide
// the key in every older one. Each cursor moves in one direction only, fixed when it is made
// (forward or reverse, from the scan's near bound); the merging iterator stops at the far bound.
// Each cursor yields at most one entry per key, in strictly increasing (or, reversed, strictly
// decreasing) key order.
#pragma once

#include <string_view>

#include "core/status.h"
#include "storage/engine.h"

namespace orrery::storage::lsm {

class EntryIterator {
public:
    virtual ~EntryIterator() = default;
    // True while positioned on an entry; false at the end or after an error.
    virtual bool Valid() const = 0;
    // REQUIRES: Valid(). Moves one entry in the cursor's direction.
    virtual void Next() = 0;
    // REQUIRES: Valid().
    virtual std::string_view key() const = 0;
    virtual std::string_view value() const = 0;
    virtual bool is_delete() const = 0;
    // OK unless the cursor stopped on an error.
    virtual Status status() const = 0;
};

// Returns true iff key is at or beyond the scan's near bound (the lower bound going forward, the
// upper bound in reverse): i.e. not before where the scan starts.
inline bool PastNearBound(std::string_view key, const ScanOptions& opts) {
    const Bound& b = opts.reverse ? opts.upper : opts.lower;
    switch (b.kind) {
        case Bound::Kind::kUnbounded: return true;
        case Bound::Kind::kInclusive: return opts.reverse ? key <= b.key : key >= b.key;
        case Bound::Kind::kExclusive: return opts.reverse ? key < b.key : key > b.key;
    }
    return true;
}

// Returns true iff key lies beyond the scan's far bound (so the scan is over).
inline bool BeyondFarBound(std::string_view key, const ScanOptions& opts) {
    const Bound& b = opts.reverse ? opts.lower : opts.upper;
    switch (b.kind) {
        case Bound::Kind::kUnbounded: return false;
        case Bound::Kind::kInclusive: return opts.reverse ? key < b.key : key > b.key;
        case Bound::Kind::kExclusive: return opts.reverse ? key <= b.key : key >= b.key;
    }
    return false;
}

}  // namespace orrery::storage::lsm
