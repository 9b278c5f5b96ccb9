// LogStore: Raft's durable log, hard state and snapshot on one Disk (Raft §5.3, §7, Figure 2).
//
// The log is a sequence of segment files "log-<first index, 20 digits>". A segment is a run of
// records, each:
//
//   | bytes | field                                                                  |
//   |-------|------------------------------------------------------------------------|
//   | 4     | masked CRC32C of the length and the payload                            |
//   | 4     | payload length (fixed32)                                               |
//   | len   | payload: prev_term (varint), then the entry (message.h's EncodeEntry)  |
//
// prev_term chains every record to the one before it, so recovery can tell a valid continuation
// from a stale record that a torn overwrite happened to line up with.
//
// The whole log is kept in memory as well (snapshots bound its length). Mutations (Append,
// TruncateFrom, SetHardState) change the in-memory view at once and reach the disk in Sync(),
// which is the group commit: every pending record is written, each touched file synced once, the
// directory synced if a file was created or removed (SyncLog), and finally the hard state (with
// the new durable index) written and synced (SyncHardState). Raft calls the two halves apart so
// that messages which need only the entries durable leave between them (raft_node.cpp, Ready).
//
// Recovery (Open): records after the hard state's durable index that fail their checksum, break
// the chain or end early are a torn tail and are cut; a bad record at or below the durable index
// means synced data rotted, and Open returns kCorruption.
//
// Invariants: indexes are contiguous from first_index() to last_index(); terms never decrease;
// durable_index() <= last_index() except transiently inside Sync; truncation never removes an
// entry at or below the snapshot index.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "core/disk.h"
#include "core/status.h"
#include "raft/durable_state.h"
#include "raft/raft.h"

namespace orrery::raft {

class LogStore {
public:
    // Recovers the store from disk (an empty disk is a first boot). `initial` is the membership
    // used when no snapshot exists yet.
    static Result<std::unique_ptr<LogStore>> Open(Disk& disk, uint64_t segment_bytes,
                                                  const Membership& initial);

    // The hard state as last set (not necessarily durable yet).
    const HardState& hard_state() const { return hs_; }
    const SnapshotMeta& snapshot() const { return snap_; }
    LogIndex first_index() const { return snap_.index + 1; }
    LogIndex last_index() const { return snap_.index + entries_.size(); }
    Term LastTerm() const;  // The term at last_index() (the snapshot's when the log is empty).
    // The term and vote as last made durable.
    Term durable_term() const { return written_hs_.term; }
    uint32_t durable_vote() const { return written_hs_.voted_for; }
    // The last index known to be synced.
    LogIndex durable_index() const { return durable_index_; }
    // The term at index i: the snapshot's term at snapshot().index, nullopt outside the log.
    std::optional<Term> TermAt(LogIndex i) const;
    // REQUIRES: first_index() <= i <= last_index().
    const Entry& At(LogIndex i) const;
    // How many times entries were removed from the tail or the whole log was replaced by a
    // snapshot (appends and front compaction do not count). The invariant checker re-verifies a
    // log whose count moved.
    uint64_t rewrites() const { return rewrites_; }
    // A human note about what recovery cut or discarded ("" if nothing).
    const std::string& recovery_note() const { return recovery_note_; }

    // Appends e. REQUIRES: e.index == last_index() + 1 and its term >= the last term.
    void Append(Entry e);
    // Drops every entry at index >= i. REQUIRES: i > snapshot().index.
    void TruncateFrom(LogIndex i);
    // Sets term, vote and commit (the durable index is managed by the store).
    void SetHardState(Term term, uint32_t voted_for, LogIndex commit);
    // True when Sync() has something to write.
    bool dirty() const;
    // True when SyncLog() has something to write (entries or a truncation).
    bool log_dirty() const;
    // True when SyncHardState() has something to write: a new term or vote, or a durable index
    // that moved since the hard state was last written.
    bool hard_state_dirty() const;
    // Makes every pending change durable (see the file comment): SyncLog(), then SyncHardState().
    Status Sync();
    // The first half of Sync(): writes the pending records (and truncation), syncs the touched
    // segments and, if a file was created or removed, the directory. Afterwards the entries up to
    // last_index() are durable and durable_index() says so, but the hard state on disk may still
    // record an older durable index (recovery then treats the newer records as a tail it may
    // cut: safe for torn writes, blind to bit rot in them until SyncHardState() returns).
    Status SyncLog();
    // The second half of Sync(): writes and syncs the hard state (term, vote, commit, durable
    // index) if it changed. The durable index written is durable_index(), which covers only what
    // the last SyncLog() made durable (entries appended since are left for the next Sync).
    Status SyncHardState();

    // Stores a snapshot durably and compacts the log: entries up to meta.index are dropped; if
    // the log does not hold meta.index with meta.term, the whole log is dropped (§7: "if existing
    // log entry has same index and term as snapshot's last included entry, retain log entries
    // following it"). Syncs everything.
    Status SaveSnapshot(const SnapshotMeta& meta, std::string_view data);
    // Reads the stored snapshot's data (empty when there is none).
    Result<std::string> ReadSnapshotData();

private:
    struct Segment {
        LogIndex first;     // Index of its first record (== its name).
        uint64_t size = 0;  // Bytes written so far.
        std::unique_ptr<File> file;
        bool dirty = false;  // Written since the last sync.
    };
    struct Truncation {
        LogIndex from;  // Entries >= from are gone.
    };

    LogStore(Disk& disk, uint64_t segment_bytes) : disk_(disk), segment_bytes_(segment_bytes) {}

    Status Recover(const Membership& initial);
    Status RecoverSegments();
    Status ReadSegment(const std::string& name, LogIndex first, bool* stop);
    Status CutTail(LogIndex from, LogIndex seg_first, uint64_t pos, const std::string& why);
    Status ApplyTruncation();
    Status WritePending(bool* dir_changed);
    Status OpenSegment(LogIndex first, OpenMode mode, bool* dir_changed);
    Status RemoveSegmentsFrom(LogIndex first, bool* dir_changed);
    Status WriteHardStateNow(LogIndex durable);

    Disk& disk_;
    const uint64_t segment_bytes_;
    HardState hs_;                   // In memory (what the node decided).
    HardState written_hs_;           // The last hard state made durable.
    uint64_t hs_seq_ = 0;            // Write counter of the hard-state slots.
    std::unique_ptr<File> hs_file_;
    SnapshotMeta snap_;
    std::deque<Entry> entries_;      // first_index() .. last_index().
    std::map<LogIndex, Segment> segments_;
    std::map<LogIndex, uint64_t> offsets_;  // Index -> offset in its segment, for written entries.
    LogIndex written_last_;          // Entries <= this are in segment files (maybe unsynced).
    LogIndex durable_index_;
    std::optional<Truncation> truncation_;
    std::string recovery_note_;
    uint64_t rewrites_ = 0;
    Term first_prev_term_;  // Recovery: prev_term of the first record read.
};

// The name of the segment whose first index is `first`.
std::string SegmentName(LogIndex first);

}  // namespace orrery::raft
