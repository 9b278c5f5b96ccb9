// The CommitRequest wire format. See commit_request.h.
#include "mvcc/commit_request.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/coding.h"
#include "core/key_encoding.h"

namespace orrery::mvcc {
namespace {

constexpr uint8_t kFormatVersion = 1;
constexpr uint8_t kFlagReadOnly = 0x01;
// Named limit on the element counts a decoder accepts before allocating (a corrupt count must
// not make it reserve gigabytes). A log entry larger than this is refused by Raft anyway.
constexpr uint64_t kMaxElementsPerList = 1 << 20;

bool GetString(Decoder* in, std::string* out) {
    std::string_view view;
    if (!in->GetLengthPrefixed(&view)) return false;
    out->assign(view);
    return true;
}

bool GetCount(Decoder* in, uint64_t* n) {
    return in->GetVarint64(n) && *n <= kMaxElementsPerList && *n <= in->remaining();
}

bool GetWrites(Decoder* in, std::vector<Write>* writes) {
    uint64_t n = 0;
    if (!GetCount(in, &n)) return false;
    writes->resize(n);
    for (Write& w : *writes) {
        uint8_t kind = 0;
        if (!in->GetU8(&kind) || kind > 1 || !GetString(in, &w.key)) return false;
        if (kind == 1) {
            w.value.emplace();
            if (!GetString(in, &*w.value)) return false;
        }
    }
    return true;
}

}  // namespace

std::string_view IsolationName(Isolation isolation) {
    return isolation == Isolation::kSerializable ? "serializable" : "snapshot";
}

bool KeyRange::Contains(std::string_view key) const {
    return key >= start && (end.empty() || key < end);
}

KeyRange KeyRange::Prefix(std::string_view prefix) {
    return KeyRange{std::string(prefix), PrefixEnd(prefix)};
}

KeyRange KeyRange::Closed(std::string_view start, std::string_view end) {
    std::string after_end(end);
    after_end.push_back('\x00');
    return KeyRange{std::string(start), after_end};
}

void AppendReadSet(std::string* dst, const std::vector<std::string>& keys,
                   const std::vector<KeyRange>& ranges) {
    PutVarint64(dst, keys.size());
    for (const auto& k : keys) PutLengthPrefixed(dst, k);
    PutVarint64(dst, ranges.size());
    for (const auto& r : ranges) {
        PutLengthPrefixed(dst, r.start);
        PutLengthPrefixed(dst, r.end);
    }
}

bool GetReadSet(Decoder* in, std::vector<std::string>* keys, std::vector<KeyRange>* ranges) {
    uint64_t n = 0;
    if (!GetCount(in, &n)) return false;
    keys->resize(n);
    for (auto& k : *keys) {
        if (!GetString(in, &k)) return false;
    }
    if (!GetCount(in, &n)) return false;
    ranges->resize(n);
    for (auto& r : *ranges) {
        if (!GetString(in, &r.start) || !GetString(in, &r.end)) return false;
    }
    return true;
}

std::string EncodeCommitRequest(const CommitRequest& req) {
    std::string out;
    out.push_back(static_cast<char>(kFormatVersion));
    PutVarint64(&out, req.txn_id);
    PutVarint64(&out, req.snapshot_version);
    out.push_back(static_cast<char>(req.isolation));
    out.push_back(static_cast<char>(req.read_only ? kFlagReadOnly : 0));
    PutVarint64(&out, req.writes.size());
    for (const Write& w : req.writes) {
        out.push_back(w.value ? '\x01' : '\x00');
        PutLengthPrefixed(&out, w.key);
        if (w.value) PutLengthPrefixed(&out, *w.value);
    }
    AppendReadSet(&out, req.read_keys, req.read_ranges);
    return out;
}

Result<CommitRequest> DecodeCommitRequest(std::string_view bytes) {
    Decoder in(bytes);
    CommitRequest req;
    uint8_t format = 0, isolation = 0, flags = 0;
    if (!in.GetU8(&format)) return Status::Corruption("commit request: empty");
    if (format != kFormatVersion) {
        return Status::Corruption(fmt::format("commit request: unknown format {}", format));
    }
    bool ok = in.GetVarint64(&req.txn_id) && in.GetVarint64(&req.snapshot_version) &&
              in.GetU8(&isolation) && isolation <= 1 && in.GetU8(&flags) &&
              (flags & ~kFlagReadOnly) == 0 && GetWrites(&in, &req.writes) &&
              GetReadSet(&in, &req.read_keys, &req.read_ranges);
    if (!ok) return Status::Corruption("commit request: truncated or malformed");
    if (!in.empty()) return Status::Corruption("commit request: trailing bytes");
    req.isolation = static_cast<Isolation>(isolation);
    req.read_only = (flags & kFlagReadOnly) != 0;
    Status valid = ValidateCommitRequest(req);
    if (!valid.ok()) return Status::Corruption("commit request: " + valid.message());
    return req;
}

namespace {

// What AppendReadSet spends on a key or a range, up to the varint lengths (counted as 2 bytes
// each, an over-estimate for short keys, so the budget errs on the small side).
size_t KeyCost(const std::string& k) { return k.size() + 2; }
size_t RangeCost(const KeyRange& r) { return r.start.size() + r.end.size() + 4; }

// a's end is at or past b's start: the two ranges overlap or touch (empty end: unbounded).
bool Reaches(const KeyRange& a, const KeyRange& b) { return a.end.empty() || b.start <= a.end; }

// The larger of two range ends (empty = unbounded wins).
const std::string& MaxEnd(const std::string& a, const std::string& b) {
    if (a.empty() || b.empty()) return a.empty() ? a : b;
    return a < b ? b : a;
}

}  // namespace

void CoarsenReadSet(CommitRequest* req, size_t budget_bytes) {
    size_t cost = 0;
    for (const std::string& k : req->read_keys) cost += KeyCost(k);
    for (const KeyRange& r : req->read_ranges) cost += RangeCost(r);
    if (cost <= budget_bytes) return;
    std::vector<KeyRange> ranges = std::move(req->read_ranges);
    // The keys move into their one-key ranges (a bulk load reads a million keys).
    ranges.reserve(ranges.size() + req->read_keys.size());
    for (std::string& k : req->read_keys) {
        std::string end = k + '\0';
        ranges.push_back(KeyRange{std::move(k), std::move(end)});
    }
    req->read_keys.clear();
    std::sort(ranges.begin(), ranges.end(),
              [](const KeyRange& a, const KeyRange& b) { return a.start < b.start; });
    // Merge overlapping and touching ranges: this loses nothing.
    std::vector<KeyRange> merged;
    for (KeyRange& r : ranges) {
        if (!merged.empty() && Reaches(merged.back(), r)) {
            merged.back().end = MaxEnd(merged.back().end, r.end);
        } else {
            merged.push_back(std::move(r));
        }
    }
    // Still too big: cover each pair of neighbouring ranges by one range (this widens the set
    // over the keys between them), halving the count until the set fits.
    for (;;) {
        cost = 0;
        for (const KeyRange& r : merged) cost += RangeCost(r);
        if (cost <= budget_bytes || merged.size() <= 1) break;
        std::vector<KeyRange> wider;
        wider.reserve(merged.size() / 2 + 1);
        for (size_t i = 0; i < merged.size(); i += 2) {
            KeyRange r = std::move(merged[i]);
            if (i + 1 < merged.size()) r.end = MaxEnd(r.end, merged[i + 1].end);
            wider.push_back(std::move(r));
        }
        merged = std::move(wider);
    }
    req->read_ranges = std::move(merged);
}

Status ValidateCommitRequest(const CommitRequest& req) {
    if (req.read_only && !req.writes.empty()) {
        return Status::InvalidArgument("a read-only transaction carries writes");
    }
    for (size_t i = 0; i < req.writes.size(); ++i) {
        ORRERY_RETURN_IF_ERROR(ValidateUserKey(req.writes[i].key));
        if (req.writes[i].value) ORRERY_RETURN_IF_ERROR(ValidateUserValue(*req.writes[i].value));
        if (i > 0 && !(req.writes[i - 1].key < req.writes[i].key)) {
            return Status::InvalidArgument("writes are not sorted by key without duplicates");
        }
    }
    for (size_t i = 0; i < req.read_keys.size(); ++i) {
        ORRERY_RETURN_IF_ERROR(ValidateUserKey(req.read_keys[i]));
        if (i > 0 && !(req.read_keys[i - 1] < req.read_keys[i])) {
            return Status::InvalidArgument("read keys are not sorted without duplicates");
        }
    }
    for (const KeyRange& r : req.read_ranges) {
        if (!r.end.empty() && !(r.start < r.end)) {
            return Status::InvalidArgument("a read range is empty or inverted");
        }
    }
    return Status::Ok();
}

}  // namespace orrery::mvcc
