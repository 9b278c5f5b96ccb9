// HintStore: hinted handoff's hints, kept by a coordinator for replicas it could not reach
// (Dynamo §4.6; Cassandra's hints).
//
// A hint is (target, key, cell): a write the target missed. The coordinator stores it when
// gossip believes the target dead, or when the target did not acknowledge within the request
// timeout, and replays it when gossip sees the target alive again; the target's ack removes it.
// Replaying is safe in any order and any number of times, because replicas merge cells by
// last-write-wins (leaderless_cell.h).
//
// Durability: a hint is written to the engine and synced before Add returns, so hints survive
// a coordinator crash (the clones Orrery learns from keep them in memory). Bug switch
// handoff.volatile keeps them in a std::map instead: a crash of the coordinator loses every
// hint, and a replica that missed writes keeps missing them until a read repair or
// anti-entropy finds them. Records live under "h/" + target (4 bytes, big-endian) + id (8
// bytes, big-endian), so one prefix scan lists a target's hints in order; ids continue from
// the largest one found at open.
//
// Invariants: Remove only follows an acknowledgement from the hint's target (the caller's
// duty); ids are unique per store across restarts (durable mode); at most kMaxHints hints are
// kept (a full store refuses new hints with kBusy, and the write's coordinator then counts the
// replica as missing, which read repair and anti-entropy cover).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/types.h"
#include "node/leaderless_cell.h"
#include "storage/engine.h"

namespace orrery::node {

inline constexpr size_t kMaxHints = 100'000;

struct Hint {
    uint64_t id = 0;
    NodeId target;
    std::string key;
    Cell cell;
};

// Told of hints stored and delivered, for the simulator's "no hint dropped" invariant.
class HintObserver {
public:
    virtual ~HintObserver() = default;
    virtual void OnHintStored(NodeId coordinator, const Hint& hint) = 0;
    virtual void OnHintDelivered(NodeId coordinator, uint64_t id) = 0;
};

class HintStore {
public:
    // Recovers the hints from `engine` (durable mode). `volatile_hints`: handoff.volatile.
    static Result<std::unique_ptr<HintStore>> Open(storage::Engine& engine, bool volatile_hints);

    // Stores a hint durably (synced) and returns its id.
    Result<uint64_t> Add(NodeId target, const std::string& key, const Cell& cell);
    // Removes a delivered hint (a no-op for unknown ids).
    Status Remove(uint64_t id);

    // Up to `limit` hints for `target`, oldest first.
    std::vector<Hint> ForTarget(NodeId target, size_t limit) const;
    // Targets that have hints, sorted.
    std::vector<NodeId> Targets() const;
    // Every hint's id, sorted (for the invariant checker).
    std::vector<uint64_t> Ids() const;
    size_t size() const { return hints_.size(); }

private:
    HintStore(storage::Engine& engine, bool volatile_hints)
        : engine_(engine), volatile_(volatile_hints) {}
    Status Recover();

    storage::Engine& engine_;
    bool volatile_;
    // Every hint, by id; the durable copy is in the engine. Memory is bounded by kMaxHints.
    std::map<uint64_t, Hint> hints_;
    uint64_t next_id_ = 1;
};

}  // namespace orrery::node
