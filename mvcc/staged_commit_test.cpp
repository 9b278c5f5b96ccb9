// Tests of the embedder's commit path (StageCommit / CommitStaged, used by the Raft state
// machine in node/txn_state_machine.h) and of CommitRules::unlogged_readers on the Fekete,
// O'Neil and O'Neil read-only anomaly.
#include <catch2/catch.hpp>

#include "mvcc/key_codec.h"
#include "mvcc/mvcc.h"
#include "mvcc/transaction.h"
#include "storage/memory_engine.h"

namespace orrery::mvcc {
namespace {

CommitRequest Request(Version snapshot, std::vector<std::string> reads,
                      std::vector<Write> writes) {
    CommitRequest req;
    req.snapshot_version = snapshot;
    req.read_keys = std::move(reads);
    req.writes = std::move(writes);
    req.read_only = req.writes.empty();
    return req;
}

TEST_CASE("a staged commit changes nothing until its batch is written", "[mvcc]") {
    storage::MemoryEngine engine;
    auto mvcc = std::move(Mvcc::Open(engine)).value();
    storage::WriteBatch batch;
    auto outcome = mvcc->StageCommit(Request(0, {}, {Write{"x", "1"}}), CommitRules{}, &batch);
    REQUIRE(outcome.ok());
    CHECK(outcome->commit_version == 1);
    CHECK(mvcc->last_version() == 0);
    CHECK(engine.Get(LastVersionKey()).status().Is(Code::kNotFound));
    batch.Set("embedder-applied-index", "7");  // The embedder's own record, same batch.
    REQUIRE(engine.Write(batch).ok());
    mvcc->CommitStaged(*outcome);
    CHECK(mvcc->last_version() == 1);
    CHECK(mvcc->ReadAt("x", 1).value() == "1");
    // Reload (after an embedder replaced the engine's bytes) reads the stored counter.
    REQUIRE(mvcc->Reload().ok());
    CHECK(mvcc->last_version() == 1);
}

TEST_CASE("unlogged readers: the read-only anomaly's pivot aborts", "[mvcc]") {
    // Fekete et al.: checking x and savings y start at 0 (v1). T2 (withdraw 10 from x, with a
    // 1 fee if x + y would go negative) reads x, y at v1. T3 deposits 20 into y and commits
    // (v2). T1, a read-only report, reads x, y at v2 and sees x=0, y=20 - a state in which T2
    // has not run, though T2 must be serialized BEFORE T3 (it read y before the deposit).
    // T1 left no record (no log entry), so only T2's own commit can prevent the cycle
    // T1 -rw-> T2 -rw-> T3 -wr-> T1.
    for (bool unlogged : {false, true}) {
        storage::MemoryEngine engine;
        auto mvcc = std::move(Mvcc::Open(engine)).value();
        REQUIRE(mvcc->ApplyCommit(Request(0, {}, {Write{"x", "0"}, Write{"y", "0"}})).ok());
        REQUIRE(mvcc->ApplyCommit(Request(1, {"y"}, {Write{"y", "20"}})).ok());  // T3.
        auto t1 = std::move(mvcc->Begin(TxnOptions::ReadOnly())).value();  // At v2, unlogged.
        CHECK(t1.Get("x").value() == "0");
        CHECK(t1.Get("y").value() == "20");
        t1.Finish(true);
        CommitRules rules;
        rules.unlogged_readers = unlogged;
        storage::WriteBatch batch;
        auto t2 = mvcc->StageCommit(Request(1, {"x", "y"}, {Write{"x", "-11"}}), rules, &batch);
        if (unlogged) {
            CHECK(t2.status().Is(Code::kAborted));
            CHECK(t2.status().message().find("unlogged read-only") != std::string::npos);
        } else {
            CHECK(t2.ok());  // Plain SSI relies on T1's validation entry, which never came.
        }
    }
}

}  // namespace
}  // namespace orrery::mvcc
