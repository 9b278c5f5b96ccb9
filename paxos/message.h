// CASPaxos messages and their wire format (Rystsov 2018, §2.1-§2.2).
//
// Four messages, two rounds. All carry the register's key and the ballot they are about:
//   Prepare(key, b)                       proposer -> acceptor   (phase 1)
//   Promise(key, b, ok, seen, accepted)   acceptor -> proposer   ok: promised b, here is what I
//                                                                accepted (ballot and value);
//                                                                !ok: I saw `seen` > b
//   Accept(key, b, value, base, next)     proposer -> acceptor   (phase 2) accept `value` at b;
//                                                                `base` is the ballot of the value
//                                                                it was computed from; `next`, if
//                                                                not none, is the piggybacked
//                                                                prepare (one-round-trip, §2.2.1)
//   Accepted(key, b, ok, seen)            acceptor -> proposer
// A value is optional: "no value" is the register before its first write (or after a delete).
//
// Layout: masked CRC32C of the rest (4) | version (1) | type (1) | key (length-prefixed) |
// ballot (counter varint, node varint) | the type's fields. Decoding trusts nothing: a wrong
// checksum, version, type, length or a trailing byte is kCorruption.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "paxos/ballot.h"

namespace orrery::paxos {

inline constexpr uint8_t kMessageVersion = 1;
inline constexpr size_t kMaxKeyBytes = 1024;
inline constexpr size_t kMaxValueBytes = 1 << 20;

enum class MsgType : uint8_t { kPrepare = 1, kPromise, kAccept, kAccepted };

struct Message {
    MsgType type = MsgType::kPrepare;
    std::string key;
    Ballot ballot;
    bool ok = false;                   // Promise, Accepted.
    Ballot seen;                       // Promise, Accepted when !ok: the higher ballot seen.
    Ballot accepted;                   // Promise: the ballot of the accepted value (none: none).
    std::optional<std::string> value;  // Promise: the accepted value; Accept: the new value.
    Ballot base;                       // Accept: the ballot of the value this one replaces.
    Ballot next;                       // Accept: the piggybacked promise (none: none).

    friend bool operator==(const Message&, const Message&) = default;
};

// A message of `type` about (key, ballot) with every other field at its default.
inline Message MakeMessage(MsgType type, std::string key, Ballot ballot) {
    Message m;
    m.type = type;
    m.key = std::move(key);
    m.ballot = ballot;
    return m;
}

// REQUIRES: key and value within the bounds above.
std::string EncodeMessage(const Message& m);
Result<Message> DecodeMessage(std::string_view bytes);

// One line, e.g. "Accept k0 b=3.n1 value=7 base=2.n1 next=4.n1", "Promise k0 b=3.n1 ok
// accepted=2.n1 value=6", "<corrupt: reason>".
std::string DescribeMessage(std::string_view bytes);

// "∅" for no value, else the value (cut to 24 bytes with "…").
std::string ValueText(const std::optional<std::string>& v);

}  // namespace orrery::paxos
