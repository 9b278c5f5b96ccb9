// Batch: a multi-cell compare-and-set within one partition, as one CASPaxos change.
//
// In the leaderless mode a partition key owns one CASPaxos register whose value is the whole
// partition: its cells, a sorted map from cell name to value. A lightweight transaction is a
// batch of conditions and writes over those cells; it applies all its writes iff every
// condition holds (Cassandra's "BATCH ... IF"), atomically, because the whole partition is one
// value chosen by one Paxos round. A read is the empty batch: it still runs both phases, which
// is what makes it linearizable (a read that skipped the accept could see a value that a
// later quorum never chose).
//
// Cells encoding: count (varint) then (cell, value) length-prefixed pairs, sorted by cell. A
// partition with no cells is stored as "no value".
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "paxos/proposer.h"

namespace orrery::paxos {

using Cells = std::map<std::string, std::string>;

std::string EncodeCells(const Cells& cells);
Result<Cells> DecodeCells(std::string_view bytes);
// A register value as cells: no value is no cells.
Result<Cells> CellsOf(const std::optional<std::string>& value);

struct CellCondition {
    std::string cell;
    std::optional<std::string> expected;  // nullopt: the cell must be absent.
};

struct CellWrite {
    std::string cell;
    std::optional<std::string> value;  // nullopt: delete the cell.
};

struct Batch {
    std::vector<CellCondition> conditions;
    std::vector<CellWrite> writes;
};

struct BatchResult {
    bool applied = false;
    Cells before;  // The partition the batch was evaluated against ("the current values").
};

// Evaluates the batch against `previous`: whether it applies and what it saw. Corruption if
// previous is not a cells encoding.
Result<BatchResult> EvaluateBatch(const Batch& batch, const std::optional<std::string>& previous);

// The change function of the batch: the next partition value (previous unchanged when a
// condition fails, or when previous does not decode).
ChangeFn MakeBatchChange(Batch batch);

// One line: "if a=1 b=∅ set c=2 del d", or "read" for the empty batch.
std::string DescribeBatch(const Batch& batch);

}  // namespace orrery::paxos
