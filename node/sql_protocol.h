// The SQL protocol between a client (node/sql_client.h, `orrery sql`, the simulator's SQL
// workloads) and a node's SQL server (node/sql_server.h). It travels on its own channel of the
// node's endpoint (Channel::kSql, client_protocol.h), beside Raft and the key-value protocol.
//
// A session is a client id. Each request carries (client id, seq); the client sends one request
// at a time, with a fresh seq each, and resends the SAME request (same seq) after a timeout: the
// server answers a resent seq from its cache or, while the statement still runs, simply answers
// it once it is done. A statement is never executed twice for one seq (node/sql_server.h).
//
// Message layout (after the channel byte). Integers are LEB128 varints unless marked; "lp" is a
// varint length then the bytes:
//
//   | field          | encoding         | notes                                           |
//   |----------------|------------------|-------------------------------------------------|
//   | version        | u8 = 1           | kNotSupported otherwise                         |
//   | kind           | u8               | 1 request, 2 reply                              |
//   | client_id      | varint64         | the session; never 0                            |
//   | seq            | varint64         | never 0; matches a reply to its request         |
//   | request:       |                  |                                                 |
//   |  op            | u8               | 1 execute, 2 status, 3 close, 4 cancel          |
//   |  believed      | u8               | TxnStatus the client last saw: 0 I, 1 T, 2 E    |
//   |  txn           | varint64         | the transaction token the client last saw       |
//   |  text          | lp               | one statement; at most kMaxSqlTextBytes         |
//   |  nparams       | varint32         | at most kMaxSqlParams, then nparams x value     |
//   | reply:         |                  |                                                 |
//   |  code          | u8               | 0 ok, 1 error, 2 not-leader, 3 busy             |
//   |  leader        | varint32         | not-leader: the leader's id, 0 = unknown        |
//   |  leader_addr   | lp               | its client address when the node knows it       |
//   |  txn_status    | u8               | the session's TxnStatus after the statement     |
//   |  txn           | varint64         | its open transaction's token; 0 when idle       |
//   |  body          | u8 + fields      | 0 none; 1 result; 2 error; 3 node status        |
//   |  result:       |                  | ncols, ncols x (lp name, u8 type), nrows,       |
//   |                |                  | nrows x ncols x value, lp tag, varint64         |
//   |                |                  | rows_affected, nnotices, nnotices x lp          |
//   |  error:        |                  | u8 ErrorKind, lp message, u8 has_pos, [varint32]|
//   |  node status:  |                  | node, leader, role u8, term, commit, applied,   |
//   |                |                  | mvcc version, sessions, open txns, naddrs x     |
//   |                |                  | (varint32 id, lp client address)                |
//   | crc            | fixed32          | masked CRC32C of everything after the channel   |
//
//   value: u8 DataType, then nothing (NULL), u8 (BOOLEAN), zig-zag varint (INTEGER, TIMESTAMP),
//          fixed64 IEEE bits (FLOAT), lp bytes (STRING, BLOB).
//
// Bounds. Decoding checks the CRC, every enum and every count against the bytes that remain
// (a count never sizes an allocation), so a flipped or truncated message is Corruption, never
// a crash or a huge allocation. An encoded reply is at most kMaxSqlReplyBytes: the server
// replaces a larger result with a kProgramLimitExceeded error naming the bound (the
// connection stays up, the session stays usable).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "sql/error.h"
#include "sql/session.h"
#include "sql/value.h"

