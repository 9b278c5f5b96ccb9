// GossipCluster: an in-process cluster of Swim nodes for scenario scripts (tests only).
//
// Like raft/test_cluster.h: no network, one outbox. A sent message waits in the queue until the
// script delivers or drops it; a partition cuts a link (a message sent across it is printed with
// "✂" and discarded). Every send and every membership change is one output line:
//   n1 → n2 Ping i0 seq=3 target=n2
//   n2: n3 suspect i0 (no-ack)
// All nodes share one fake clock that advances 100 ms per tick of the cluster.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/env.h"
#include "gossip/swim.h"

namespace orrery::gossip::testing {

struct InFlight {
    NodeId from;
    NodeId to;
    std::string bytes;
};

class GossipCluster {
public:
    // Nodes 1..n; node 1 starts the cluster, every other node joins through node 1 (its seed).
    // `base` supplies every field but id and seeds.
    GossipCluster(int n, const GossipConfig& base, uint64_t seed);
    ~GossipCluster();

    std::string TakeOutput();
    void Print(const std::string& line) { out_ += line + "\n"; }
    // When false, sends are not printed (membership changes still are).
    void set_print_messages(bool on) { print_messages_ = on; }

    std::vector<NodeId> ids() const;
    bool up(NodeId id) const;
    Swim& node(NodeId id);

    // Ticks one node (advancing the shared clock only in TickAll).
    void Tick(NodeId id);
    // Ticks every live node once, in id order, and advances the clock by one tick.
    void TickAll();
    // Delivers every message queued now (only on `links` if non-empty). Returns the count.
    size_t Deliver(const std::set<std::pair<NodeId, NodeId>>& links);
    // Delivers until the queue is empty (bounded).
    void Stabilize();
    size_t Drop(const std::set<std::pair<NodeId, NodeId>>& links);
    // Queues raw bytes as if `from` had sent them to `to`.
    void Inject(NodeId from, NodeId to, std::string bytes);
    void Partition(const std::vector<std::set<NodeId>>& groups);
    void Heal() { cut_.clear(); }
    void Crash(NodeId id);
    void Restart(NodeId id);
    const std::deque<InFlight>& queue() const { return queue_; }

private:
    class OutputTracer;
    class FakeClock;
    struct Node;

    void Open(Node& n);

    std::unique_ptr<OutputTracer> tracer_;
    std::unique_ptr<FakeClock> clock_;
    std::map<NodeId, std::unique_ptr<Node>> nodes_;
    std::deque<InFlight> queue_;
    std::set<std::pair<NodeId, NodeId>> cut_;
    bool print_messages_ = true;
    std::string out_;
};

}  // namespace orrery::gossip::testing
