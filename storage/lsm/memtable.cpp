// The skiplist memtable and its snapshot iterator. See memtable.h.
#include "storage/lsm/memtable.h"

#include <cstring>
#include <new>

#include "core/assert.h"

namespace orrery::storage::lsm {

char* Arena::Allocate(size_t bytes) {
    bytes = (bytes + 7) & ~size_t{7};
    allocated_ += bytes;
    if (bytes > remaining_) {
        if (bytes > kBlockBytes / 4) {  // Large entries get their own block; keep the current one.
            blocks_.push_back(std::make_unique<char[]>(bytes));
            reserved_ += bytes;
            return blocks_.back().get();
        }
        blocks_.push_back(std::make_unique<char[]>(kBlockBytes));
        reserved_ += kBlockBytes;
        ptr_ = blocks_.back().get();
        remaining_ = kBlockBytes;
    }
    char* out = ptr_;
    ptr_ += bytes;
    remaining_ -= bytes;
    return out;
}

namespace {

size_t NodeBytes(int height) { return sizeof(Memtable::Node) + (height - 1) * sizeof(void*); }

// True iff node sorts before (key, seq) in internal order (key ascending, seq descending).
bool NodeLess(const Memtable::Node* node, std::string_view key, uint64_t seq) {
    int c = node->key().compare(key);
    return c < 0 || (c == 0 && node->seq > seq);
}

}  // namespace

Memtable::Memtable() {
    char* mem = arena_.Allocate(NodeBytes(kMaxHeight));
    head_ = new (mem) Node{0, 0, 0, false, kMaxHeight, nullptr, {nullptr}};
    for (int i = 0; i < kMaxHeight; ++i) head_->next[i] = nullptr;
}

int Memtable::RandomHeight() {
    int height = 1;
    // xorshift64: deterministic, and the memtable's shape never leaks into any output.
    while (height < kMaxHeight) {
        rng_state_ ^= rng_state_ << 13;
        rng_state_ ^= rng_state_ >> 7;
        rng_state_ ^= rng_state_ << 17;
        if ((rng_state_ & 3) != 0) break;  // Branching factor 4.
        ++height;
    }
    return height;
}

const Memtable::Node* Memtable::FindLess(std::string_view key, uint64_t seq, Node** prev) const {
    Node* x = head_;
    int level = height_ - 1;
    while (true) {
        Node* next = x->next[level];
        if (next != nullptr && NodeLess(next, key, seq)) {
            x = next;
        } else {
            if (prev != nullptr) prev[level] = x;
            if (level == 0) return x;
            --level;
        }
    }
}

void Memtable::Add(uint64_t seq, bool is_delete, std::string_view key, std::string_view value) {
    ORRERY_ASSERT(key.size() <= UINT32_MAX && value.size() <= UINT32_MAX);
    Node* prev[kMaxHeight];
    FindLess(key, seq, prev);
    const Node* at = prev[0]->next[0];
    ORRERY_ASSERT(at == nullptr || at->key() != key || at->seq < seq, "sequence numbers must grow");
    int height = RandomHeight();
    if (height > height_) {
        for (int i = height_; i < height; ++i) prev[i] = head_;
        height_ = height;
    }
    char* mem = arena_.Allocate(NodeBytes(height) + key.size() + value.size());
    char* data = mem + NodeBytes(height);
    std::memcpy(data, key.data(), key.size());
    if (!value.empty()) std::memcpy(data + key.size(), value.data(), value.size());
    Node* node = new (mem) Node{seq, static_cast<uint32_t>(key.size()),
                                static_cast<uint32_t>(value.size()), is_delete, height, data,
                                {nullptr}};
    for (int i = 0; i < height; ++i) {
        node->next[i] = prev[i]->next[i];
        prev[i]->next[i] = node;
    }
    newest_.insert_or_assign(node->key(), node);
    ++entries_;
    if (is_delete) ++deletes_;
}

const Memtable::Node* Memtable::FindVisible(std::string_view key, uint64_t snapshot) const {
    const Node* x = FindLess(key, snapshot, nullptr)->next[0];
    return (x != nullptr && x->key() == key) ? x : nullptr;
}

const Memtable::Node* Memtable::LastLess(std::string_view key, bool or_equal) const {
    const Node* x = head_;
    for (int level = height_ - 1; level >= 0; --level) {
        while (true) {
            const Node* next = x->next[level];
            if (next == nullptr) break;
            int c = next->key().compare(key);
            if (c < 0 || (or_equal && c == 0)) {
                x = next;
            } else {
                break;
            }
        }
    }
    return x;
}

const Memtable::Node* Memtable::FirstAtOrAfter(std::string_view key, bool strict) const {
    return LastLess(key, /*or_equal=*/strict)->next[0];
}

const Memtable::Node* Memtable::LastBefore(std::string_view key, bool inclusive) const {
    const Node* x = LastLess(key, /*or_equal=*/inclusive);
    return x == head_ ? nullptr : x;
}

const Memtable::Node* Memtable::Last() const {
    const Node* x = head_;
    for (int level = height_ - 1; level >= 0; --level) {
        while (x->next[level] != nullptr) x = x->next[level];
    }
    return x == head_ ? nullptr : x;
}

namespace {

class MemtableIterator final : public EntryIterator {
public:
    MemtableIterator(std::shared_ptr<const Memtable> mem, uint64_t snapshot, ScanOptions opts)
        : mem_(std::move(mem)), snapshot_(snapshot), reverse_(opts.reverse) {
        if (!reverse_) {
            const Bound& b = opts.lower;
            node_ = b.kind == Bound::Kind::kUnbounded
                        ? mem_->First()
                        : mem_->FirstAtOrAfter(b.key, b.kind == Bound::Kind::kExclusive);
            SkipInvisibleForward();
        } else {
            const Bound& b = opts.upper;
            SettleReverse(b.kind == Bound::Kind::kUnbounded
                              ? mem_->Last()
                              : mem_->LastBefore(b.key, b.kind == Bound::Kind::kInclusive));
        }
    }

