// The SSTable cursor: walks data blocks in index order (or reverse), one block in memory at a
// time, so a scan of any size holds O(one block) of the table. Forward it decodes one entry at a
// time from the restart point before the near bound; in reverse it decodes a block at once. See
// table.h.
#include <algorithm>

#include "storage/lsm/table.h"

namespace orrery::storage::lsm {
namespace {

class TableIterator final : public EntryIterator {
public:
    TableIterator(std::shared_ptr<TableReader> table, ScanOptions opts, bool readahead)
        : table_(std::move(table)), opts_(std::move(opts)), use_readahead_(readahead) {
        const auto& index = table_->index();
        const Bound& near = opts_.reverse ? opts_.upper : opts_.lower;
        // The first block whose last key is at or past the near bound holds the starting entry
        // (going forward) or the entry just after it (in reverse).
        size_t block = 0;
        if (near.kind != Bound::Kind::kUnbounded) {
            bool strict = !opts_.reverse && near.kind == Bound::Kind::kExclusive;
            auto it = std::lower_bound(index.begin(), index.end(), near.key,
                                       [strict](const IndexEntry& e, const std::string& k) {
                                           return strict ? e.last_key <= k : e.last_key < k;
                                       });
            block = static_cast<size_t>(it - index.begin());
        } else if (opts_.reverse) {
            block = index.size() - 1;
        }
        if (opts_.reverse) block = std::min(block, index.size() - 1);
        if (block >= index.size()) return;  // Forward, and every key is before the near bound.
        if (!opts_.reverse) {
            // Nothing to read when even the block's first key is beyond the far bound: the merge
            // would stop before any of this table's entries (a point read, whose range is one
            // key's versions, then touches only the tables whose blocks may hold it).
            if (StartsBeyondFarBound(block)) return;
            if (!LoadForward(block, near.kind != Bound::Kind::kUnbounded)) return;
            while (valid_ && !PastNearBound(key_, opts_)) Next();
            return;
        }
        if (!Load(block)) return;
        pos_ = entries_.size();
        while (pos_ > 0 && !PastNearBound(entries_[pos_ - 1].key, opts_)) --pos_;
        if (pos_ == 0) {
            Advance();
        } else {
            --pos_;
        }
    }

    bool Valid() const override { return valid_; }
    void Next() override {
        if (!opts_.reverse) {
            if (offset_ >= block_->entries_end()) {
                if (block_index_ + 1 >= table_->index().size() || !LoadForward(block_index_ + 1, false)) {
                    valid_ = false;
                }
            } else {
                DecodeForward(false);
            }
        } else if (pos_ == 0) {
            Advance();
        } else {
            --pos_;
        }
    }
    std::string_view key() const override { return opts_.reverse ? entries_[pos_].key : key_; }
    std::string_view value() const override {
        return opts_.reverse ? entries_[pos_].value : value_;
    }
    bool is_delete() const override {
        return opts_.reverse ? entries_[pos_].is_delete : is_delete_;
    }
    Status status() const override { return status_; }

private:
    // True iff every key of block i lies beyond the (forward) scan's far bound.
    bool StartsBeyondFarBound(size_t i) const {
        if (opts_.upper.kind == Bound::Kind::kUnbounded) return false;
        if (i == 0) return BeyondFarBound(table_->props().min_key, opts_);
        // Every key of block i is greater than block i-1's last key.
        return table_->index()[i - 1].last_key >= opts_.upper.key;
    }
    bool Error(Status s) {
        status_ = std::move(s);
        valid_ = false;
        return false;
    }
    // Forward: reads block i and decodes its first entry (with seek, the first entry of the
    // restart interval that may hold the near bound); on error records it.
    bool LoadForward(size_t i, bool seek) {
        Result<std::shared_ptr<const Block>> b = table_->ReadBlock(i, use_readahead_ ? &ra_ : nullptr);
        if (!b.ok()) return Error(b.status());
        if (b.value()->entries_end() == 0) return Error(Status::Corruption("empty data block"));
        block_ = std::move(b).value();
        block_index_ = i;
        offset_ = 0;
        if (seek) {
            Result<uint32_t> at = block_->SeekOffset(opts_.lower.key);
            if (!at.ok()) return Error(at.status());
            offset_ = at.value();
        }
        return DecodeForward(true);
    }
    bool DecodeForward(bool first) {
        Status s = block_->DecodeNext(&offset_, first, &key_, &value_, &is_delete_);
        if (!s.ok()) return Error(s);
        valid_ = true;
        return true;
    }
    // Reverse: reads and decodes block i; on error records it and invalidates the cursor.
    bool Load(size_t i) {
        Result<std::shared_ptr<const Block>> b = table_->ReadBlock(i, use_readahead_ ? &ra_ : nullptr);
        Status s = b.ok() ? b.value()->DecodeAll(&entries_, &key_bytes_) : b.status();
        if (s.ok() && entries_.empty()) s = Status::Corruption("empty data block");
        if (!s.ok()) return Error(s);
        block_ = std::move(b).value();
        block_index_ = i;
        pos_ = 0;
        valid_ = true;
        return true;
    }
    // Reverse: moves to the last entry of the previous block.
    void Advance() {
        if (block_index_ == 0 || !Load(block_index_ - 1)) {
            valid_ = false;
            return;
        }
        pos_ = entries_.size() - 1;
    }

    std::shared_ptr<TableReader> table_;
    ScanOptions opts_;
    bool use_readahead_;
    ReadAhead ra_;
    std::shared_ptr<const Block> block_;
    size_t block_index_ = 0;
    bool valid_ = false;
    Status status_;
    // Forward: the current entry, decoded in place; offset_ is where the next one starts.
    uint32_t offset_ = 0;
    std::string key_;
    std::string_view value_;
    bool is_delete_ = false;
    // Reverse: the whole block decoded, which makes stepping backwards cheap.
    std::vector<BlockEntry> entries_;
    std::string key_bytes_;
    size_t pos_ = 0;
};

}  // namespace

std::unique_ptr<EntryIterator> NewTableIterator(std::shared_ptr<TableReader> table,
                                                const ScanOptions& opts, bool readahead) {
    return std::make_unique<TableIterator>(std::move(table), opts, readahead);
}

}  // namespace orrery::storage::lsm
