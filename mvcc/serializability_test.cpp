// Properties: random interleavings of random serializable transactions commit only serializable
// histories; replicas applying the same commit entries decide alike and hold the same bytes; the
// checker itself catches snapshot isolation's write skew; and under the replicated rules
// (CommitRules::unlogged_readers: read-only transactions commit with no entry at all) the
// history, read-only transactions included, is still serializable.
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mvcc/debug.h"
#include "mvcc/mvcc.h"
#include "mvcc/serial_check.h"
#include "mvcc/transaction.h"
#include "storage/memory_engine.h"

namespace orrery::mvcc {
namespace {

using testing::ExecutedTxn;
using testing::KeyName;
using testing::TxnOp;

constexpr int kKeySpace = 5;
constexpr size_t kMaxSteps = 1000;  // Bound on the scheduler loop.

struct TxnSpec {
    std::vector<TxnOp> ops;
    bool read_only = false;
    bool rollback = false;
};

// Counts across a property run, to show it exercised what it claims to.
struct Tally {
    uint64_t committed = 0, ssi_aborts = 0, ww_aborts = 0, gcs = 0;
};

// A replica: a second engine that applies the same log of commit entries and GCs.
struct Replica {
    storage::MemoryEngine engine;
    std::unique_ptr<Mvcc> mvcc = std::move(Mvcc::Open(engine)).value();
};

std::string RowsString(const std::vector<std::pair<std::string, std::string>>& rows) {
    std::string out;
    for (const auto& [k, v] : rows) out += (out.empty() ? "" : ",") + k + "=" + v;
    return out;
}

// Runs the specs interleaved as `picks` says, on the leader and (log-shipped) on a replica.
class Runner {
public:
    Runner(std::vector<TxnSpec> specs, Isolation isolation)
        : specs_(std::move(specs)), isolation_(isolation) {
        leader_ = std::move(Mvcc::Open(engine_)).value();
        history_.resize(specs_.size());
        txns_.resize(specs_.size());
        step_.assign(specs_.size(), 0);
    }

    ~Runner() { txns_.clear(); }

    // The replicated design (node/txn_state_machine.h): transactions without writes end with
    // no entry; writers commit through StageCommit with CommitRules::unlogged_readers.
    void UseReplicatedRules() { replicated_ = true; }

    // Advances transaction i by one step (begin, one op, or the end); false once it has ended.
    bool Step(size_t i, Tally* tally) {
        const TxnSpec& spec = specs_[i];
        ExecutedTxn& h = history_[i];
        size_t& step = step_[i];
        if (step == 0) {
            TxnOptions opts = spec.read_only ? TxnOptions::ReadOnly(isolation_)
                                             : TxnOptions::ReadWrite(isolation_);
            txns_[i].emplace(std::move(leader_->Begin(opts)).value());
            h.id = txns_[i]->id();
            h.snapshot = txns_[i]->snapshot();
            ++step;
            return true;
        }
        if (step <= spec.ops.size()) {
            RunOp(i, spec.ops[step - 1]);
            ++step;
            return true;
        }
        if (step == spec.ops.size() + 1) {
            Finish(i, tally);
            ++step;
        }
        return false;
    }

    // Garbage-collects at the leader's low-water mark, and logs it for the replica.
    void Gc(Tally* tally) {
        Version lwm = leader_->OldestActiveSnapshot();
        RC_ASSERT(leader_->CollectGarbage(lwm).ok());
        RC_ASSERT(replica_.mvcc->CollectGarbage(lwm).ok());
        ++tally->gcs;
    }

    void CheckReplicaMatches() {
        RC_ASSERT(replica_.mvcc->last_version() == leader_->last_version());
        RC_ASSERT(DumpState(replica_.engine).value() == DumpState(engine_).value());
    }

    const std::vector<ExecutedTxn>& history() const { return history_; }
    size_t size() const { return specs_.size(); }

private:
    void RunOp(size_t i, const TxnOp& op) {
        Transaction& txn = *txns_[i];
        ExecutedTxn& h = history_[i];
        h.ops.push_back(op);
        std::string value;
        std::optional<std::string> result;
        std::string key = KeyName(op.key);
        switch (op.kind) {
            case TxnOp::Kind::kGet: result = txn.Get(key).value(); break;
            case TxnOp::Kind::kSet:
                value = fmt::format("t{}.{}", h.id, h.ops.size());
                RC_ASSERT(txn.Set(key, value).ok());
                break;
            case TxnOp::Kind::kDelete: RC_ASSERT(txn.Delete(key).ok()); break;
            case TxnOp::Kind::kScan: {
                KeyRange range{key, op.key_end >= kKeySpace ? "" : KeyName(op.key_end)};
                result = RowsString(txn.ScanAll(range).value());
                break;
            }
        }
        h.written_values.push_back(value);
        h.results.push_back(result);
    }

