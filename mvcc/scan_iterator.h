// ScanIterator: a forward scan over a transaction's view of a key range.
//
// It walks the engine's data versions in key order. Versions of one user key are adjacent and
// newest first (key_codec.h), so for each key it skips versions newer than the snapshot, takes
// the first one at or below it, and skips the older rest; a tombstone hides the key. That stream
// is merged with the transaction's buffered writes for the range (copied when the scan opens):
// a buffered write shadows the engine's version of the same key, a buffered delete hides it.
//
// Writes the transaction buffers after opening the scan are not seen by it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "mvcc/commit_request.h"
#include "storage/engine.h"

namespace orrery::mvcc {

class ScanIterator {
public:
    using Buffered = std::vector<std::pair<std::string, std::optional<std::string>>>;

    // Scans range at snapshot over engine, merged with `buffered` (sorted by key, all in range).
    ScanIterator(storage::Engine& engine, const KeyRange& range, Version snapshot,
                 Buffered buffered);

    // True while positioned on an entry; false at the end or after an error (see status()).
    bool Valid() const { return valid_ && status_.ok(); }
    // REQUIRES: Valid().
    void Next();
    const std::string& key() const { return key_; }
    const std::string& value() const { return value_; }
    Status status() const { return status_; }

private:
    void AdvanceEngine();
    void Settle();

    std::unique_ptr<storage::Iterator> it_;
    Version snapshot_;
    Buffered buffered_;
    size_t buffered_pos_ = 0;
    // The next visible engine entry, if any.
    bool engine_valid_ = false;
    std::string engine_key_;
    std::string engine_value_;
    std::string group_;  // The current engine key's version prefix; reused, not reallocated.
    // The current merged entry.
    bool valid_ = false;
    std::string key_;
    std::string value_;
    Status status_;
};

}  // namespace orrery::mvcc
