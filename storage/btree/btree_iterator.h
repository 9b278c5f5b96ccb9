// The B+-tree's streaming iterator over a pinned snapshot.
//
// Copy-on-write and sibling links do not mix: a leaf pointing at its neighbour would have to be
// copied whenever the neighbour is, and so on along the whole chain. So leaves are not linked;
// the iterator keeps the path from the root (one frame per level: node and child position) and
// steps to the next or previous leaf through the nearest ancestor that has one. Each step up and
// down is amortised O(1) per entry, and reverse scans cost the same as forward ones.
//
// The iterator holds the snapshot's root and epoch; the pager keeps every page the snapshot can
// reach unchanged until the iterator is destroyed.
#pragma once

#include <memory>

#include "storage/btree/pager.h"
#include "storage/engine.h"

namespace orrery::storage::btree {

// Returns an iterator over the tree rooted at root (height levels) as of snapshot epoch, which
// the caller has acquired from the pager; the iterator releases it when destroyed.
std::unique_ptr<Iterator> NewTreeIterator(Pager& pager, PageId root, uint32_t height,
                                          uint64_t epoch, ScanOptions opts);

}  // namespace orrery::storage::btree