    void Finish(size_t i, Tally* tally) {
        Transaction& txn = *txns_[i];
        ExecutedTxn& h = history_[i];
        if (specs_[i].rollback) {
            txn.Rollback();
            return;
        }
        if (replicated_) return FinishReplicated(i, tally);
        std::optional<CommitRequest> req;
        if (txn.NeedsCommitEntry()) req = txn.BuildCommitRequest();
        for (const Write& w : txn.BuildCommitRequest().writes) h.writes[w.key] = w.value;
        Result<CommitOutcome> outcome = txn.Commit();
        if (req) {  // The replica applies the same entry and must decide the same.
            Result<CommitOutcome> mirrored = replica_.mvcc->ApplyCommit(*req);
            RC_ASSERT(mirrored.ok() == outcome.ok());
            if (!outcome.ok()) RC_ASSERT(mirrored.status() == outcome.status());
        }
        if (outcome.ok()) {
            h.committed = true;
            h.commit_version = outcome->commit_version;
            ++tally->committed;
            return;
        }
        RC_ASSERT(outcome.status().Is(Code::kAborted));
        bool ww = outcome.status().message().find("write-write") != std::string::npos;
        ++(ww ? tally->ww_aborts : tally->ssi_aborts);
        h.writes.clear();
    }

    void FinishReplicated(size_t i, Tally* tally) {
        Transaction& txn = *txns_[i];
        ExecutedTxn& h = history_[i];
        CommitRequest req = txn.BuildCommitRequest();
        if (req.writes.empty()) {  // Read-only: no entry, nothing recorded anywhere.
            txn.Finish(true);
            h.committed = true;
            ++tally->committed;
            return;
        }
        for (const Write& w : req.writes) h.writes[w.key] = w.value;
        CommitRules rules;
        rules.unlogged_readers = true;
        std::string bytes = EncodeCommitRequest(req);
        auto apply = [&](Mvcc& m, storage::Engine& e) {
            storage::WriteBatch batch;
            auto decided = m.StageCommit(DecodeCommitRequest(bytes).value(), rules, &batch);
            if (decided.ok()) {
                RC_ASSERT(e.Write(batch).ok());
                m.CommitStaged(*decided);
            }
            return decided;
        };
        Result<CommitOutcome> outcome = apply(*leader_, engine_);
        Result<CommitOutcome> mirrored = apply(*replica_.mvcc, replica_.engine);
        RC_ASSERT(mirrored.ok() == outcome.ok());  // Every replica decides alike.
        txn.Finish(outcome.ok());
        if (outcome.ok()) {
            h.committed = true;
            h.commit_version = outcome->commit_version;
            ++tally->committed;
            return;
        }
        RC_ASSERT(outcome.status().Is(Code::kAborted));
        bool ww = outcome.status().message().find("write-write") != std::string::npos;
        ++(ww ? tally->ww_aborts : tally->ssi_aborts);
        h.writes.clear();
    }

