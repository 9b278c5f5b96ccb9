// Varint and fixed-width encoding. See coding.h.
#include "core/coding.h"

#include <bit>

namespace orrery {

static_assert(std::endian::native == std::endian::little, "Orrery's formats assume little-endian");

void PutFixed32(std::string* dst, uint32_t v) {
    char buf[4];
    EncodeFixed32(buf, v);
    dst->append(buf, 4);
}

void PutFixed64(std::string* dst, uint64_t v) {
    char buf[8];
    EncodeFixed64(buf, v);
    dst->append(buf, 8);
}

void PutVarint64(std::string* dst, uint64_t v) {
    char buf[10];
    int n = 0;
    while (v >= 0x80) {
        buf[n++] = static_cast<char>((v & 0x7f) | 0x80);
        v >>= 7;
    }
    buf[n++] = static_cast<char>(v);
    dst->append(buf, n);
}

void PutVarint32(std::string* dst, uint32_t v) { PutVarint64(dst, v); }

void PutVarsint64(std::string* dst, int64_t v) {
    uint64_t zz = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
    PutVarint64(dst, zz);
}

void PutLengthPrefixed(std::string* dst, std::string_view s) {
    PutVarint64(dst, s.size());
    dst->append(s.data(), s.size());
}

int VarintLength(uint64_t v) {
    int n = 1;
    while (v >= 0x80) {
        v >>= 7;
        ++n;
    }
    return n;
}

bool Decoder::GetFixed32(uint32_t* v) {
    if (in_.size() < 4) return false;
    *v = DecodeFixed32(in_.data());
    in_.remove_prefix(4);
    return true;
}

bool Decoder::GetFixed64(uint64_t* v) {
    if (in_.size() < 8) return false;
    *v = DecodeFixed64(in_.data());
    in_.remove_prefix(8);
    return true;
}

bool Decoder::GetVarint64(uint64_t* v) {
    uint64_t result = 0;
    constexpr int kMaxBytes = 10;
    for (int i = 0; i < kMaxBytes && i < static_cast<int>(in_.size()); ++i) {
        uint64_t byte = static_cast<uint8_t>(in_[i]);
        if (i == kMaxBytes - 1 && byte > 1) return false;  // Would overflow 64 bits.
        result |= (byte & 0x7f) << (7 * i);
        if ((byte & 0x80) == 0) {
            *v = result;
            in_.remove_prefix(i + 1);
            return true;
        }
    }
    return false;
}

bool Decoder::GetVarint32(uint32_t* v) {
    uint64_t wide;
    std::string_view saved = in_;
    if (!GetVarint64(&wide) || wide > UINT32_MAX) {
        in_ = saved;
        return false;
    }
    *v = static_cast<uint32_t>(wide);
    return true;
}

bool Decoder::GetVarsint64(int64_t* v) {
    uint64_t zz;
    if (!GetVarint64(&zz)) return false;
    *v = static_cast<int64_t>(zz >> 1) ^ -static_cast<int64_t>(zz & 1);
    return true;
}

bool Decoder::GetU8(uint8_t* v) {
    if (in_.empty()) return false;
    *v = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return true;
}

bool Decoder::GetLengthPrefixed(std::string_view* s) {
    std::string_view saved = in_;
    uint64_t n;
    if (!GetVarint64(&n) || n > in_.size()) {
        in_ = saved;
        return false;
    }
    *s = in_.substr(0, n);
    in_.remove_prefix(n);
    return true;
}

bool Decoder::GetBytes(size_t n, std::string_view* s) {
    if (n > in_.size()) return false;
    *s = in_.substr(0, n);
    in_.remove_prefix(n);
    return true;
}

}  // namespace orrery
