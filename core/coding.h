// Binary encoding helpers for hot-path formats: the Raft log, SSTables, B+-tree pages, messages.
//
// Fixed-width integers are little-endian. Varints are LEB128 (7 bits per byte, low bits first),
// at most 10 bytes for 64 bits. Length-prefixed strings are a varint length then the bytes.
//
// Decoding never trusts its input: every Get* on a Decoder checks bounds and returns false on
// truncated or malformed data, so a bit flip yields a clean Corruption, never a crash.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace orrery {

void PutFixed32(std::string* dst, uint32_t v);
void PutFixed64(std::string* dst, uint64_t v);
void PutVarint32(std::string* dst, uint32_t v);
void PutVarint64(std::string* dst, uint64_t v);
// Zig-zag encodes a signed value so small magnitudes stay short.
void PutVarsint64(std::string* dst, int64_t v);
void PutLengthPrefixed(std::string* dst, std::string_view s);

// Returns the number of bytes PutVarint64 would write for v.
int VarintLength(uint64_t v);

inline uint32_t DecodeFixed32(const char* p) {
    uint32_t v;
    std::memcpy(&v, p, sizeof v);  // x86 and ARM64 are little-endian; asserted in coding.cpp.
    return v;
}
inline uint64_t DecodeFixed64(const char* p) {
    uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
inline void EncodeFixed32(char* p, uint32_t v) { std::memcpy(p, &v, sizeof v); }
inline void EncodeFixed64(char* p, uint64_t v) { std::memcpy(p, &v, sizeof v); }

// Reads values from a byte string front to back. Each Get* returns false (and consumes nothing
// meaningful) when the input is too short or malformed; callers turn that into Corruption.
class Decoder {
public:
    explicit Decoder(std::string_view in) : in_(in) {}

    bool GetFixed32(uint32_t* v);
    bool GetFixed64(uint64_t* v);
    bool GetVarint32(uint32_t* v);
    bool GetVarint64(uint64_t* v);
    bool GetVarsint64(int64_t* v);
    bool GetU8(uint8_t* v);
    // Reads a varint length and that many bytes; the view points into the input.
    bool GetLengthPrefixed(std::string_view* s);
    // Reads exactly n bytes.
    bool GetBytes(size_t n, std::string_view* s);

    bool empty() const { return in_.empty(); }
    size_t remaining() const { return in_.size(); }
    std::string_view rest() const { return in_; }

private:
    std::string_view in_;
};

}  // namespace orrery
