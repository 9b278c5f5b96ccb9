// KV commands: what a Raft log entry of the replicated key-value store carries, and the reply
// the state machine computes for it.
//
// Every write a client makes (put, delete, compare-and-set) becomes one command in the log. The
// command names its client session (client id, sequence number), so that a command a client
// retried, and that two leaders therefore both appended, is applied once (Raft thesis §6.3).
// Reads never enter the log: they go through ReadIndex (thesis §6.4).
//
// Byte layout of an encoded command (all integers little-endian or LEB128 varints):
//
//   | field     | encoding            | notes                                  |
//   |-----------|---------------------|----------------------------------------|
//   | version   | u8 = 1              | kNotSupported for any other            |
//   | op        | u8                  | 1 put, 2 delete, 3 cas, 4 txn, 5 txn-  |
//   |           |                     | autocommit, 6 txn-gc                   |
//   |           |                     | (txn_state_machine.h)                  |
//   | client_id | varint64            | the session; 0 is invalid              |
//   | seq       | varint64            | >= 1, increasing per client            |
//   | key       | length-prefixed     | non-empty                              |
//   | value     | length-prefixed     | put/cas: the new value; delete: empty; |
//   |           |                     | txn: an encoded mvcc::CommitRequest    |
//   | expected  | length-prefixed     | cas: the value compared; else empty    |
//   | crc       | fixed32             | masked CRC32C of everything before     |
//
// A cached reply (kept per session in the engine) is: u8 code, then a length-prefixed value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace orrery::node {

// kTxn commits an MVCC transaction (one entry for all its writes and its read set);
// kTxnAutocommit is a single-statement write whose snapshot is the state it is applied to.
// kTxnGc raises MVCC's GC horizon to (last version - `value` versions kept, in decimal).
enum class CommandOp : uint8_t {
    kPut = 1, kDelete = 2, kCas = 3, kTxn = 4, kTxnAutocommit = 5, kTxnGc = 6,
};

// Returns "put", "delete", "cas", "txn", "txn-autocommit" or "txn-gc".
std::string_view CommandOpName(CommandOp op);

struct Command {
    CommandOp op = CommandOp::kPut;
    uint64_t client_id = 0;
    uint64_t seq = 0;
    std::string key;
    std::string value;     // The new value (put, cas).
    std::string expected;  // The value a cas compares against.

    friend bool operator==(const Command&, const Command&) = default;
};

// The outcome of a command or a read, as the client sees it.
enum class ReplyCode : uint8_t {
    kOk = 0,         // Done; `value` holds the result of a read.
    kNotFound = 1,   // A read found no value.
    kCasFailed = 2,  // A cas found a different (or no) value and changed nothing.
    kNotLeader = 3,  // This server is not the leader and did not propose the request.
    kError = 4,      // Something else; the message says what. Writes: outcome unknown.
    kAborted = 5,    // A transaction's serialization failure: no effect; retry the transaction.
};

// Returns "ok", "not-found", "cas-failed", "not-leader", "error" or "aborted".
std::string_view ReplyCodeName(ReplyCode code);

// The reply a command produced, cached with the client's session.
struct CommandReply {
    ReplyCode code = ReplyCode::kOk;
    std::string value;

    friend bool operator==(const CommandReply&, const CommandReply&) = default;
};

// Encodes a command for a log entry. REQUIRES: client_id != 0, seq != 0, !key.empty().
std::string EncodeCommand(const Command& command);

// Decodes a command; Corruption on bad bytes (checksum, truncation, unknown op), NotSupported on
// an unknown version.
Result<Command> DecodeCommand(std::string_view bytes);

// Encodes / decodes a cached reply.
std::string EncodeCommandReply(const CommandReply& reply);
Result<CommandReply> DecodeCommandReply(std::string_view bytes);

// One line for traces and golden files, e.g. "c7#3 cas k1 1->2".
std::string DescribeCommand(const Command& command);

}  // namespace orrery::node
