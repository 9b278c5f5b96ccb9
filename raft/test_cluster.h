// TestCluster: a tiny in-process cluster of RaftNodes for scenario scripts and properties.
//
// Each node has a SimDisk (so crashes lose exactly what was not synced), a seeded Random, a
// trivial state machine that records applied commands, and an outbox instead of a network: sent
// messages wait in one queue until a script delivers, drops or partitions them. Everything that
// happens is written as one line to an output buffer ("n1 → n2 Append t2 prev=1@1 [2@2] commit=1",
// "n1 role=leader t2", "n2 commit=3"), which the scenario tests compare with golden files. After
// every step the InvariantChecker runs over all live nodes; a violation is reported in the output.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/env.h"
#include "core/prefix_disk.h"
#include "raft/invariants.h"
#include "raft/raft.h"
#include "sim/sim_disk.h"

namespace orrery::raft::testing {

// A state machine that remembers each applied command ("index:data"), for tests.
class ListStateMachine final : public StateMachine {
public:
    LogIndex applied_index() const override { return applied_; }
    void Apply(const Entry& entry) override;
    Result<std::string> Snapshot() override;
    Status Restore(LogIndex index, std::string_view snapshot) override;
    const std::vector<std::string>& commands() const { return commands_; }

private:
    LogIndex applied_;
    std::vector<std::string> commands_;
};

struct InFlight {
    NodeId from;
    NodeId to;
    std::string bytes;
};

class TestCluster {
public:
    // Makes the state machine of one node (for clusters of another machine than the default
    // ListStateMachine, e.g. node/'s KV machine). Called once per node at construction; like the
    // ListStateMachine, the machine lives on across the node's crashes and restarts.
    using StateMachineFactory = std::function<std::unique_ptr<StateMachine>(NodeId)>;

    // Builds voters 1..voters (peers = all voters) and spares voters+1..voters+spares (peers = {},
    // for membership changes). `base` supplies every RaftConfig field but id and peers. Without
    // a factory each node gets a ListStateMachine.
    TestCluster(int voters, int spares, const RaftConfig& base, uint64_t seed,
                StateMachineFactory factory = nullptr);
    ~TestCluster();

    std::string TakeOutput();
    void Print(const std::string& line) { out_ += line + "\n"; }

    std::vector<NodeId> ids() const;
    bool up(NodeId id) const;
    RaftNode& node(NodeId id);
    // The node's ListStateMachine. REQUIRES: the cluster was built without a factory.
    ListStateMachine& sm(NodeId id);
    // The node's state machine, whatever it is.
    StateMachine& machine(NodeId id);
    sim::SimDisk& disk(NodeId id);

    // Runs Ready on one node and queues what it sent.
    Status Ready(NodeId id);
    // Ready on every live node, in id order.
    Status ReadyAll();
    // Delivers every message queued now (only on the given links if any), each followed by the
    // receiver's Ready. Returns the number delivered.
    // With `batched`, each receiver instead runs one Ready after all of its deliveries, in id
    // order, as a real process runs one Ready per turn of its event loop (batch_ready).
    Result<size_t> Deliver(const std::set<std::pair<NodeId, NodeId>>& links, bool batched = false);
    // Delivers until no message is queued (bounded), in rounds of Deliver.
    Status Stabilize(bool batched = false);
    // Drops queued messages (on the given links, or all).
    size_t Drop(const std::set<std::pair<NodeId, NodeId>>& links);
    // Cuts every link between different groups; nodes in no group are cut from everyone.
    void Partition(const std::vector<std::set<NodeId>>& groups);
    void Heal() { cut_.clear(); }
    bool Cut(NodeId a, NodeId b) const { return cut_.contains({a, b}); }

    void Crash(NodeId id);
    Status Restart(NodeId id);
    const std::deque<InFlight>& queue() const { return queue_; }
    std::deque<InFlight>& mutable_queue() { return queue_; }
    // Runs the invariant checker; the first violation is printed (once) and returned.
    Status CheckInvariants();
    void set_print_messages(bool on) { print_messages_ = on; }

private:
    class OutputTracer;
    struct Node;

    Status Open(Node& n);

    std::map<NodeId, std::unique_ptr<Node>> nodes_;
    std::unique_ptr<OutputTracer> tracer_;
    std::deque<InFlight> queue_;
    std::set<std::pair<NodeId, NodeId>> cut_;
    InvariantChecker checker_;
    bool violated_ = false;
    bool print_messages_ = true;
    std::string out_;
};

// Script helpers shared by the scenario runners that drive a TestCluster.

// "n3" or "3" -> NodeId 3; InvalidArgument naming the text otherwise.
Result<NodeId> ParseNode(const std::string& s);

// args[i] as a node that is up in `cluster`; InvalidArgument if missing, malformed or down.
Result<NodeId> ParseUpNode(const TestCluster& cluster, const std::vector<std::string>& args,
                           size_t i = 0);

// "n1 n2 | n3 n4 n5" -> {{1, 2}, {3, 4, 5}}: the groups of a `partition` command.
Result<std::vector<std::set<NodeId>>> ParsePartitionGroups(const std::vector<std::string>& args);

}  // namespace orrery::raft::testing
