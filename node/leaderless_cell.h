// Cell: one key's value in the leaderless mode, with its last-write-wins timestamp.
//
// A cell is (timestamp, tombstone?, value). The timestamp is the *coordinator's* Clock at the
// write, in microseconds, made unique per coordinator (it never repeats a timestamp). Replicas
// keep, per key, the cell that wins by last-write-wins: the higher timestamp; on a tie a
// tombstone; then the greater value bytes (Cassandra's rule). The merge is commutative,
// associative and idempotent, so replicas that saw the same writes in any order, any number of
// times, hold the same cell: this is what read repair, hinted handoff and anti-entropy rely on.
// It is also why clock skew matters: a coordinator whose clock runs behind writes cells that
// lose to older writes, and those writes silently vanish.
//
// Deletes write tombstones. A tombstone is purged only after the grace period
// (LeaderlessOptions::tombstone_grace) has passed on the purging replica's clock; a replica
// that missed the delete and is not repaired within the grace period can resurrect the value.
//
// Encoding: version (1) | timestamp (varsint) | flags (1: tombstone) | value (length-prefixed).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace orrery::node {

struct Cell {
    int64_t timestamp_us = 0;
    bool tombstone = false;
    std::string value;  // Empty for tombstones.

    friend bool operator==(const Cell&, const Cell&) = default;
};

// True iff `a` wins over `b` by last-write-wins (see above).
bool CellWins(const Cell& a, const Cell& b);

// Returns the winner of a and b (either may be absent).
std::optional<Cell> MergeCells(const std::optional<Cell>& a, const std::optional<Cell>& b);

std::string EncodeCell(const Cell& cell);
Result<Cell> DecodeCell(std::string_view bytes);

// "7@1234" for a value, "✝@1234" for a tombstone.
std::string CellText(const Cell& cell);

}  // namespace orrery::node
