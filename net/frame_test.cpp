// Tests of the frame format and the incremental decoder: a golden script for the byte layouts
// and errors, and properties for splitting and garbage.
#include "net/frame.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <rapidcheck/catch.h>

#include <vector>

#include "testkit/golden.h"

namespace orrery::net {
namespace {

std::string Hex(std::string_view bytes) {
    std::string out;
    for (unsigned char c : bytes) out += fmt::format("{:02x}", c);
    return out;
}

Result<std::string> Unhex(const std::string& hex) {
    if (hex.size() % 2 != 0) return Status::InvalidArgument("odd hex length");
    std::string out;
    for (size_t i = 0; i < hex.size(); i += 2) {
        out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    }
    return out;
}

// Commands: "frame <text>" prints the frame's hex; "hello role=peer|client id=N" prints a hello
// frame's hex; "decode <hex>..." feeds each argument as one recv() and prints what comes out;
// "parse-hello <hex>" decodes a hello payload.
Result<std::string> RunFrameCommand(const testkit::GoldenCommand& cmd) {
    if (cmd.name == "frame") return Hex(EncodeFrame(cmd.args.empty() ? "" : cmd.args[0]));
    if (cmd.name == "hello") {
        HelloRole role = cmd.Get("role") == "client" ? HelloRole::kClient : HelloRole::kPeer;
        Hello hello{role, static_cast<uint32_t>(cmd.GetInt("id", 0))};
        return Hex(EncodeFrame(EncodeHello(hello)));
    }
    if (cmd.name == "parse-hello") {
        ORRERY_ASSIGN_OR_RETURN(std::string payload, Unhex(cmd.args.at(0)));
        ORRERY_ASSIGN_OR_RETURN(Hello hello, DecodeHello(payload));
        return fmt::format("role={} id={}", hello.role == HelloRole::kPeer ? "peer" : "client",
                           hello.id);
    }
    if (cmd.name != "decode") return Status::InvalidArgument("unknown command " + cmd.name);
    FrameDecoder decoder;
    std::string out;
    for (const std::string& chunk : cmd.args) {
        ORRERY_ASSIGN_OR_RETURN(std::string bytes, Unhex(chunk));
        decoder.Feed(bytes);
        for (int i = 0; i < 100; ++i) {
            ORRERY_ASSIGN_OR_RETURN(std::optional<std::string> frame, decoder.Next());
            if (!frame) break;
            out += fmt::format("frame \"{}\"\n", *frame);
        }
    }
    return out + fmt::format("buffered {}", decoder.buffered());
}

TEST_CASE("frames have the documented layout", "[net]") {
    testkit::RunGoldenFile("testdata/frames.txt", RunFrameCommand);
}

TEST_CASE("the decoder returns the same payloads however the stream is cut", "[net]") {
    rc::prop("encode, concatenate, split anywhere, decode", [] {
        const auto payloads = *rc::gen::container<std::vector<std::string>>(
            rc::gen::container<std::string>(rc::gen::arbitrary<char>()));
        std::string stream;
        for (const auto& p : payloads) stream += EncodeFrame(p);
        FrameDecoder decoder;
        std::vector<std::string> got;
        size_t at = 0;
        while (at < stream.size()) {
            size_t n = *rc::gen::inRange<size_t>(1, stream.size() - at + 1);
            decoder.Feed(std::string_view(stream).substr(at, n));
            at += n;
            for (;;) {
                auto next = decoder.Next();
                RC_ASSERT(next.ok());
                if (!next->has_value()) break;
                got.push_back(**next);
            }
        }
        RC_ASSERT(got == payloads);
        RC_ASSERT(decoder.buffered() == 0u);
    });
}

TEST_CASE("the decoder never crashes on garbage and stays failed after an error", "[net]") {
    rc::prop("random bytes yield frames, a wait, or a sticky error", [] {
        const auto bytes = *rc::gen::container<std::string>(rc::gen::arbitrary<char>());
        FrameDecoder decoder;
        decoder.Feed(bytes);
        for (size_t i = 0; i <= bytes.size(); ++i) {
            auto next = decoder.Next();
            if (!next.ok()) {
                RC_ASSERT(next.status().code() == Code::kCorruption);
                RC_ASSERT(!decoder.Next().ok());
                return;
            }
            if (!next->has_value()) return;
        }
        RC_FAIL("more frames than bytes");
    });
}

TEST_CASE("an oversized length is refused from the length field alone", "[net]") {
    FrameDecoder decoder;
    std::string header(4, '\0');
    uint32_t too_big = kMaxFrameLength + 1;
    std::memcpy(header.data(), &too_big, 4);
    decoder.Feed(header);
    auto next = decoder.Next();
    REQUIRE_FALSE(next.ok());
    CHECK(next.status().message() == "frame length 16777217 outside [1, 16777216]");
}

}  // namespace
}  // namespace orrery::net
