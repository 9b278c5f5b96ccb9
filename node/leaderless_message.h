// The leaderless mode's wire: channels, consistency levels, and the replica protocol.
//
// A LeaderlessServer shares one endpoint among four kinds of datagram, told apart by the first
// byte (the client channel is the replicated mode's, node/client_protocol.h, so KvClient and
// `orrery kv` work unchanged):
//   0x02 client  - ClientRequest / ClientReply (client_protocol.h)
//   0x03 gossip  - gossip/message.h
//   0x04 paxos   - paxos/message.h
//   0x05 replica - the messages below, between a coordinator and the key's replicas
//
// Consistency travels in ClientRequest::limit for get/put/delete/cas (a field those ops do not
// otherwise use): 0 the server's default, 1 ONE, 2 QUORUM, 3 ALL, 4 SERIAL (the op runs as a
// lightweight transaction on CASPaxos; Cassandra's name for it).
//
// Replica messages: masked CRC32C (4) | version (1) | type (1) | id (varint) | fields:
//   Write(key, cell, hinted)   coordinator -> replica: merge the cell (last-write-wins)
//   WriteAck()                 replica -> coordinator, after the merge is synced
//   Read(key)                  coordinator -> replica
//   ReadReply(key, cell?)      replica -> coordinator
//   TreeReq(lo, hi)            repairer -> replica: the Merkle tree of the range (lo, hi]
//   TreeReply(lo, hi, leaves)  kMerkleLeaves leaf hashes
//   RangeReq(lo, hi, leaves)   the cells of the named leaves of (lo, hi]
//   RangeReply(cells)          (key, cell) pairs
// Decoding trusts nothing: kCorruption on any bad byte, count or trailing data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "node/leaderless_cell.h"

namespace orrery::node {

inline constexpr uint8_t kClientChannelByte = 2;
inline constexpr uint8_t kGossipChannel = 3;
inline constexpr uint8_t kPaxosChannel = 4;
inline constexpr uint8_t kReplicaChannel = 5;

// Leaves of the Merkle tree of one token range (a power of two: the tree is complete).
inline constexpr uint32_t kMerkleLeaves = 64;
inline constexpr size_t kMaxRangeCells = 4096;

enum class Consistency : uint8_t { kDefault = 0, kOne = 1, kQuorum = 2, kAll = 3, kSerial = 4 };

// "one", "quorum", "all", "serial" ("default" for kDefault).
std::string_view ConsistencyName(Consistency c);
// Parses "one", "quorum", "all", "serial" (any case); InvalidArgument naming the levels.
Result<Consistency> ParseConsistency(std::string_view text);
// How many of `rf` replicas must answer at level c (REQUIRES: c is ONE, QUORUM or ALL).
uint32_t RequiredAcks(Consistency c, uint32_t rf);

enum class ReplicaMsgType : uint8_t {
    kWrite = 1, kWriteAck, kRead, kReadReply, kTreeReq, kTreeReply, kRangeReq, kRangeReply,
};

struct ReplicaMessage {
    ReplicaMsgType type = ReplicaMsgType::kWrite;
    uint64_t id = 0;                  // Matches a reply to its request.
    std::string key;                  // Write, Read, ReadReply.
    std::optional<Cell> cell;         // Write (always), ReadReply (if the replica has one).
    bool hinted = false;              // Write: a replayed hint.
    uint64_t lo = 0, hi = 0;          // Tree*, RangeReq: the token range (lo, hi].
    std::vector<uint64_t> hashes;     // TreeReply: kMerkleLeaves leaf hashes.
    std::vector<uint32_t> leaves;     // RangeReq: leaf indexes.
    std::vector<std::pair<std::string, Cell>> cells;  // RangeReply.

    friend bool operator==(const ReplicaMessage&, const ReplicaMessage&) = default;
};

// A replica message with the given fields and the rest at their defaults.
inline ReplicaMessage MakeReplica(ReplicaMsgType type, uint64_t id, std::string key = {},
                                  std::optional<Cell> cell = {}, bool hinted = false) {
    ReplicaMessage m;
    m.type = type;
    m.id = id;
    m.key = std::move(key);
    m.cell = std::move(cell);
    m.hinted = hinted;
    return m;
}

// The framed datagram (channel byte included).
std::string EncodeReplicaMessage(const ReplicaMessage& m);
// Decodes a replica payload (after the channel byte).
Result<ReplicaMessage> DecodeReplicaMessage(std::string_view payload);

// One line for traces, for any datagram of a leaderless server (every channel).
std::string DescribeLeaderlessDatagram(std::string_view datagram);

}  // namespace orrery::node
