// Shared pieces of the Engine interface. See engine.h.
#include "storage/engine.h"

#include <fmt/format.h>

#include "core/key_encoding.h"

namespace orrery::storage {

Status ValidateKey(std::string_view key) {
    if (key.empty()) return Status::InvalidArgument("empty key");
    if (key.size() > kMaxKeyBytes) {
        return Status::InvalidArgument(
            fmt::format("key of {} bytes exceeds the {}-byte limit", key.size(), kMaxKeyBytes));
    }
    return Status::Ok();
}

Status ValidateBatch(const WriteBatch& batch) {
    for (const auto& op : batch.ops()) {
        ORRERY_RETURN_IF_ERROR(ValidateKey(op.key));
        if (op.value.size() > kMaxValueBytes) {
            return Status::InvalidArgument(fmt::format(
                "value of {} bytes exceeds the {}-byte limit", op.value.size(), kMaxValueBytes));
        }
    }
    return Status::Ok();
}

ScanOptions PrefixScan(std::string_view prefix, bool reverse) {
    ScanOptions opts;
    opts.reverse = reverse;
    if (!prefix.empty()) opts.lower = Bound::Inclusive(prefix);
    std::string end = PrefixEnd(prefix);
    if (!end.empty()) opts.upper = Bound::Exclusive(end);
    return opts;
}

bool InRange(std::string_view key, const ScanOptions& opts) {
    switch (opts.lower.kind) {
        case Bound::Kind::kInclusive: if (key < opts.lower.key) return false; break;
        case Bound::Kind::kExclusive: if (key <= opts.lower.key) return false; break;
        case Bound::Kind::kUnbounded: break;
    }
    switch (opts.upper.kind) {
        case Bound::Kind::kInclusive: if (key > opts.upper.key) return false; break;
        case Bound::Kind::kExclusive: if (key >= opts.upper.key) return false; break;
        case Bound::Kind::kUnbounded: break;
    }
    return true;
}

Status Engine::Set(std::string_view key, std::string_view value, bool sync) {
    WriteBatch batch;
    batch.Set(key, value);
    return Write(batch, sync);
}

Status Engine::Delete(std::string_view key, bool sync) {
    WriteBatch batch;
    batch.Delete(key);
    return Write(batch, sync);
}

}  // namespace orrery::storage
