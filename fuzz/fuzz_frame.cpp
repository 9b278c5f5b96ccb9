// Fuzz target: the TCP framing (net/frame.h) — the first code that touches bytes from a socket.
// The input is cut into chunks as recv() might deliver them; the decoder must never allocate by
// an untrusted length (the length field is checked before buffering) and, once failed, stays
// failed. Hellos are decoded from every payload it returns.
#include "fuzz/fuzz_util.h"
#include "net/frame.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace orrery;
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    net::FrameDecoder decoder;
    size_t pos = 0;
    bool failed = false;
    // Chunk sizes come from the input itself: the byte at each cut says how far the next cut is.
    while (pos < bytes.size()) {
        size_t chunk = 1 + static_cast<uint8_t>(bytes[pos]) % 64;
        decoder.Feed(bytes.substr(pos, chunk));
        pos += chunk;
        for (int frames = 0; frames < 1024; ++frames) {
            auto next = decoder.Next();
            if (!next.ok()) {
                failed = true;
                break;
            }
            if (!next.value().has_value()) break;
            FUZZ_CHECK(!failed);
            FUZZ_CHECK(next.value()->size() <= net::kMaxPayloadBytes);
            auto hello = net::DecodeHello(*next.value());
            if (hello.ok()) FUZZ_CHECK(net::EncodeHello(hello.value()) == *next.value());
        }
        if (failed) {
            // Failure is sticky: more bytes never revive the stream.
            decoder.Feed("x");
            FUZZ_CHECK(!decoder.Next().ok());
            break;
        }
    }
    return 0;
}