    bool Valid() const override { return node_ != nullptr; }
    void Next() override {
        if (!reverse_) {
            std::string_view current = node_->key();
            while (node_ != nullptr && node_->key() == current) node_ = node_->next[0];
            SkipInvisibleForward();
        } else {
            SettleReverse(mem_->LastBefore(node_->key(), false));
        }
    }
    std::string_view key() const override { return node_->key(); }
    std::string_view value() const override { return node_->value(); }
    bool is_delete() const override { return node_->is_delete; }
    Status status() const override { return Status::Ok(); }

private:
    // Versions of a key run newest first, so the first node at or below the snapshot is the one
    // this iterator sees; keys whose every version is too new are skipped whole.
    void SkipInvisibleForward() {
        while (node_ != nullptr && node_->seq > snapshot_) node_ = node_->next[0];
    }
    // From the oldest node of some key, finds that key's visible version, or moves to earlier
    // keys until one has a visible version.
    void SettleReverse(const Memtable::Node* x) {
        for (uint64_t steps = 0; x != nullptr; ++steps) {
            ORRERY_ASSERT(steps <= mem_->entries(), "reverse memtable walk did not terminate");
            const Memtable::Node* visible = mem_->FindVisible(x->key(), snapshot_);
            if (visible != nullptr) {
                node_ = visible;
                return;
            }
            x = mem_->LastBefore(x->key(), false);
        }
        node_ = nullptr;
    }

    std::shared_ptr<const Memtable> mem_;
    uint64_t snapshot_;
    bool reverse_;
    const Memtable::Node* node_ = nullptr;
};

}  // namespace

std::unique_ptr<EntryIterator> NewMemtableIterator(std::shared_ptr<const Memtable> mem,
                                                   uint64_t snapshot, const ScanOptions& opts) {
    return std::make_unique<MemtableIterator>(std::move(mem), snapshot, opts);
}

}  // namespace orrery::storage::lsm
