// Progress: what a leader knows about one follower's log (Raft §5.3, etcd's "progress" idea).
//
// A follower is in one of three states:
//  - kProbe: the leader does not know where the logs match. It sends one append at a time and
//    waits for the answer (or the next heartbeat response) before sending another; a rejection's
//    conflict hint moves next back by a whole term per round trip.
//  - kReplicate: the logs match up to `match`. The leader streams appends optimistically,
//    advancing `next` as it sends, with at most max_inflight unacknowledged messages.
//  - kSnapshot: the entries the follower needs were compacted; the leader streams the snapshot in
//    chunks, one unacknowledged chunk at a time (§7).
// Invariant: match < next.
#pragma once

#include <cstdint>
#include <deque>

#include "core/types.h"

namespace orrery::raft {

enum class ProgressState : uint8_t { kProbe, kReplicate, kSnapshot };

struct Progress {
    LogIndex match;                // Highest index known to match the leader's log.
    LogIndex next;                 // Next index to send.
    ProgressState state = ProgressState::kProbe;
    bool probe_sent = false;       // kProbe: an append is outstanding; wait before sending again.
    std::deque<LogIndex> inflight; // kReplicate: last index of each unacknowledged append.
    bool recent_active = false;    // Heard from since the last check-quorum round (thesis §6.2).
    // kReplicate: the last index sent before the latest heartbeat. Links deliver in order when
    // nothing is lost, so by the time that heartbeat's response arrives the follower has
    // acknowledged at least this much; a match below it suggests a lost append.
    LogIndex sent_before_heartbeat;
    uint64_t read_ack = 0;         // Highest ReadIndex round this follower acknowledged.
    // kSnapshot: which snapshot is being sent, the next byte to send, ticks without progress.
    LogIndex snap_index;
    uint64_t snap_offset = 0;
    int snap_idle_ticks = 0;

    // Switches to probing from next (after a rejection, or when first tracked).
    void BecomeProbe(LogIndex from) {
        state = ProgressState::kProbe;
        next = from;
        probe_sent = false;
        inflight.clear();
        sent_before_heartbeat = match;
    }
    // Switches to streaming after the logs were found to match at match.
    void BecomeReplicate() {
        state = ProgressState::kReplicate;
        next = match + 1;
        probe_sent = false;
        inflight.clear();
        sent_before_heartbeat = match;
    }
};

}  // namespace orrery::raft
