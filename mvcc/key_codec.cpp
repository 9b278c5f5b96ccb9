// The MVCC key layout. See key_codec.h for the byte table.
#include "mvcc/key_codec.h"

#include <fmt/format.h>

#include <algorithm>

namespace orrery::mvcc {
namespace {

// Bytes a versioned data key adds around the escaped user key: prefix, terminator, version.
constexpr size_t kDataKeyOverheadBytes = 1 + 2 + 8;

// Every key a transaction reads or writes comes through here, and SQL keys are dense with zero
// bytes, so (as DecodeDataKey does) the bytes go through a raw pointer into room for the worst
// case (every byte a zero), trimmed at the end, rather than one push_back each.
void AppendEscaped(std::string* dst, std::string_view user_key) {
    const size_t at = dst->size();
    // Room for the terminator and version EncodeDataKey appends next, too: one allocation.
    dst->reserve(at + 2 * user_key.size() + kDataKeyOverheadBytes);
    dst->resize(at + 2 * user_key.size());
    char* out = dst->data() + at;
    size_t n = 0;
    for (char c : user_key) {
        out[n++] = c;
        if (c == '\x00') out[n++] = '\xff';
    }
    dst->resize(at + n);
}

}  // namespace

void PutBigEndian64(std::string* dst, uint64_t v) {
    char bytes[8];
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((v >> (56 - 8 * i)) & 0xff);
    dst->append(bytes, sizeof bytes);
}

uint64_t GetBigEndian64(std::string_view eight_bytes) {
    ORRERY_ASSERT(eight_bytes.size() == 8, "need 8 bytes, got {}", eight_bytes.size());
    uint64_t v = 0;
    for (char c : eight_bytes) v = (v << 8) | static_cast<uint8_t>(c);
    return v;
}

std::string LastVersionKey() { return std::string("\x00\x01", 2); }
std::string GcHorizonKey() { return std::string("\x00\x02", 2); }

std::string RecordKey(Version commit) {
    std::string key(1, kRecordPrefix);
    PutBigEndian64(&key, commit);
    return key;
}

Result<Version> DecodeRecordKey(std::string_view engine_key) {
    if (engine_key.size() != 9 || engine_key[0] != kRecordPrefix) {
        return Status::Corruption("malformed transaction record key");
    }
    return GetBigEndian64(engine_key.substr(1));
}

std::string DataRangeBound(std::string_view user_key) {
    std::string key(1, kDataPrefix);
    AppendEscaped(&key, user_key);
    return key;
}

storage::ScanOptions DataScan(std::string_view start, std::string_view end) {
    storage::ScanOptions opts;
    opts.lower = storage::Bound::Inclusive(DataRangeBound(start));
    opts.upper = end.empty() ? storage::Bound::Exclusive(std::string(1, kEndOfMvccPrefix))
                             : storage::Bound::Exclusive(DataRangeBound(end));
    return opts;
}

std::string DataKeyPrefix(std::string_view user_key) {
    std::string key = DataRangeBound(user_key);
    key.append("\x00\x00", 2);
    return key;
}

std::string EncodeDataKey(std::string_view user_key, Version version) {
    std::string key = DataKeyPrefix(user_key);
    PutBigEndian64(&key, ~version);
    return key;
}

Result<DecodedDataKey> DecodeDataKey(std::string_view engine_key) {
    if (engine_key.size() < kDataKeyOverheadBytes || engine_key[0] != kDataPrefix) {
        return Status::Corruption("malformed data key: too short or wrong prefix");
    }
    DecodedDataKey out;
    size_t i = 1;
    const size_t body_end = engine_key.size() - 8;
    // Every scanned row's key comes through here, and SQL keys are dense with escaped zeros, so
    // the bytes go through a raw pointer into a buffer sized for the worst case (no escapes),
    // trimmed at the end, rather than one push_back each.
    out.user_key.resize(body_end - 1);
    char* dst = out.user_key.data();
    size_t n = 0;
    while (i < body_end) {
        char c = engine_key[i];
        if (c != '\x00') {
            dst[n++] = c;
            ++i;
            continue;
        }
        if (i + 1 >= body_end) break;
        char next = engine_key[i + 1];
        if (next == '\x00') break;  // The terminator.
        if (next != '\xff') return Status::Corruption("malformed data key: bad escape");
        dst[n++] = '\x00';
        i += 2;
    }
    out.user_key.resize(n);
    if (i + 2 != body_end || engine_key[i] != '\x00' || engine_key[i + 1] != '\x00') {
        return Status::Corruption("malformed data key: no terminator before the version");
    }
    out.group_bytes = body_end;
    out.version = ~GetBigEndian64(engine_key.substr(body_end));
    return out;
}

std::string EncodeDataValue(const std::optional<std::string>& value) {
    if (!value) return std::string(1, '\x00');
    std::string out(1, '\x01');
    out += *value;
    return out;
}

Result<std::optional<std::string_view>> DataValueView(std::string_view stored) {
    if (stored.empty()) return Status::Corruption("empty data value");
    if (stored[0] == '\x00') {
        if (stored.size() != 1) return Status::Corruption("tombstone with a payload");
        return std::optional<std::string_view>();
    }
    if (stored[0] != '\x01') return Status::Corruption("data value with an unknown tag");
    return std::optional<std::string_view>(stored.substr(1));
}

Result<std::optional<std::string>> DecodeDataValue(std::string_view stored) {
    ORRERY_ASSIGN_OR_RETURN(std::optional<std::string_view> view, DataValueView(stored));
    if (!view) return std::optional<std::string>();
    return std::optional<std::string>(std::string(*view));
}

std::string PrintableKey(std::string_view key) {
    std::string out;
    for (char c : key) {
        auto byte = static_cast<uint8_t>(c);
        if (byte >= 0x20 && byte < 0x7f && c != '\\') {
            out.push_back(c);
        } else {
            out += fmt::format("\\x{:02x}", byte);
        }
    }
    return out;
}

Status ValidateUserKey(std::string_view user_key) {
    if (user_key.empty()) return Status::InvalidArgument("empty key");
    size_t zeros = static_cast<size_t>(std::count(user_key.begin(), user_key.end(), '\x00'));
    size_t engine_bytes = user_key.size() + zeros + kDataKeyOverheadBytes;
    if (engine_bytes > storage::kMaxKeyBytes) {
        return Status::InvalidArgument(fmt::format(
            "key of {} bytes is too long: its versioned form needs {} of at most {} bytes",
            user_key.size(), engine_bytes, storage::kMaxKeyBytes));
    }
    return Status::Ok();
}

Status ValidateUserValue(std::string_view value) {
    if (value.size() + 1 > storage::kMaxValueBytes) {
        return Status::InvalidArgument(fmt::format("value of {} bytes exceeds the {}-byte limit",
                                                   value.size(), storage::kMaxValueBytes - 1));
    }
    return Status::Ok();
}

}  // namespace orrery::mvcc
