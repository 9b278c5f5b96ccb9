// LeaderlessServer, anti-entropy: Merkle-tree repair per token range (Dynamo §4.7; Cassandra's
// `nodetool repair`; Merkle 1987).
//
// For each range (lo, hi] of the ring that this node replicates, in ring order, the repairer
// asks every other replica of the range for its tree: kMerkleLeaves leaves, leaf i covering the
// i-th equal slice of the range, each the order-independent sum of Mix64(Hash64(key, cell))
// over the replica's cells in the slice; the root is the hash of the leaves. Equal roots: the
// range agrees, nothing more is sent. Otherwise the leaves that differ are named in a RangeReq,
// the replica streams its cells of those leaves, the repairer merges them (last-write-wins) and
// sends back every cell of its own, in those leaves, that the replica lacks or holds older.
// So after a repair with no faults, the repairer and each replica agree on every range they
// share, tombstones included, which is what keeps the tombstone grace period honest.
//
// One range is repaired at a time; a range whose replicas do not answer within
// request_timeout is skipped (counted, not retried).
#include <fmt/format.h>

#include "core/checksum.h"
#include "node/leaderless_server.h"

namespace orrery::node {
namespace {

uint64_t RangeWidthLeafOf(const TokenRange& r, uint64_t token) {
    uint64_t offset = token - r.lo - 1;  // In [0, width) for a token in (lo, hi]; wraps right.
    unsigned __int128 width = r.lo == r.hi ? (static_cast<unsigned __int128>(1) << 64)
                                           : static_cast<unsigned __int128>(r.hi - r.lo);
    return static_cast<uint64_t>(static_cast<unsigned __int128>(offset) * kMerkleLeaves / width);
}

uint64_t CellHash(const std::string& key, const Cell& cell) {
    return Mix64(Hash64(EncodeCell(cell), Hash64(key)));
}

uint64_t RootOf(const std::vector<uint64_t>& leaves) {
    std::string bytes;
    for (uint64_t h : leaves) bytes.append(reinterpret_cast<const char*>(&h), sizeof h);
    return Hash64(bytes);
}

}  // namespace


namespace {

// The node's cells in range r, with their leaves.
struct RangeCells {
    std::vector<uint64_t> leaves = std::vector<uint64_t>(kMerkleLeaves, 0);
    std::vector<std::pair<std::string, Cell>> cells;
    std::vector<uint32_t> leaf_of;
};

RangeCells Collect(const std::vector<std::pair<std::string, Cell>>& all, const TokenRange& r) {
    RangeCells out;
    for (const auto& [key, cell] : all) {
        uint64_t token = HashRing::KeyToken(key);
        if (!r.Contains(token)) continue;
        uint32_t leaf = static_cast<uint32_t>(RangeWidthLeafOf(r, token));
        ORRERY_ASSERT(leaf < kMerkleLeaves);
        out.leaves[leaf] += CellHash(key, cell);
        out.cells.emplace_back(key, cell);
        out.leaf_of.push_back(leaf);
    }
    return out;
}

}  // namespace

std::string DescribeRepair(const RepairSummary& s) {
    return fmt::format("{} ranges compared ({} unanswered), {} Merkle leaves differed, {} cells "
                       "received, {} sent", s.ranges, s.unanswered, s.leaves_differ,
                       s.cells_received, s.cells_streamed);
}

void LeaderlessServer::Repair(std::function<void(const RepairSummary&)> done) {
    if (repair_) {
        RepairSummary busy;
        done(busy);
        return;
    }
    repair_ = std::make_unique<RepairJob>();
    repair_->done = std::move(done);
    for (const TokenRange& r : ring_->Ranges()) {
        std::vector<NodeId> owners = ring_->ReplicasOfToken(r.hi, options_.rf);
        if (std::find(owners.begin(), owners.end(), env_.node) != owners.end()) {
            repair_->ranges.push_back(r);
        }
    }
    env_.tracer.Record(env_.node, "repair", {{"what", "start"}, {"ranges", repair_->ranges.size()}});
    RepairNextRange();
}

void LeaderlessServer::RepairNextRange() {
    RepairJob& job = *repair_;
    while (job.next < job.ranges.size()) {
        job.current = job.ranges[job.next++];
        job.waiting.clear();
        job.requested.clear();
        job.id = next_id_++;
        ++job.summary.ranges;
        for (NodeId r : ring_->ReplicasOfToken(job.current.hi, options_.rf)) {
            if (r != env_.node) job.waiting.insert(r);
        }
        if (job.waiting.empty()) continue;
        ReplicaMessage req = MakeReplica(ReplicaMsgType::kTreeReq, job.id);
        req.lo = job.current.lo;
        req.hi = job.current.hi;
        for (NodeId r : job.waiting) env_.network.Send(r, EncodeReplicaMessage(req));
        uint64_t generation = ++job.generation;
        env_.clock.SetTimer(options_.request_timeout, [this, generation] {
            if (!repair_ || repair_->generation != generation || halted_) return;
            ++repair_->summary.unanswered;  // Some replica of this range stayed silent.
            RepairNextRange();
        });
        return;
    }
    FinishRepair();
}

void LeaderlessServer::FinishRepair() {
    std::unique_ptr<RepairJob> job = std::move(repair_);
    job->summary.done = true;
    env_.tracer.Record(env_.node, "repair",
                       {{"what", "done"}, {"ranges", job->summary.ranges},
                        {"leaves", job->summary.leaves_differ},
                        {"streamed", job->summary.cells_streamed}});
    job->done(job->summary);
}

void LeaderlessServer::OnTreeReq(NodeId from, const ReplicaMessage& m) {
    Result<std::vector<std::pair<std::string, Cell>>> all = LocalCells();
    if (!Check(all.status())) return;
    ReplicaMessage reply = MakeReplica(ReplicaMsgType::kTreeReply, m.id);
    reply.lo = m.lo;
    reply.hi = m.hi;
    reply.hashes = Collect(*all, {m.lo, m.hi}).leaves;
    env_.network.Send(from, EncodeReplicaMessage(reply));
}

void LeaderlessServer::OnRangeReq(NodeId from, const ReplicaMessage& m) {
    Result<std::vector<std::pair<std::string, Cell>>> all = LocalCells();
    if (!Check(all.status())) return;
    RangeCells mine = Collect(*all, {m.lo, m.hi});
    std::set<uint32_t> wanted(m.leaves.begin(), m.leaves.end());
    ReplicaMessage reply = MakeReplica(ReplicaMsgType::kRangeReply, m.id);
    reply.lo = m.lo;
    reply.hi = m.hi;
    for (size_t i = 0; i < mine.cells.size() && reply.cells.size() < kMaxRangeCells; ++i) {
        if (wanted.contains(mine.leaf_of[i])) reply.cells.push_back(mine.cells[i]);
    }
    env_.network.Send(from, EncodeReplicaMessage(reply));
}

// A tree: compare and ask for the differing leaves. A range of cells: merge them, and send the
// replica what it lacks.
void LeaderlessServer::OnRepairReply(NodeId from, const ReplicaMessage& m) {
    if (!repair_ || m.id != repair_->id || !repair_->waiting.contains(from)) return;
    RepairJob& job = *repair_;
    Result<std::vector<std::pair<std::string, Cell>>> all = LocalCells();
    if (!Check(all.status())) return;
    RangeCells mine = Collect(*all, job.current);
    if (m.type == ReplicaMsgType::kTreeReply) {
        if (RootOf(m.hashes) != RootOf(mine.leaves)) {
            ReplicaMessage req = MakeReplica(ReplicaMsgType::kRangeReq, job.id);
            req.lo = job.current.lo;
            req.hi = job.current.hi;
            for (uint32_t i = 0; i < kMerkleLeaves; ++i) {
                if (m.hashes[i] != mine.leaves[i]) req.leaves.push_back(i);
            }
            job.summary.leaves_differ += req.leaves.size();
            job.requested[from] = std::set<uint32_t>(req.leaves.begin(), req.leaves.end());
            env_.network.Send(from, EncodeReplicaMessage(req));
            return;  // Still waiting for this replica's cells.
        }
    } else {
        std::map<std::string, Cell> theirs(m.cells.begin(), m.cells.end());
        for (const auto& [key, cell] : m.cells) {
            Result<bool> merged = MergeLocal(key, cell);
            if (!Check(merged.status())) return;
            if (*merged) ++job.summary.cells_received;
        }
        const std::set<uint32_t>& asked = job.requested[from];
        for (size_t i = 0; i < mine.cells.size(); ++i) {
            const auto& [key, cell] = mine.cells[i];
            if (!asked.contains(mine.leaf_of[i])) continue;
            auto t = theirs.find(key);
            if (t != theirs.end() && !CellWins(cell, t->second)) continue;
            ++job.summary.cells_streamed;
            env_.network.Send(from, EncodeReplicaMessage(
                                        MakeReplica(ReplicaMsgType::kWrite, 0, key, cell)));
        }
    }
    job.waiting.erase(from);
    if (job.waiting.empty()) RepairNextRange();
}

}  // namespace orrery::node
