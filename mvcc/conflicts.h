// The commit-time conflict rules: first-committer-wins for write-write conflicts, and the SSI
// dangerous-structure test. Pure functions of a CommitRequest and the engine's bytes, so every
// replica decides alike. Used by Mvcc::ApplyCommit; see docs/07-mvcc.md for the argument.
//
// Vocabulary. T is the committing transaction with snapshot s; it will commit at c = last + 1.
// Another transaction U *committed concurrently* with T iff s < c_U (T did not see U). An
// rw-antidependency A -rw-> B means A read a version that B's write superseded, so A must come
// before B in any equivalent serial order. Every edge is discovered by whichever of its two
// transactions commits second, because only then are both sides known:
//  - out-edges T -rw-> U to earlier committers U: versions newer than s on keys/ranges T read;
//  - in-edges  U -rw-> T from earlier committers U: TxnRecords committed after s whose read sets
//    cover something T writes.
#pragma once

#include "core/status.h"
#include "mvcc/commit_request.h"
#include "storage/engine.h"

namespace orrery::mvcc {

// First committer wins: Aborted if any key T writes has a version newer than T's snapshot.
Status CheckWriteWrite(storage::Engine& engine, const CommitRequest& req);

// The SSI test for a serializable T (Cahill et al. 2008, §3; with the commit-ordering and
// read-only refinements of Ports & Grittner 2012, §3-4). Aborted if T would complete a
// dangerous structure T_in -rw-> T_pivot -rw-> T_out in which T_out committed first:
//  (a) T is the pivot: some T_out committed after s wrote what T read, and some serializable
//      T_in committed after s read what T writes, with c_out <= c_in (T_in == T_out allowed) and,
//      if T_in is read-only, c_out <= s_in;
//  (b) T is T_in: some pivot committed after s wrote what T read, and that pivot's record has an
//      out-conflict to a T_out that committed before the pivot; if T is read-only, that T_out
//      must also have committed at or before s.
// T can never be T_out here: T_out commits first, and T commits last.
// On success returns the earliest commit version among T's out-conflicts (0 if none), which
// goes into T's TxnRecord for rule (b) of later committers.
Result<Version> CheckSerializable(storage::Engine& engine, const CommitRequest& req);

}  // namespace orrery::mvcc
