// Fuzz target: the order-preserving key encoding (core/key_encoding.h) that SQL primary keys and
// indexes are stored in. Properties: decode(encode(t)) == t for whatever decodes, and the
// encoding's byte order agrees with CompareKeyTuple on two decoded tuples.
#include <algorithm>

#include "core/key_encoding.h"
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace orrery;
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    // Two candidate keys: the input cut at its middle.
    std::string_view a = bytes.substr(0, size / 2);
    std::string_view b = bytes.substr(size / 2);
    auto ta = DecodeKey(a);
    auto tb = DecodeKey(b);
    if (ta.ok()) {
        std::string ea = EncodeKey(ta.value());
        auto back = DecodeKey(ea);
        FUZZ_CHECK(back.ok());
        FUZZ_CHECK(CompareKeyTuple(back.value(), ta.value()) == 0);
    }
    if (ta.ok() && tb.ok()) {
        int by_value = CompareKeyTuple(ta.value(), tb.value());
        int by_bytes = EncodeKey(ta.value()).compare(EncodeKey(tb.value()));
        FUZZ_CHECK((by_value < 0) == (by_bytes < 0));
        FUZZ_CHECK((by_value == 0) == (by_bytes == 0));
    }
    return 0;
}
