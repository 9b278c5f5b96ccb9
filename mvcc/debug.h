// Human-readable dumps of MVCC's engine state, for golden scripts, the guide and debugging.
//
// One line per engine entry, in engine key order, decoded:
//   meta last_version=v4 gc_horizon=v0
//   txn v3: snapshot=v2 read-write serializable out_conflict=v2 reads={x y} ranges={[a, c)}
//   data x@v3 = 2
//   data x@v1 = <deleted>
#pragma once

#include <string>

#include "core/status.h"
#include "mvcc/commit_request.h"
#include "storage/engine.h"

namespace orrery::mvcc {

// Returns the dump of every MVCC entry in engine (Corruption if an entry does not decode).
Result<std::string> DumpState(storage::Engine& engine);

// "{x y}" and "{[a, c) [d, <end>)}": the read-set notation used in dumps and scripts.
std::string FormatReadSet(const std::vector<std::string>& keys,
                          const std::vector<KeyRange>& ranges);

}  // namespace orrery::mvcc
