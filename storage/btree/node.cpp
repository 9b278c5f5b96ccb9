// The in-memory node: search, edits, moves between nodes, and the page payload codec.
// See node.h.
#include "storage/btree/node.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/coding.h"
#include "storage/engine.h"

namespace orrery::storage::btree {
namespace {

constexpr uint8_t kKeyInChain = 1;
constexpr uint8_t kValueInChain = 2;
constexpr size_t kCompactMinGarbageBytes = 4096;

bool KeyInChain(uint32_t key_len) { return key_len > kInlineKeyMax; }
bool ValueInChain(uint32_t val_len) { return val_len > kInlineValueMax; }

size_t PartBytes(uint32_t len, bool in_chain) { return VarintLength(len) + (in_chain ? 4 : len); }

}  // namespace

std::string_view Node::value(size_t i) const {
    const Slot& s = slots_[i];
    ORRERY_ASSERT(s.val_off != Slot::kOnDisk, "value of entry {} is on disk", i);
    return {arena_.data() + s.val_off, s.val_len};
}

size_t Node::LowerBound(std::string_view key) const {
    uint64_t prefix = KeyPrefix(key);
    auto it = std::lower_bound(
        slots_.begin(), slots_.end(), key, [this, prefix](const Slot& s, std::string_view k) {
            if (s.prefix != prefix) return s.prefix < prefix;
            return std::string_view(arena_.data() + s.key_off, s.key_len) < k;
        });
    return static_cast<size_t>(it - slots_.begin());
}

size_t Node::UpperBound(std::string_view key) const {
    uint64_t prefix = KeyPrefix(key);
    auto it = std::upper_bound(
        slots_.begin(), slots_.end(), key, [this, prefix](std::string_view k, const Slot& s) {
            if (s.prefix != prefix) return prefix < s.prefix;
            return k < std::string_view(arena_.data() + s.key_off, s.key_len);
        });
    return static_cast<size_t>(it - slots_.begin());
}

size_t Node::SlotBytes(const Slot& s) const {
    size_t n = 1 + PartBytes(s.key_len, KeyInChain(s.key_len));
    if (is_leaf()) return n + PartBytes(s.val_len, ValueInChain(s.val_len));
    return n + 4;  // The child to the separator's right.
}

size_t Node::EntryBytes(size_t i) const { return SlotBytes(slots_[i]); }

uint32_t Node::AppendBytes(std::string_view bytes) {
    ORRERY_ASSERT(arena_.size() + bytes.size() < Slot::kOnDisk, "node arena overflow");
    auto off = static_cast<uint32_t>(arena_.size());
    arena_.append(bytes);
    return off;
}

void Node::Orphan(const Slot& s) {
    encoded_bytes_ -= SlotBytes(s);
    garbage_bytes_ += s.key_len + (s.val_off == Slot::kOnDisk ? 0 : s.val_len);
}

void Node::MaybeCompact() {
    if (garbage_bytes_ < kCompactMinGarbageBytes || garbage_bytes_ * 2 < arena_.size()) return;
    std::string fresh;
    fresh.reserve(arena_.size() - garbage_bytes_);
    for (Slot& s : slots_) {
        auto key_off = static_cast<uint32_t>(fresh.size());
        fresh.append(arena_, s.key_off, s.key_len);
        s.key_off = key_off;
        if (s.val_off != Slot::kOnDisk) {
            auto val_off = static_cast<uint32_t>(fresh.size());
            fresh.append(arena_, s.val_off, s.val_len);
            s.val_off = val_off;
        }
    }
    arena_ = std::move(fresh);
    garbage_bytes_ = 0;
}

void Node::InsertEntry(size_t i, std::string_view key, std::string_view value) {
    ORRERY_ASSERT(is_leaf() && i <= slots_.size());
    Slot s;
    s.key_len = static_cast<uint32_t>(key.size());
    s.key_off = AppendBytes(key);
    s.prefix = KeyPrefix(key);
    s.val_len = static_cast<uint32_t>(value.size());
    s.val_off = AppendBytes(value);
    slots_.insert(slots_.begin() + static_cast<ptrdiff_t>(i), s);
    encoded_bytes_ += SlotBytes(s);
}

Slot Node::SetValue(size_t i, std::string_view value) {
    ORRERY_ASSERT(is_leaf() && i < slots_.size());
    Slot old = slots_[i];
    encoded_bytes_ -= SlotBytes(old);
    if (old.val_off != Slot::kOnDisk) garbage_bytes_ += old.val_len;
    Slot s = old;  // The key (and its chain) stay; only the value changes.
    s.val_len = static_cast<uint32_t>(value.size());
    s.val_off = AppendBytes(value);
    s.val_chain = kNoPage;
    slots_[i] = s;
    encoded_bytes_ += SlotBytes(s);
    MaybeCompact();
    return old;
}

Slot Node::EraseEntry(size_t i) {
    ORRERY_ASSERT(is_leaf() && i < slots_.size());
    Slot old = slots_[i];
    Orphan(old);
    slots_.erase(slots_.begin() + static_cast<ptrdiff_t>(i));
    MaybeCompact();
    return old;
}

void Node::SetOnlyChild(PageId only) {
    ORRERY_ASSERT(!is_leaf() && slots_.empty() && children_.empty());
    children_.push_back(only);
    encoded_bytes_ = 4;
}

void Node::InsertSeparator(size_t i, std::string_view key, PageId key_chain, PageId right_child) {
    ORRERY_ASSERT(!is_leaf() && i <= slots_.size() && children_.size() == slots_.size() + 1);
    Slot s;
    s.key_len = static_cast<uint32_t>(key.size());
    s.key_off = AppendBytes(key);
    s.prefix = KeyPrefix(key);
    s.key_chain = key_chain;
    slots_.insert(slots_.begin() + static_cast<ptrdiff_t>(i), s);
    children_.insert(children_.begin() + static_cast<ptrdiff_t>(i) + 1, right_child);
    encoded_bytes_ += SlotBytes(s);
}

Slot Node::EraseSeparator(size_t i) {
    ORRERY_ASSERT(!is_leaf() && i < slots_.size());
    Slot old = slots_[i];
    Orphan(old);
    slots_.erase(slots_.begin() + static_cast<ptrdiff_t>(i));
    children_.erase(children_.begin() + static_cast<ptrdiff_t>(i) + 1);
    MaybeCompact();
    return old;
}

Slot Node::ReplaceSeparator(size_t i, std::string_view key, PageId key_chain) {
    ORRERY_ASSERT(!is_leaf() && i < slots_.size());
    Slot old = slots_[i];
    Orphan(old);
    Slot s;
    s.key_len = static_cast<uint32_t>(key.size());
    s.key_off = AppendBytes(key);
    s.prefix = KeyPrefix(key);
    s.key_chain = key_chain;
    slots_[i] = s;
    encoded_bytes_ += SlotBytes(s);
    MaybeCompact();
    return old;
}

void Node::AppendFrom(const Node& src, size_t begin, size_t end) {
    ORRERY_ASSERT(&src != this && src.level_ == level_ && begin <= end && end <= src.size());
    ORRERY_ASSERT(is_leaf() || children_.size() == slots_.size() + 1);
    for (size_t i = begin; i < end; ++i) {
        Slot s = src.slots_[i];
        s.key_off = AppendBytes(src.key(i));
        if (s.val_off != Slot::kOnDisk && is_leaf()) s.val_off = AppendBytes(src.value(i));
        slots_.push_back(s);
        encoded_bytes_ += SlotBytes(s);
        if (!is_leaf()) children_.push_back(src.children_[i + 1]);
    }
}

void Node::InsertEntryFrom(size_t pos, const Node& src, size_t i) {
    ORRERY_ASSERT(is_leaf() && src.is_leaf() && &src != this && pos <= slots_.size());
    Slot s = src.slots_[i];
    s.key_off = AppendBytes(src.key(i));
    if (s.val_off != Slot::kOnDisk) s.val_off = AppendBytes(src.value(i));
    slots_.insert(slots_.begin() + static_cast<ptrdiff_t>(pos), s);
    encoded_bytes_ += SlotBytes(s);
}

void Node::TruncateTo(size_t begin) {
    ORRERY_ASSERT(begin <= slots_.size());
    for (size_t i = begin; i < slots_.size(); ++i) Orphan(slots_[i]);
    slots_.resize(begin);
    if (!is_leaf()) children_.resize(begin + 1);
    MaybeCompact();
}

void Node::DropFront(size_t n) {
    ORRERY_ASSERT(n <= slots_.size());
    for (size_t i = 0; i < n; ++i) Orphan(slots_[i]);
    slots_.erase(slots_.begin(), slots_.begin() + static_cast<ptrdiff_t>(n));
    if (!is_leaf())
        children_.erase(children_.begin(), children_.begin() + static_cast<ptrdiff_t>(n));
    MaybeCompact();
}

void Node::PrependChild(PageId child, std::string_view key, PageId key_chain) {
    ORRERY_ASSERT(!is_leaf() && children_.size() == slots_.size() + 1);
    Slot s;
    s.key_len = static_cast<uint32_t>(key.size());
    s.key_off = AppendBytes(key);
    s.prefix = KeyPrefix(key);
    s.key_chain = key_chain;
    slots_.insert(slots_.begin(), s);
    children_.insert(children_.begin(), child);
    encoded_bytes_ += SlotBytes(s);
}

std::shared_ptr<Node> Node::Clone(uint64_t new_epoch) const {
    auto copy = std::make_shared<Node>(level_);
    copy->epoch = new_epoch;
    copy->arena_.reserve(arena_.size() - garbage_bytes_);
    if (!is_leaf()) copy->SetOnlyChild(children_[0]);
    copy->AppendFrom(*this, 0, size());
    ORRERY_ASSERT(copy->encoded_bytes_ == encoded_bytes_);
    return copy;
}

void Node::EncodeTo(std::string* page) const {
    ORRERY_ASSERT(!Overfull() && page->size() == kPageBytes);
    std::string out;
    out.reserve(encoded_bytes_);
    if (!is_leaf()) PutFixed32(&out, children_[0]);
    for (size_t i = 0; i < slots_.size(); ++i) {
        const Slot& s = slots_[i];
        bool key_chain = KeyInChain(s.key_len);
        bool val_chain = is_leaf() && ValueInChain(s.val_len);
        out.push_back(
            static_cast<char>((key_chain ? kKeyInChain : 0) | (val_chain ? kValueInChain : 0)));
        PutVarint32(&out, s.key_len);
        if (key_chain) {
            ORRERY_ASSERT(s.key_chain != kNoPage, "long key without a chain");
            PutFixed32(&out, s.key_chain);
        } else {
            out.append(key(i));
        }
        if (is_leaf()) {
            PutVarint32(&out, s.val_len);
            if (val_chain) {
                ORRERY_ASSERT(s.val_chain != kNoPage, "long value without a chain");
                PutFixed32(&out, s.val_chain);
            } else {
                out.append(value(i));
            }
        } else {
            PutFixed32(&out, children_[i + 1]);
        }
    }
    ORRERY_ASSERT(out.size() == encoded_bytes_, "encoded {} != tracked {}", out.size(),
                  encoded_bytes_);
    page->replace(kPageHeaderBytes, out.size(), out);
}

namespace {

// Decodes one length-and-bytes-or-chain part. On success *chain is kNoPage for inline parts.
bool GetPart(Decoder* d, bool in_chain, size_t inline_max, uint32_t* len, std::string_view* bytes,
             PageId* chain) {
    if (!d->GetVarint32(len)) return false;
    if (in_chain != (*len > inline_max)) return false;
    *chain = kNoPage;
    if (in_chain) return d->GetFixed32(chain) && *chain >= kFirstDataPage;
    return d->GetBytes(*len, bytes);
}

}  // namespace

Result<std::shared_ptr<Node>> Node::Decode(const PageHeader& h, std::string_view payload,
                                           const ChainReader& read_chain) {
    auto bad = [&](std::string_view what) {
        return Status::Corruption(fmt::format("page {}: {}", h.id, what));
    };
    bool leaf = h.type == PageType::kLeaf;
    if (leaf != (h.level == 0)) return bad("level does not match the page type");
    auto node = std::make_shared<Node>(h.level);
    Decoder d(payload);
    if (!leaf) {
        uint32_t first = 0;
        if (!d.GetFixed32(&first) || first < kFirstDataPage) return bad("bad first child");
        node->SetOnlyChild(first);
    }
    for (uint32_t i = 0; i < h.count; ++i) {
        uint8_t flags = 0;
        if (!d.GetU8(&flags) || flags > (leaf ? 3 : 1)) return bad("bad entry flags");
        uint32_t key_len = 0, val_len = 0;
        std::string_view key_bytes, val_bytes;
        PageId key_chain = kNoPage, val_chain = kNoPage, child = kNoPage;
        if (!GetPart(&d, flags & kKeyInChain, kInlineKeyMax, &key_len, &key_bytes, &key_chain) ||
            key_len == 0 || key_len > kMaxKeyBytes) {
            return bad("bad key");
        }
        if (leaf && (!GetPart(&d, flags & kValueInChain, kInlineValueMax, &val_len, &val_bytes,
                              &val_chain) ||
                     val_len > kMaxValueBytes)) {
            return bad("bad value");
        }
        if (!leaf && (!d.GetFixed32(&child) || child < kFirstDataPage)) return bad("bad child");
        std::string long_key;
        if (key_chain != kNoPage) {
            ORRERY_ASSIGN_OR_RETURN(long_key, read_chain(key_chain, key_len));
            key_bytes = long_key;
        }
        if (i > 0 && !(node->key(i - 1) < key_bytes)) return bad("keys out of order");
        if (leaf) {
            Slot s;
            s.key_len = key_len;
            s.key_off = node->AppendBytes(key_bytes);
            s.prefix = KeyPrefix(key_bytes);
            s.key_chain = key_chain;
            s.val_len = val_len;
            s.val_chain = val_chain;
            s.val_off = val_chain != kNoPage ? Slot::kOnDisk : node->AppendBytes(val_bytes);
            node->slots_.push_back(s);
            node->encoded_bytes_ += node->SlotBytes(s);
        } else {
            node->InsertSeparator(i, key_bytes, key_chain, child);
        }
    }
    if (!d.empty() || node->encoded_bytes_ != h.payload_bytes) return bad("payload size mismatch");
    return node;
}

std::string ShortestSeparator(std::string_view a, std::string_view b) {
    ORRERY_ASSERT(a < b);
    size_t n = std::min(a.size(), b.size());
    size_t p = 0;
    while (p < n && a[p] == b[p]) ++p;
    ORRERY_ASSERT(p < b.size());
    return std::string(b.substr(0, p + 1));
}

}  // namespace orrery::storage::btree
