// Versioned scans merged with buffered writes. See scan_iterator.h.
#include "mvcc/scan_iterator.h"

#include "mvcc/key_codec.h"

namespace orrery::mvcc {

ScanIterator::ScanIterator(storage::Engine& engine, const KeyRange& range, Version snapshot,
                           Buffered buffered)
    : it_(engine.Scan(DataScan(range.start, range.end))),
      snapshot_(snapshot),
      buffered_(std::move(buffered)) {
    for (size_t i = 1; i < buffered_.size(); ++i) {
        ORRERY_ASSERT(buffered_[i - 1].first < buffered_[i].first, "buffer not sorted");
    }
    AdvanceEngine();
    Settle();
}

void ScanIterator::Next() {
    ORRERY_ASSERT(valid_, "Next() on an exhausted scan");
    Settle();
}

// Moves to the next user key that has a live version visible at the snapshot.
void ScanIterator::AdvanceEngine() {
    engine_valid_ = false;
    while (status_.ok() && it_->Valid()) {
        Result<DecodedDataKey> decoded = DecodeDataKey(it_->key());
        if (!decoded.ok()) {
            status_ = decoded.status();
            return;
        }
        if (decoded->version > snapshot_) {  // Committed after our snapshot: invisible.
            it_->Next();
            continue;
        }
        Result<std::optional<std::string_view>> value = DataValueView(it_->value());
        if (!value.ok()) {
            status_ = value.status();
            return;
        }
        // Copied before the engine cursor moves; the buffers keep their capacity across rows.
        bool live = value->has_value();
        if (live) engine_value_.assign(**value);
        // Skip the older versions of this key: they share its first group_bytes bytes.
        group_.assign(it_->key().substr(0, decoded->group_bytes));
        for (it_->Next(); it_->Valid() && it_->key().starts_with(group_); it_->Next()) {
        }
        if (live) {
            engine_valid_ = true;
            engine_key_.assign(decoded->user_key);
            return;
        }
        // A tombstone: the key does not exist in this snapshot.
    }
    if (status_.ok()) status_ = it_->status();
}

// Picks the smaller of the engine's and the buffer's next keys as the current entry.
void ScanIterator::Settle() {
    valid_ = false;
    while (status_.ok()) {
        bool have_buffered = buffered_pos_ < buffered_.size();
        if (!engine_valid_ && !have_buffered) return;
        if (have_buffered && (!engine_valid_ || buffered_[buffered_pos_].first <= engine_key_)) {
            auto& [key, value] = buffered_[buffered_pos_++];
            if (engine_valid_ && key == engine_key_) AdvanceEngine();  // Shadowed by our write.
            if (!value) continue;  // Deleted by this transaction.
            key_ = key;
            value_ = *value;
            valid_ = true;
            return;
        }
        // Swapped, not moved: AdvanceEngine then refills the previous entry's buffers.
        key_.swap(engine_key_);
        value_.swap(engine_value_);
        valid_ = true;
        AdvanceEngine();
        return;
    }
}

}  // namespace orrery::mvcc
