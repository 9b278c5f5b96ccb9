// The reference engine. See memory_engine.h.
#include "storage/memory_engine.h"

namespace orrery::storage {
namespace {

// Walks a shared snapshot of the map between the scan's bounds.
class MemoryIterator final : public Iterator {
public:
    using Map = std::map<std::string, std::string, std::less<>>;

    MemoryIterator(std::shared_ptr<const Map> map, ScanOptions opts)
        : map_(std::move(map)), opts_(std::move(opts)) {
        if (!opts_.reverse) {
            it_ = Lower();
        } else {
            auto end = Upper();
            at_end_ = end == map_->begin();
            if (!at_end_) it_ = std::prev(end);
        }
        Settle();
    }

    bool Valid() const override { return !at_end_; }
    void Next() override {
        if (!opts_.reverse) {
            ++it_;
        } else if (it_ == map_->begin()) {
            at_end_ = true;
        } else {
            --it_;
        }
        Settle();
    }
    std::string_view key() const override { return it_->first; }
    std::string_view value() const override { return it_->second; }
    Status status() const override { return Status::Ok(); }

private:
    Map::const_iterator Lower() const {
        switch (opts_.lower.kind) {
            case Bound::Kind::kInclusive: return map_->lower_bound(opts_.lower.key);
            case Bound::Kind::kExclusive: return map_->upper_bound(opts_.lower.key);
            case Bound::Kind::kUnbounded: break;
        }
        return map_->begin();
    }
    Map::const_iterator Upper() const {
        switch (opts_.upper.kind) {
            case Bound::Kind::kInclusive: return map_->upper_bound(opts_.upper.key);
            case Bound::Kind::kExclusive: return map_->lower_bound(opts_.upper.key);
            case Bound::Kind::kUnbounded: break;
        }
        return map_->end();
    }
    // Marks the end once the cursor leaves the range.
    void Settle() {
        if (at_end_) return;
        if (it_ == map_->end() || !InRange(it_->first, opts_)) at_end_ = true;
    }

    std::shared_ptr<const Map> map_;
    ScanOptions opts_;
    Map::const_iterator it_;
    bool at_end_ = false;
};

}  // namespace

MemoryEngine::MemoryEngine() : map_(std::make_shared<Map>()) {}

Result<std::string> MemoryEngine::Get(std::string_view key) {
    ORRERY_RETURN_IF_ERROR(ValidateKey(key));
    auto it = map_->find(key);
    if (it == map_->end()) return Status::NotFound("key not found");
    return it->second;
}

Status MemoryEngine::Write(const WriteBatch& batch, bool /*sync*/) {
    ORRERY_RETURN_IF_ERROR(ValidateBatch(batch));
    if (map_.use_count() > 1) map_ = std::make_shared<Map>(*map_);  // An iterator holds the old one.
    for (const auto& op : batch.ops()) {
        if (op.is_delete) {
            map_->erase(op.key);
        } else {
            (*map_)[op.key] = op.value;
        }
    }
    user_bytes_written_ += batch.bytes();
    return Status::Ok();
}

std::unique_ptr<Iterator> MemoryEngine::Scan(const ScanOptions& opts) {
    return std::make_unique<MemoryIterator>(map_, opts);
}

EngineStatus MemoryEngine::GetStatus() {
    EngineStatus s;
    s.engine = "memory";
    s.live_keys = map_->size();
    s.user_bytes_written = user_bytes_written_;
    return s;
}

}  // namespace orrery::storage
