// Frames: how Orrery cuts a TCP byte stream into messages, and the hello that opens a connection.
//
// TCP delivers a stream of bytes, but Network::Send promises whole messages, so every message
// travels in a frame:
//
//   offset  size  field
//   0       4     length  : u32, little-endian: the number of bytes after this field
//                           (1 + payload size); 1 <= length <= kMaxFrameLength
//   4       1     version : u8, kFrameVersion (1)
//   5       n     payload : length - 1 bytes, opaque to the transport
//
// The first frame on every connection is a *hello* (its payload is 9 bytes):
//
//   offset  size  field
//   0       4     magic   : "ORRY"
//   4       1     role    : 1 = a server node dialling a peer, 2 = a client
//   5       4     id      : u32, little-endian: the sender's NodeId; a client may send 0 to ask
//                           the node to assign it an id
//
// A node answers a client's hello with a hello of its own whose id is the client's endpoint id
// (the requested one, or the assigned one). Peers get no answer: a connection between two nodes
// carries traffic one way only, from the dialler to the listener.
//
// Anything else is malformed: a length of 0 or above kMaxFrameLength (rejected from the four
// length bytes alone, before buffering the body), a version other than kFrameVersion, a hello
// with the wrong size, magic or role, or a stream that ends inside a frame. A malformed frame
// closes its connection; the transport logs it and keeps serving everybody else.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/types.h"

namespace orrery::net {

inline constexpr size_t kFrameLengthBytes = 4;
inline constexpr size_t kFrameHeaderBytes = kFrameLengthBytes + 1;
inline constexpr uint8_t kFrameVersion = 1;
// The largest value of the length field: version byte plus payload, 16 MiB.
inline constexpr uint32_t kMaxFrameLength = 16u << 20;
// The largest payload a frame can carry.
inline constexpr size_t kMaxPayloadBytes = kMaxFrameLength - 1;

inline constexpr std::string_view kHelloMagic = "ORRY";
inline constexpr size_t kHelloBytes = 9;

enum class HelloRole : uint8_t {
    kPeer = 1,    // A server node opening its outbound link to another node's peer port.
    kClient = 2,  // A client at a node's client port (or the node's answer to one).
};

struct Hello {
    HelloRole role = HelloRole::kPeer;
    uint32_t id = 0;  // NodeId value; 0 in a client's hello means "assign me one".
};

// Returns the frame carrying `payload`. REQUIRES: payload.size() <= kMaxPayloadBytes.
std::string EncodeFrame(std::string_view payload);

// Returns the payload of a hello frame (wrap it with EncodeFrame).
std::string EncodeHello(const Hello& hello);

// Parses a hello payload; kCorruption unless it is exactly a well-formed hello.
Result<Hello> DecodeHello(std::string_view payload);

// Cuts a byte stream into frame payloads, incrementally: feed it whatever recv() returned.
// Once it has reported an error it stays failed (the connection must be closed).
class FrameDecoder {
public:
    // Appends received bytes.
    void Feed(std::string_view bytes);

    // Returns the next whole frame's payload, nullopt if more bytes are needed, or kCorruption
    // for a malformed header (see the file comment).
    Result<std::optional<std::string>> Next();

    // Bytes received but not yet returned as a frame. Non-zero at end of stream means the
    // stream was cut inside a frame.
    size_t buffered() const { return buffer_.size() - start_; }

private:
    std::string buffer_;
    size_t start_ = 0;  // Bytes of buffer_ already consumed.
    bool failed_ = false;
};

}  // namespace orrery::net
