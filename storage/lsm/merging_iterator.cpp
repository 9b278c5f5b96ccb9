// The merging iterator and the engine iterator. See merging_iterator.h.
#include "storage/lsm/merging_iterator.h"

namespace orrery::storage::lsm {
namespace {

class MergingIterator final : public EntryIterator {
public:
    MergingIterator(std::vector<std::unique_ptr<EntryIterator>> sources, bool reverse)
        : sources_(std::move(sources)), reverse_(reverse) {
        FindCurrent();
    }

    bool Valid() const override { return current_ >= 0; }
    void Next() override {
        current_key_.assign(key());
        // Every source positioned on this key has been shadowed by (or is) the current one.
        for (auto& s : sources_) {
            if (s->Valid() && s->key() == current_key_) s->Next();
        }
        FindCurrent();
    }
    std::string_view key() const override { return sources_[current_]->key(); }
    std::string_view value() const override { return sources_[current_]->value(); }
    bool is_delete() const override { return sources_[current_]->is_delete(); }
    Status status() const override { return status_; }

private:
    // Picks the source with the smallest key (largest in reverse); on a tie the newest source,
    // which comes first, wins. Any failed source ends the merge with its error.
    void FindCurrent() {
        current_ = -1;
        for (size_t i = 0; i < sources_.size(); ++i) {
            const EntryIterator& s = *sources_[i];
            if (!s.Valid()) {
                if (!s.status().ok()) {
                    status_ = s.status();
                    current_ = -1;
                    return;
                }
                continue;
            }
            if (current_ < 0) {
                current_ = static_cast<int>(i);
                continue;
            }
            int c = s.key().compare(sources_[current_]->key());
            if (reverse_ ? c > 0 : c < 0) current_ = static_cast<int>(i);
        }
    }

    std::vector<std::unique_ptr<EntryIterator>> sources_;
    bool reverse_;
    int current_ = -1;
    std::string current_key_;  // Reused across Next() calls.
    Status status_;
};

class EngineIterator final : public Iterator {
public:
    EngineIterator(std::unique_ptr<EntryIterator> merged, ScanOptions opts)
        : merged_(std::move(merged)), opts_(std::move(opts)) {
        Settle();
    }

    bool Valid() const override { return valid_; }
    void Next() override {
        merged_->Next();
        Settle();
    }
    std::string_view key() const override { return merged_->key(); }
    std::string_view value() const override { return merged_->value(); }
    Status status() const override { return merged_->status(); }

private:
    void Settle() {
        while (merged_->Valid()) {
            if (BeyondFarBound(merged_->key(), opts_)) break;
            if (!merged_->is_delete()) {
                valid_ = true;
                return;
            }
            merged_->Next();
        }
        valid_ = false;
    }

    std::unique_ptr<EntryIterator> merged_;
    ScanOptions opts_;
    bool valid_ = false;
};

}  // namespace

std::unique_ptr<EntryIterator> NewMergingIterator(
    std::vector<std::unique_ptr<EntryIterator>> sources, bool reverse) {
    return std::make_unique<MergingIterator>(std::move(sources), reverse);
}

std::unique_ptr<Iterator> NewEngineIterator(std::unique_ptr<EntryIterator> merged,
                                            const ScanOptions& opts) {
    return std::make_unique<EngineIterator>(std::move(merged), opts);
}

}  // namespace orrery::storage::lsm