    std::vector<TxnSpec> specs_;
    bool replicated_ = false;
    Isolation isolation_;
    storage::MemoryEngine engine_;
    std::unique_ptr<Mvcc> leader_;
    Replica replica_;
    std::vector<ExecutedTxn> history_;
    std::vector<std::optional<Transaction>> txns_;
    std::vector<size_t> step_;
};

// A uniform draw in [lo, hi). rc::gen::inRange scales its range with the generation size,
// which inside resized containers would pin small values; resizing to the nominal size undoes it.
template <typename T>
rc::Gen<T> Uniform(T lo, T hi) {
    return rc::gen::resize(100, rc::gen::inRange<T>(lo, hi));
}

rc::Gen<TxnOp> GenOp() {
    return rc::gen::exec([] {
        TxnOp op;
        op.kind = static_cast<TxnOp::Kind>(*Uniform(0, 4));
        op.key = *Uniform(0, kKeySpace);
        op.key_end = *Uniform(op.key + 1, kKeySpace + 1);
        return op;
    });
}

rc::Gen<TxnSpec> GenTxn() {
    return rc::gen::exec([] {
        TxnSpec spec;
        spec.read_only = *rc::gen::weightedElement<bool>({{1, true}, {4, false}});
        spec.rollback = *rc::gen::weightedElement<bool>({{1, true}, {9, false}});
        spec.ops =
            *rc::gen::resize(6, rc::gen::nonEmpty(rc::gen::container<std::vector<TxnOp>>(GenOp())));
        if (spec.read_only) {
            for (TxnOp& op : spec.ops) {
                if (op.kind == TxnOp::Kind::kSet || op.kind == TxnOp::Kind::kDelete) {
                    op.kind = TxnOp::Kind::kGet;
                }
            }
        }
        return spec;
    });
}

// Interleaves: each pick advances one still-running transaction; gc_every > 0 also collects
// garbage every that many steps.
void RunInterleaved(Runner* runner, const std::vector<int>& picks, int gc_every, Tally* tally) {
    std::vector<size_t> running;
    for (size_t i = 0; i < runner->size(); ++i) running.push_back(i);
    for (size_t step = 0; !running.empty(); ++step) {
        RC_ASSERT(step < kMaxSteps);
        size_t pick = picks.empty() ? 0 : static_cast<size_t>(picks[step % picks.size()]);
        size_t slot = pick % running.size();
        if (!runner->Step(running[slot], tally)) running.erase(running.begin() + slot);
        if (gc_every > 0 && step % gc_every == 0) runner->Gc(tally);
    }
}

TEST_CASE("random interleavings of serializable transactions are serializable", "[mvcc]") {
    Tally tally;
    rc::prop("committed transactions form an acyclic dependency graph", [&tally] {
        // A first transaction loads every key, so reads have something to conflict on.
        TxnSpec load;
        for (int k = 0; k < kKeySpace; ++k) load.ops.push_back({TxnOp::Kind::kSet, k, 0});
        std::vector<TxnSpec> specs{load};
        auto more = *rc::gen::resize(
            8, rc::gen::nonEmpty(rc::gen::container<std::vector<TxnSpec>>(GenTxn())));
        specs.insert(specs.end(), more.begin(), more.end());
        std::vector<int> picks = *rc::gen::container<std::vector<int>>(Uniform(0, 8));
        int gc_every = *rc::gen::element(0, 3, 7);
        Runner runner(specs, Isolation::kSerializable);
        runner.Step(0, &tally);  // Begin, run and commit the load alone, first.
        while (runner.Step(0, &tally)) {
        }
        RunInterleaved(&runner, picks, gc_every, &tally);
        std::string violation = testing::CheckSerializable(runner.history(), kKeySpace);
        RC_ASSERT(violation == "");
        runner.CheckReplicaMatches();
    });
    INFO(fmt::format("committed={} ssi={} ww={} gcs={}", tally.committed, tally.ssi_aborts,
                     tally.ww_aborts, tally.gcs));
    // The property must have seen both commits and SSI aborts, or it proved little.
    CHECK(tally.committed > 100);
    CHECK(tally.ssi_aborts > 0);
    CHECK(tally.ww_aborts > 0);
    CHECK(tally.gcs > 0);
}

TEST_CASE("unlogged read-only transactions stay serializable under the replicated rules",
          "[mvcc]") {
    Tally tally;
    uint64_t read_only_committed = 0;
    rc::prop("committed transactions, read-only ones included, are serializable",
             [&tally, &read_only_committed] {
        TxnSpec load;
        for (int k = 0; k < kKeySpace; ++k) load.ops.push_back({TxnOp::Kind::kSet, k, 0});
        std::vector<TxnSpec> specs{load};
        auto more = *rc::gen::resize(
            8, rc::gen::nonEmpty(rc::gen::container<std::vector<TxnSpec>>(GenTxn())));
        specs.insert(specs.end(), more.begin(), more.end());
        std::vector<int> picks = *rc::gen::container<std::vector<int>>(Uniform(0, 8));
        Runner runner(specs, Isolation::kSerializable);
        runner.UseReplicatedRules();
        while (runner.Step(0, &tally)) {
        }
        RunInterleaved(&runner, picks, 0, &tally);
        RC_ASSERT(testing::CheckSerializable(runner.history(), kKeySpace) == "");
        runner.CheckReplicaMatches();
        for (size_t i = 1; i < specs.size(); ++i) {
            if (specs[i].read_only && runner.history()[i].committed) ++read_only_committed;
        }
    });
    INFO(fmt::format("committed={} read-only={} ssi={} ww={}", tally.committed,
                     read_only_committed, tally.ssi_aborts, tally.ww_aborts));
    CHECK(tally.committed > 100);
    CHECK(read_only_committed > 20);
    CHECK(tally.ssi_aborts > 0);
}

TEST_CASE("the checker finds write skew under snapshot isolation", "[mvcc]") {
    // t0 loads k0, k1; t1 reads both and writes k0; t2 reads both and writes k1; interleaved.
    TxnSpec load{{{TxnOp::Kind::kSet, 0, 0}, {TxnOp::Kind::kSet, 1, 0}}};
    TxnSpec t1{{{TxnOp::Kind::kGet, 0, 0}, {TxnOp::Kind::kGet, 1, 0}, {TxnOp::Kind::kSet, 0, 0}}};
    TxnSpec t2{{{TxnOp::Kind::kGet, 0, 0}, {TxnOp::Kind::kGet, 1, 0}, {TxnOp::Kind::kSet, 1, 0}}};
    for (Isolation isolation : {Isolation::kSnapshot, Isolation::kSerializable}) {
        Runner runner({load, t1, t2}, isolation);
        Tally tally;
        while (runner.Step(0, &tally)) {
        }
        for (int round = 0; round < 6; ++round) {  // Lock-step: begin, 3 ops, commit.
            runner.Step(1, &tally);
            runner.Step(2, &tally);
        }
        std::string violation = testing::CheckSerializable(runner.history(), kKeySpace);
        if (isolation == Isolation::kSnapshot) {
            CHECK(tally.committed == 3);
            CHECK(violation.find("dependency cycle") != std::string::npos);
        } else {
            CHECK(tally.committed == 2);
            CHECK(tally.ssi_aborts == 1);
            CHECK(violation == "");
        }
    }
}

}  // namespace
}  // namespace orrery::mvcc
