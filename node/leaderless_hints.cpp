// HintStore: see leaderless_hints.h.
#include "node/leaderless_hints.h"

#include <memory>
#include <set>

#include "core/coding.h"

namespace orrery::node {
namespace {

constexpr std::string_view kPrefix = "h/";

void PutBigEndian(std::string* out, uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t GetBigEndian(std::string_view in) {
    uint64_t v = 0;
    for (char c : in) v = (v << 8) | static_cast<uint8_t>(c);
    return v;
}

std::string HintKey(NodeId target, uint64_t id) {
    std::string k(kPrefix);
    PutBigEndian(&k, target.value(), 4);
    PutBigEndian(&k, id, 8);
    return k;
}

std::string EncodeHintValue(const Hint& h) {
    std::string out;
    PutLengthPrefixed(&out, h.key);
    PutLengthPrefixed(&out, EncodeCell(h.cell));
    return out;
}

Result<Hint> DecodeHint(std::string_view key, std::string_view value) {
    if (key.size() != kPrefix.size() + 12) return Status::Corruption("hint key malformed");
    Hint h;
    h.target = NodeId(static_cast<uint32_t>(GetBigEndian(key.substr(kPrefix.size(), 4))));
    h.id = GetBigEndian(key.substr(kPrefix.size() + 4, 8));
    Decoder in(value);
    std::string_view k, cell;
    if (!in.GetLengthPrefixed(&k) || !in.GetLengthPrefixed(&cell) || !in.empty()) {
        return Status::Corruption("hint record malformed");
    }
    h.key = std::string(k);
    ORRERY_ASSIGN_OR_RETURN(h.cell, DecodeCell(cell));
    return h;
}

}  // namespace

Result<std::unique_ptr<HintStore>> HintStore::Open(storage::Engine& engine, bool volatile_hints) {
    std::unique_ptr<HintStore> s(new HintStore(engine, volatile_hints));
    if (!volatile_hints) ORRERY_RETURN_IF_ERROR(s->Recover());
    return s;
}

Status HintStore::Recover() {
    std::unique_ptr<storage::Iterator> it = engine_.Scan(storage::PrefixScan(kPrefix));
    for (; it->Valid(); it->Next()) {
        ORRERY_ASSIGN_OR_RETURN(Hint h, DecodeHint(it->key(), it->value()));
        next_id_ = std::max(next_id_, h.id + 1);
        hints_[h.id] = std::move(h);
    }
    return it->status();
}

Result<uint64_t> HintStore::Add(NodeId target, const std::string& key, const Cell& cell) {
    if (hints_.size() >= kMaxHints) return Status::Busy("hint store full");
    Hint h{next_id_++, target, key, cell};
    if (!volatile_) {
        storage::WriteBatch batch;
        batch.Set(HintKey(target, h.id), EncodeHintValue(h));
        // Synced before the write is acknowledged: the hint outlives a coordinator crash.
        ORRERY_RETURN_IF_ERROR(engine_.Write(batch, /*sync=*/true));
    }
    uint64_t id = h.id;
    hints_[id] = std::move(h);
    return id;
}

Status HintStore::Remove(uint64_t id) {
    auto it = hints_.find(id);
    if (it == hints_.end()) return Status::Ok();
    if (!volatile_) {
        storage::WriteBatch batch;
        batch.Delete(HintKey(it->second.target, id));
        // Not synced: a removal lost in a crash only replays the hint once more (idempotent).
        ORRERY_RETURN_IF_ERROR(engine_.Write(batch, /*sync=*/false));
    }
    hints_.erase(it);
    return Status::Ok();
}

std::vector<Hint> HintStore::ForTarget(NodeId target, size_t limit) const {
    std::vector<Hint> out;
    for (const auto& [id, h] : hints_) {
        if (out.size() >= limit) break;
        if (h.target == target) out.push_back(h);
    }
    return out;
}

std::vector<NodeId> HintStore::Targets() const {
    std::set<NodeId> targets;
    for (const auto& [id, h] : hints_) targets.insert(h.target);
    return {targets.begin(), targets.end()};
}

std::vector<uint64_t> HintStore::Ids() const {
    std::vector<uint64_t> out;
    for (const auto& [id, h] : hints_) out.push_back(id);
    return out;
}

}  // namespace orrery::node
