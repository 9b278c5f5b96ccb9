// Gossip's messages and their wire format (SWIM, Das, Gupta and Motivala, 2002, §3-§4).
//
// Every message carries the sender's own incarnation and a list of piggybacked membership
// updates, so dissemination rides on the failure detector's traffic (SWIM §4.1: "infection-style
// dissemination"). The layout, built on core/coding.h:
//
//   | bytes | field                                                           |
//   |-------|-----------------------------------------------------------------|
//   | 4     | masked CRC32C of every byte after it                            |
//   | 1     | format version (kMessageVersion)                                |
//   | 1     | type (MsgType)                                                  |
//   | var   | sender's incarnation                                            |
//   | var   | seq: the probe this message belongs to (0 for Join/Gossip)     |
//   | var   | target: the probed node (Ping/Ack/PingReq), else 0              |
//   | var   | update count (at most kMaxUpdatesPerMessage)                    |
//   | ...   | updates: member id (var), state (1 byte), incarnation (var)     |
//
// Decoding trusts nothing: a wrong checksum, version, type, state, count or a trailing byte is
// kCorruption, and the receiver drops the message with a trace note. A malformed message never
// changes the membership table.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/types.h"

namespace orrery::gossip {

inline constexpr uint8_t kMessageVersion = 1;
// Bounds for decoding untrusted bytes (and for the size of a table: see kMaxMembers).
inline constexpr size_t kMaxUpdatesPerMessage = 256;

// A member's state. The order matters: at equal incarnations a later state overrides an earlier
// one (membership.h, "precedence").
enum class State : uint8_t { kAlive = 0, kSuspect = 1, kDead = 2, kLeft = 3 };

// "alive", "suspect", "dead", "left".
std::string_view StateName(State s);

// One membership claim: `member` is in `state` at `incarnation`.
struct Update {
    NodeId member;
    State state = State::kAlive;
    uint64_t incarnation = 0;

    friend bool operator==(const Update&, const Update&) = default;
};

enum class MsgType : uint8_t {
    kPing = 1,   // "are you alive?" (SWIM §3.1), direct or relayed for a PingReq.
    kAck,        // The answer to a Ping; relayed back to a PingReq's sender with its seq.
    kPingReq,    // "please ping `target` for me" (SWIM §3.1, indirect probe through k members).
    kJoin,       // A new or restarted node asks a seed for the membership.
    kJoinAck,    // A seed's whole table, as updates.
    kGossip,     // Updates only (a graceful leave announces itself with it).
};

// "Ping", "Ack", ...
std::string_view MsgTypeName(MsgType t);

struct Message {
    MsgType type = MsgType::kPing;
    uint64_t incarnation = 0;  // The sender's incarnation (its own claim to be alive).
    uint64_t seq = 0;
    NodeId target;
    std::vector<Update> updates;

    friend bool operator==(const Message&, const Message&) = default;
};

// Encodes m. REQUIRES: m.updates.size() <= kMaxUpdatesPerMessage.
std::string EncodeMessage(const Message& m);

// Decodes bytes produced by EncodeMessage; kCorruption for anything else.
Result<Message> DecodeMessage(std::string_view bytes);

// One compact line, e.g. "Ping seq=4 i=0 [n3 suspect i2]". Malformed: "<corrupt: reason>".
std::string DescribeMessage(std::string_view bytes);

}  // namespace orrery::gossip
