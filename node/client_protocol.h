// The client protocol of the replicated KV store, and the channel tag that lets Raft traffic and
// client traffic share one network endpoint.
//
// Every datagram a KvServer sends or receives starts with one channel byte:
//   0x01 raft   - the rest is a Raft message (raft::DescribeMessage renders it);
//   0x02 client - the rest is a client request or reply, laid out below;
//   0x06 sql    - the rest is a SQL request or reply (sql_protocol.h).
// (0x03..0x05 are the leaderless mode's gossip, Paxos and replica channels, leaderless_message.h.)
//
// Client message (after the channel byte). Integers are LEB128 varints unless marked:
//
//   | field      | encoding         | notes                                           |
//   |------------|------------------|-------------------------------------------------|
//   | version    | u8 = 1           | kNotSupported otherwise                         |
//   | kind       | u8               | 1 request, 2 reply                              |
//   | client_id  | varint64         | the session (0 only for status requests)        |
//   | seq        | varint64         | matches a reply to its request                  |
//   | request:   |                  |                                                 |
//   |  op        | u8               | 1 get 2 put 3 delete 4 cas 5 scan 6 status      |
//   |            |                  | 7 txn-begin 8 txn-get 9 txn-scan 10 txn-commit  |
//   |            |                  | 11 txn-autocommit (txn_client.h)                |
//   |            |                  | 12 repair (the leaderless mode's anti-entropy)  |
//   |  key       | length-prefixed  | get/put/delete/cas; scan: start                 |
//   |  value     | length-prefixed  | put/cas: new value                              |
//   |  expected  | length-prefixed  | cas                                             |
//   |  end       | length-prefixed  | scan: exclusive end ("" = unbounded)            |
//   |  limit     | varint32         | scan: at most kMaxScanLimit                     |
//   |  snapshot  | varint64         | only for txn-get and txn-scan: the MVCC version |
//   | reply:     |                  |                                                 |
//   |  code      | u8               | ReplyCode (kv_command.h)                        |
//   |  leader    | varint32         | not-leader hint; 0 = unknown                    |
//   |  value     | length-prefixed  | get: the value; cas-failed: the current value   |
//   |  message   | length-prefixed  | error text                                      |
//   |  npairs    | varint32         | scan results, then npairs x (key, value)        |
//   |  status    | u8 flag + fields | role u8, term, commit, applied, last, leader     |
//   |            |                  | then state hash (varint64, see KvServer)        |
//   | crc        | fixed32          | masked CRC32C of everything after the channel   |
//
// Decoding checks the CRC, every bound and every enum, so a flipped or truncated datagram is
// rejected with Corruption, never misread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/types.h"
#include "node/kv_command.h"

namespace orrery::node {

enum class Channel : uint8_t { kRaft = 1, kClient = 2, kSql = 6 };

// Prepends the channel byte to a payload.
std::string Frame(Channel channel, std::string_view payload);

// Splits a datagram into its channel and payload; Corruption if empty or unknown channel.
Result<std::pair<Channel, std::string_view>> Unframe(std::string_view datagram);

inline constexpr uint32_t kMaxScanLimit = 1000;

enum class RequestOp : uint8_t {
    kGet = 1, kPut, kDelete, kCas, kScan, kStatus,
    // Transactions (txn_client.h): begin returns the snapshot version in `value`; get and scan
    // read at `snapshot`; commit carries an encoded mvcc::CommitRequest in `value` and returns
    // the commit version; autocommit is a write-only request applied at the latest version.
    kTxnBegin, kTxnGet, kTxnScan, kTxnCommit, kTxnAutocommit,
    // Asks one node of the leaderless mode to run anti-entropy over the ranges it replicates
    // (`orrery cluster repair`); the reply's message summarises it. A Raft node refuses it.
    kRepair,
};

// Returns "get", "put", ... "status", "txn-begin", ... "txn-autocommit", "repair".
std::string_view RequestOpName(RequestOp op);

struct ClientRequest {
    uint64_t client_id = 0;
    uint64_t seq = 0;
    RequestOp op = RequestOp::kGet;
    std::string key;
    std::string value;
    std::string expected;
    std::string end;
    uint32_t limit = 0;
    uint64_t snapshot = 0;  // txn-get / txn-scan only.

    // True for ops that change state (and so go through the log and the session table).
    bool is_write() const {
        return op == RequestOp::kPut || op == RequestOp::kDelete || op == RequestOp::kCas ||
               op == RequestOp::kTxnCommit || op == RequestOp::kTxnAutocommit;
    }
    // True for ops that read at an MVCC snapshot (and so carry the snapshot field).
    bool has_snapshot() const { return op == RequestOp::kTxnGet || op == RequestOp::kTxnScan; }
    friend bool operator==(const ClientRequest&, const ClientRequest&) = default;
};

// A server's view of itself, for `orrery cluster status`.
struct ServerStatus {
    uint8_t role = 0;  // raft::Role as an integer.
    uint64_t term = 0;
    uint64_t commit = 0;
    uint64_t applied = 0;
    uint64_t last_index = 0;
    uint32_t leader = 0;  // 0 = unknown.
    // Hash64 chain over every (key, value) of the server's engine, in key order: equal on two
    // servers iff they applied the same commands (the e2e tests compare it). 0 = not computed.
    uint64_t state_hash = 0;
    friend bool operator==(const ServerStatus&, const ServerStatus&) = default;
};

struct ClientReply {
    uint64_t client_id = 0;
    uint64_t seq = 0;
    ReplyCode code = ReplyCode::kOk;
    uint32_t leader_hint = 0;
    std::string value;
    std::string message;
    std::vector<std::pair<std::string, std::string>> pairs;
    std::optional<ServerStatus> status;
    friend bool operator==(const ClientReply&, const ClientReply&) = default;
};

// Encodes a request or reply as a client-channel payload (without the channel byte).
std::string EncodeRequest(const ClientRequest& request);
std::string EncodeReply(const ClientReply& reply);

// A decoded client payload: exactly one of the two is set.
struct ClientMessage {
    std::optional<ClientRequest> request;
    std::optional<ClientReply> reply;
};

// Decodes a client-channel payload; Corruption / NotSupported on bad bytes.
Result<ClientMessage> DecodeClientMessage(std::string_view payload);

// Renders a whole datagram of either channel as one line, for the simulator's traces:
// "Put c1001#4 k1=7", "Reply c1001#4 ok", or raft::DescribeMessage for Raft traffic.
std::string DescribeDatagram(std::string_view datagram);

}  // namespace orrery::node