namespace orrery::node {

// Statement text, with room for a 10 MB literal, under the transport's 16 MiB frame.
inline constexpr size_t kMaxSqlTextBytes = size_t{12} << 20;
inline constexpr uint32_t kMaxSqlParams = 65535;
// The largest reply a server sends; a larger result is an error instead (file comment).
inline constexpr size_t kMaxSqlReplyBytes = size_t{8} << 20;

enum class SqlOp : uint8_t {
    kExecute = 1,  // Run `text` (one statement) with `params`.
    kStatus = 2,   // Describe the node: SqlNodeStatus. Needs no session and no leadership.
    kClose = 3,    // End the session: roll back its transaction and forget it.
    // Stop the statement `seq` of the session if it is still running (PostgreSQL's
    // CancelRequest): it ends at its next step with 57014. No reply of its own.
    kCancel = 4,
};

struct SqlRequest {
    uint64_t client_id = 0;
    uint64_t seq = 0;
    SqlOp op = SqlOp::kExecute;
    // The transaction status of the client's last reply. A server whose session disagrees
    // (the client believes a transaction is open, the server has none) says the transaction
    // was lost instead of running the statement outside it (node/sql_server.h).
    sql::TxnStatus believed = sql::TxnStatus::kIdle;
    // The token of that transaction (SqlReply::txn_token), 0 when idle: a session that holds a
    // different transaction than the one the client is in also answers "lost".
    uint64_t txn_token = 0;
    std::string text;
    std::vector<sql::Value> params;
};

// kBusy: the session is still running an earlier statement (the client gave up on it), or the
// node has no room for another session; nothing happened, resend the same request later.
enum class SqlReplyCode : uint8_t { kOk = 0, kError = 1, kNotLeader = 2, kBusy = 3 };

// "ok", "error", "not-leader", "busy".
std::string_view SqlReplyCodeName(SqlReplyCode code);

// What `\status` shows of a node.
struct SqlNodeStatus {
    uint32_t node = 0;
    uint32_t leader = 0;  // 0: unknown.
    uint8_t role = 0;     // raft::Role as an integer.
    uint64_t term = 0;
    uint64_t commit = 0;
    uint64_t applied = 0;
    uint64_t mvcc_version = 0;  // The newest committed MVCC version this node applied.
    uint64_t sessions = 0;
    uint64_t open_transactions = 0;
    // The client address of every node, as the node's configuration names them (empty in the
    // simulator), so a client that knows one address can follow a not-leader hint.
    std::vector<std::pair<uint32_t, std::string>> client_addresses;
};

struct SqlReply {
    uint64_t client_id = 0;
    uint64_t seq = 0;
    SqlReplyCode code = SqlReplyCode::kOk;
    uint32_t leader_hint = 0;
    std::string leader_address;
    sql::TxnStatus txn_status = sql::TxnStatus::kIdle;
    // Names the session's open transaction (unique per node and term); 0 when idle.
    uint64_t txn_token = 0;
    // ok for kExecute: the statement's result. error: the error.
    std::optional<sql::StatementResult> result;
    std::optional<sql::SqlError> error;
    // ok for kStatus.
    std::optional<SqlNodeStatus> status;
};

// (A SqlError is built with sql::MakeSqlError, sql/error.h.)
using sql::MakeSqlError;

// Encodes a request or reply (without the channel byte). REQUIRES: the request within the
// bounds above (a client checks them first, SqlClient::Execute).
std::string EncodeSqlRequest(const SqlRequest& request);
std::string EncodeSqlReply(const SqlReply& reply);

// InvalidArgument naming the bound when a request would exceed one.
Status CheckSqlRequestBounds(std::string_view text, const std::vector<sql::Value>& params);

struct SqlMessage {
    std::optional<SqlRequest> request;
    std::optional<SqlReply> reply;
};

// Decodes a SQL-channel payload; Corruption / NotSupported on bad bytes.
Result<SqlMessage> DecodeSqlMessage(std::string_view payload);

// One line for traces: `Sql c1001#4 "INSERT INTO t VALUES (1)"` (text cut at 60 bytes),
// `SqlReply c1001#4 ok INSERT 1 [T]`, `SqlReply c1001#4 error 40001 serialization ...`.
std::string DescribeSqlPayload(std::string_view payload);

}  // namespace orrery::node
