// Shared pieces of the libFuzzer targets (fuzz/*.cpp).
//
// Most of Orrery's formats carry a CRC32C, so random bytes almost never get past the checksum
// and a fuzzer would only exercise the first ten lines of each decoder. Every target therefore
// takes its first input byte as a mode: odd means "fix the checksum" (the harness seals the rest
// of the input with a correct CRC where the format keeps it), even means "decode as is". The
// fuzzer learns both, so the decoder's structural checks behind the checksum are reached too.
//
// FUZZ_CHECK is the oracle: a decoded value must re-encode to bytes that decode to the same
// value. It traps (libFuzzer reports a crash with the input) rather than asserting, so the
// message names the property, not a line of production code.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "core/checksum.h"
#include "core/coding.h"

#define FUZZ_CHECK(cond)                                                          \
    do {                                                                          \
        if (!(cond)) {                                                            \
            std::fprintf(stderr, "fuzz property failed: %s (%s:%d)\n", #cond,      \
                         __FILE__, __LINE__);                                     \
            __builtin_trap();                                                     \
        }                                                                         \
    } while (0)

namespace orrery::fuzz {

struct Input {
    bool fix_checksum = false;
    std::string_view bytes;
};

// Splits off the mode byte. An empty input decodes as empty bytes without a fix.
inline Input Split(const uint8_t* data, size_t size) {
    if (size == 0) return {};
    return {(data[0] & 1) != 0, std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1)};
}

// body + fixed32(masked CRC32C(body)): the trailer form of client messages, KV commands, LSM
// blocks and manifests.
inline std::string SealTrailer(std::string_view body) {
    std::string out(body);
    PutFixed32(&out, MaskCrc(Crc32c(body)));
    return out;
}

// fixed32(masked CRC32C(rest)) + rest: the header form of Raft messages.
inline std::string SealHeader(std::string_view rest) {
    std::string out(4, '\0');
    out.append(rest);
    EncodeFixed32(out.data(), MaskCrc(Crc32c(rest)));
    return out;
}

}  // namespace orrery::fuzz
