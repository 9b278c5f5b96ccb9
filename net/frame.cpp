// Frame and hello encoding, and the incremental frame decoder. See frame.h for the layouts.
#include "net/frame.h"

#include <fmt/format.h>

#include "core/coding.h"

namespace orrery::net {

std::string EncodeFrame(std::string_view payload) {
    ORRERY_ASSERT(payload.size() <= kMaxPayloadBytes, "frame payload of {} bytes exceeds {}",
                  payload.size(), kMaxPayloadBytes);
    std::string frame;
    frame.reserve(kFrameHeaderBytes + payload.size());
    PutFixed32(&frame, static_cast<uint32_t>(payload.size() + 1));
    frame.push_back(static_cast<char>(kFrameVersion));
    frame.append(payload);
    return frame;
}

std::string EncodeHello(const Hello& hello) {
    std::string out(kHelloMagic);
    out.push_back(static_cast<char>(hello.role));
    PutFixed32(&out, hello.id);
    ORRERY_ASSERT(out.size() == kHelloBytes, "hello must be {} bytes", kHelloBytes);
    return out;
}

Result<Hello> DecodeHello(std::string_view payload) {
    if (payload.size() != kHelloBytes) {
        return Status::Corruption(
            fmt::format("hello of {} bytes, want {}", payload.size(), kHelloBytes));
    }
    if (payload.substr(0, kHelloMagic.size()) != kHelloMagic) {
        return Status::Corruption("hello without the ORRY magic");
    }
    auto role = static_cast<uint8_t>(payload[4]);
    if (role != static_cast<uint8_t>(HelloRole::kPeer) &&
        role != static_cast<uint8_t>(HelloRole::kClient)) {
        return Status::Corruption(fmt::format("hello with unknown role {}", role));
    }
    return Hello{static_cast<HelloRole>(role), DecodeFixed32(payload.data() + 5)};
}

void FrameDecoder::Feed(std::string_view bytes) {
    // Drop the consumed prefix once it dominates, so the buffer stays about one frame long.
    if (start_ > 0 && start_ >= buffer_.size() / 2) {
        buffer_.erase(0, start_);
        start_ = 0;
    }
    buffer_.append(bytes);
}

Result<std::optional<std::string>> FrameDecoder::Next() {
    if (failed_) return Status::Corruption("stream already failed");
    std::string_view rest = std::string_view(buffer_).substr(start_);
    if (rest.size() < kFrameLengthBytes) return std::optional<std::string>();
    uint32_t length = DecodeFixed32(rest.data());
    if (length == 0 || length > kMaxFrameLength) {
        failed_ = true;
        return Status::Corruption(
            fmt::format("frame length {} outside [1, {}]", length, kMaxFrameLength));
    }
    if (rest.size() < kFrameHeaderBytes) return std::optional<std::string>();
    auto version = static_cast<uint8_t>(rest[kFrameLengthBytes]);
    if (version != kFrameVersion) {
        failed_ = true;
        return Status::Corruption(
            fmt::format("frame version {}, this binary speaks {}", version, kFrameVersion));
    }
    if (rest.size() < kFrameLengthBytes + length) return std::optional<std::string>();
    std::string payload(rest.substr(kFrameHeaderBytes, length - 1));
    start_ += kFrameLengthBytes + length;
    return std::optional<std::string>(std::move(payload));
}

}  // namespace orrery::net
