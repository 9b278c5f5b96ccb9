// The SSTable cursor: walks data blocks in index order (or reverse), one block in memory at a
// time, so a scan of any size holds O(one block) of the table. See table.h.
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
        if (!Load(block)) return;
        if (!opts_.reverse) {
            while (pos_ < entries_.size() && !PastNearBound(entries_[pos_].key, opts_)) ++pos_;
            if (pos_ == entries_.size()) Advance();
        } else {
            pos_ = entries_.size();
            while (pos_ > 0 && !PastNearBound(entries_[pos_ - 1].key, opts_)) --pos_;
            if (pos_ == 0) {
                Advance();
            } else {
                --pos_;
            }
        }
    }

    bool Valid() const override { return valid_; }
    void Next() override {
        if (!opts_.reverse) {
            if (++pos_ == entries_.size()) Advance();
        } else if (pos_ == 0) {
            Advance();
        } else {
            --pos_;
        }
    }
    std::string_view key() const override { return entries_[pos_].key; }
    std::string_view value() const override { return entries_[pos_].value; }
    bool is_delete() const override { return entries_[pos_].is_delete; }
    Status status() const override { return status_; }

private:
    // Reads and decodes block i; on error records it and invalidates the cursor.
    bool Load(size_t i) {
        Result<std::shared_ptr<const Block>> b = table_->ReadBlock(i, use_readahead_ ? &ra_ : nullptr);
        Status s = b.ok() ? b.value()->DecodeAll(&entries_, &key_bytes_) : b.status();
        if (s.ok() && entries_.empty()) s = Status::Corruption("empty data block");
        if (!s.ok()) {
            status_ = s;
            valid_ = false;
            return false;
        }
        block_ = std::move(b).value();
        block_index_ = i;
        pos_ = 0;
        valid_ = true;
        return true;
    }
    // Moves to the first (or, in reverse, last) entry of the next block in scan order.
    void Advance() {
        if (!opts_.reverse) {
            if (block_index_ + 1 >= table_->index().size() || !Load(block_index_ + 1)) {
                valid_ = false;
            }
        } else {
            if (block_index_ == 0 || !Load(block_index_ - 1)) {
                valid_ = false;
                return;
            }
            pos_ = entries_.size() - 1;
        }
    }

    std::shared_ptr<TableReader> table_;
    ScanOptions opts_;
    bool use_readahead_;
    ReadAhead ra_;
    std::shared_ptr<const Block> block_;
    std::vector<BlockEntry> entries_;
    std::string key_bytes_;
    size_t block_index_ = 0;
    size_t pos_ = 0;
    bool valid_ = false;
    Status status_;
};

}  // namespace

std::unique_ptr<EntryIterator> NewTableIterator(std::shared_ptr<TableReader> table,
                                                const ScanOptions& opts, bool readahead) {
    return std::make_unique<TableIterator>(std::move(table), opts, readahead);
}

}  // namespace orrery::storage::lsm
