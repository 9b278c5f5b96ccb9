// KvServer's transaction reads: begin, get and scan at an MVCC snapshot, answered after
// ReadIndex (kv_server.cpp routes them here). Commits travel the ordinary write path. Also the
// leader's GC proposals (txn-gc entries, txn_state_machine.h), checked from the tick.
//
// Why the snapshot is always readable here: a snapshot version comes from a begin that some
// leader answered after ReadIndex, so the entry that created it was committed. Any later leader
// holds that entry (Leader Completeness, Raft §5.4) and applies it before its own ReadIndex
// completes, so last_version() >= snapshot. Only the raft.stale-read bug breaks this; then the
// read fails with an error and the client retries elsewhere.
#include <fmt/format.h>

#include "node/kv_server.h"

namespace orrery::node {
namespace {

constexpr uint64_t kGcCheckTicks = 100;                // About a second at 10 ms ticks.
constexpr uint64_t kGcClientId = UINT64_MAX;           // The session of GC commands.

}  // namespace

void KvServer::MaybeProposeGc() {
    uint64_t keep = options_.mvcc_keep_versions;
    if (keep == 0 || ++gc_ticks_ < kGcCheckTicks || raft_->role() != raft::Role::kLeader) return;
    gc_ticks_ = 0;
    TxnStateMachine& txn = sm_->txn();
    if (txn.last_version() < txn.mvcc().gc_horizon() + 2 * keep) return;
    // The session seq is the index the entry will take: committed GC entries then carry
    // increasing seqs in log order, so the session table never mistakes one for a retry.
    Command c{CommandOp::kTxnGc, kGcClientId, raft_->last_index().value() + 1, "gc",
              std::to_string(keep), ""};
    auto index = raft_->Propose(EncodeCommand(c));
    if (index.ok()) ORRERY_ASSERT(index->value() == c.seq, "gc entry at {}", *index);
}

void KvServer::AnswerTxnRead(NodeId to, const ClientRequest& request) {
    TxnStateMachine& txn = sm_->txn();
    if (request.op == RequestOp::kTxnBegin) {
        return Reply(to, request, ReplyCode::kOk, std::to_string(txn.last_version()));
    }
    if (request.snapshot > txn.last_version()) {
        return Reply(to, request, ReplyCode::kError, {},
                     fmt::format("snapshot v{} not applied here (v{})", request.snapshot,
                                 txn.last_version()));
    }
    auto fail = [&](const Status& s) {
        Reply(to, request, s.Is(Code::kAborted) ? ReplyCode::kAborted : ReplyCode::kError, {},
              s.ToString());
    };
    if (request.op == RequestOp::kTxnScan) {
        auto pairs = txn.Scan(request.key, request.end, request.limit, request.snapshot);
        if (!pairs.ok()) return fail(pairs.status());
        return ReplyPairs(to, request, std::move(*pairs));
    }
    auto value = txn.Get(request.key, request.snapshot);
    if (!value.ok()) return fail(value.status());
    if (!value->has_value()) return Reply(to, request, ReplyCode::kNotFound);
    Reply(to, request, ReplyCode::kOk, std::move(**value));
}

}  // namespace orrery::node
