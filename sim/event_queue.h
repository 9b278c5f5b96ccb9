// EventQueue: the simulator's agenda, a 4-ary min-heap of small entries ordered by
// (virtual time, sequence number).
//
// Why a sequence number: two events at the same virtual time must run in a fixed order, and
// "the order they were scheduled in" is the order a reader expects (timers set at the same
// instant fire in setting order). Sequence numbers are never reused, so the order is total.
// Entries carry only a kind and a slot index; payloads (timer callbacks, message bytes) live in
// pools owned by the simulator, so pushing and popping never allocates once the heap is warm.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/assert.h"

namespace orrery::sim {

enum class EventKind : uint8_t {
    kTimer,     // A node's timer; slot indexes the timer pool.
    kDelivery,  // A message arriving; slot indexes the message pool.
    kCallback,  // A simulator or harness callback; slot indexes the callback pool.
};

struct QueueEntry {
    int64_t t_us;   // Virtual time at which the event happens.
    uint64_t seq;   // Tie-breaker: the order in which events were scheduled.
    uint32_t slot;  // Index into the payload pool for `kind`.
    EventKind kind;
};

// Upper bound on pending events, so a runaway workload fails loudly instead of eating memory.
inline constexpr size_t kMaxPendingEvents = 50'000'000;

class EventQueue {
public:
    // Schedules an entry at t_us; assigns and returns its sequence number.
    uint64_t Push(int64_t t_us, EventKind kind, uint32_t slot) {
        ORRERY_ASSERT(heap_.size() < kMaxPendingEvents, "event queue overflow");
        uint64_t seq = next_seq_++;
        heap_.push_back(QueueEntry{t_us, seq, slot, kind});
        SiftUp(heap_.size() - 1);
        return seq;
    }

    // Removes and returns the earliest entry. REQUIRES: !empty().
    QueueEntry Pop() {
        ORRERY_ASSERT(!heap_.empty(), "Pop on an empty event queue");
        QueueEntry top = heap_.front();
        QueueEntry last = heap_.back();
        heap_.pop_back();
        if (!heap_.empty()) SiftDown(last);
        return top;
    }

    // The earliest entry. REQUIRES: !empty().
    const QueueEntry& Top() const { return heap_.front(); }
    bool empty() const { return heap_.empty(); }
    size_t size() const { return heap_.size(); }

private:
    // A 4-ary heap: half the depth of a binary heap, and a node's children share a cache line
    // or two, which matters because popping is the simulator's hottest loop.
    static constexpr size_t kArity = 4;

    static bool Before(const QueueEntry& a, const QueueEntry& b) {
        return a.t_us < b.t_us || (a.t_us == b.t_us && a.seq < b.seq);
    }

    void SiftUp(size_t i) {
        QueueEntry e = heap_[i];
        while (i > 0) {
            size_t parent = (i - 1) / kArity;
            if (!Before(e, heap_[parent])) break;
            heap_[i] = heap_[parent];
            i = parent;
        }
        heap_[i] = e;
    }

    // Places `e` starting from the root (whose old entry was removed).
    void SiftDown(const QueueEntry& e) {
        size_t n = heap_.size();
        size_t i = 0;
        for (;;) {
            size_t first = i * kArity + 1;
            if (first >= n) break;
            size_t best = first;
            size_t end = std::min(first + kArity, n);
            for (size_t c = first + 1; c < end; ++c) {
                if (Before(heap_[c], heap_[best])) best = c;
            }
            if (!Before(heap_[best], e)) break;
            heap_[i] = heap_[best];
            i = best;
        }
        heap_[i] = e;
    }

    std::vector<QueueEntry> heap_;
    uint64_t next_seq_ = 0;
};

}  // namespace orrery::sim
