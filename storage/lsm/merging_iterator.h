// Merging sources into one ordered stream, and the public Iterator the engine hands out.
//
// The merging iterator takes sources ordered newest first (the memtable, then each run from the
// newest to the oldest). For each key it yields the version of the newest source holding the key
// and skips that key in every older source: this is how a newer write, or a tombstone, shadows
// older data. It streams: each source holds at most one block in memory.
//
// The engine iterator on top drops tombstones and stops at the scan's far bound. An error in any
// source stops the scan and is reported by status(); it never yields a wrong entry.
#pragma once

#include <memory>
#include <vector>

#include "storage/engine.h"
#include "storage/lsm/entry_iterator.h"

namespace orrery::storage::lsm {

// Merges `sources` (newest first, all moving in the same direction).
std::unique_ptr<EntryIterator> NewMergingIterator(
    std::vector<std::unique_ptr<EntryIterator>> sources, bool reverse);

// Wraps a merged stream as the engine's Iterator: skips tombstones, honours the far bound.
std::unique_ptr<Iterator> NewEngineIterator(std::unique_ptr<EntryIterator> merged,
                                            const ScanOptions& opts);

}  // namespace orrery::storage::lsm
