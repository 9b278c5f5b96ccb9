// PaxosCluster: an in-process cluster of CASPaxos nodes for scenario scripts (tests only).
//
// Each node has an Acceptor and a Proposer over one LSM engine on a SimDisk (so a crash keeps
// exactly what was synced), and every message waits in one outbox until the script delivers
// or drops it, as in raft/test_cluster.h. Every send, every request's completion and every
// invariant violation (invariants.h, fed by every durable accept) is one output line.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/env.h"
#include "paxos/acceptor.h"
#include "paxos/invariants.h"
#include "paxos/proposer.h"
#include "sim/sim_disk.h"
#include "storage/engine.h"

namespace orrery::paxos::testing {

struct InFlight {
    NodeId from;
    NodeId to;
    std::string bytes;
};

struct ClusterConfig {
    int nodes = 3;
    bool one_round_trip = true;
    int timeout_ticks = 10;
    bool bug_forget_promise = false;
    bool bug_skip_accepted_value = false;
    uint64_t seed = 1;
};

class PaxosCluster {
public:
    explicit PaxosCluster(const ClusterConfig& config);
    ~PaxosCluster();

    std::string TakeOutput();
    void Print(const std::string& line) { out_ += line + "\n"; }

    std::vector<NodeId> ids() const;
    bool up(NodeId id) const;
    // Every node, sorted: the replicas of every key.
    const std::vector<NodeId>& replicas() const { return replicas_; }

    // Renders a register value for the output (ValueText for plain registers).
    using Render = std::function<std::string(const std::optional<std::string>&)>;
    // Starts a request at `at`; its completion is printed as "n1 done k LABEL: ...".
    void Propose(NodeId at, const std::string& key, ChangeFn f, std::string label,
                 Render render = ValueText);
    void TickAll();
    size_t Deliver(const std::set<std::pair<NodeId, NodeId>>& links);
    void Stabilize();
    size_t Drop(const std::set<std::pair<NodeId, NodeId>>& links);
    void Partition(const std::vector<std::set<NodeId>>& groups);
    void Heal() { cut_.clear(); }
    // Queues raw bytes as if `from` had sent them to `to`.
    void Inject(NodeId from, NodeId to, std::string bytes) { queue_.push_back({from, to, std::move(bytes)}); }
    void Crash(NodeId id);
    Status Restart(NodeId id);
    Result<AcceptorState> State(NodeId id, const std::string& key);
    const PaxosInvariants& invariants() const { return invariants_; }
    bool HasShortcut(NodeId id, const std::string& key);

private:
    struct Node;
    Status Open(Node& n);
    void Receive(Node& n, NodeId from, const std::string& bytes);
    void CheckInvariants();

    ClusterConfig config_;
    std::unique_ptr<Tracer> tracer_;
    std::map<NodeId, std::unique_ptr<Node>> nodes_;
    std::vector<NodeId> replicas_;
    std::deque<InFlight> queue_;
    std::set<std::pair<NodeId, NodeId>> cut_;
    PaxosInvariants invariants_;
    bool violated_ = false;
    std::string out_;
};

}  // namespace orrery::paxos::testing
