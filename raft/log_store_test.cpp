// LogStore: recovery after crashes, torn tails, corruption, truncation and snapshots, on SimDisk.
#include <catch2/catch.hpp>

#include "raft/log_store.h"
#include "sim/sim_disk.h"

namespace orrery::raft {
namespace {

Membership Voters123() { return Membership{{NodeId(1), NodeId(2), NodeId(3)}, {}}; }

std::unique_ptr<LogStore> MustOpen(Disk& disk, uint64_t segment_bytes = 1 << 20) {
    auto s = LogStore::Open(disk, segment_bytes, Voters123());
    REQUIRE(s.ok());
    return std::move(s).value();
}

void AppendN(LogStore& log, uint64_t n, Term term) {
    for (uint64_t i = 0; i < n; ++i) {
        LogIndex idx = log.last_index() + 1;
        log.Append(Entry{term, idx, EntryType::kNormal, "cmd" + std::to_string(idx.value())});
    }
}

TEST_CASE("log store recovers synced entries and hard state", "[raft]") {
    sim::SimDisk disk(Random(1));
    {
        auto log = MustOpen(disk, 200);  // Small segments: several files.
        AppendN(*log, 20, Term(2));
        log->SetHardState(Term(3), 2, LogIndex(15));
        REQUIRE(log->Sync().ok());
    }
    disk.Crash();
    auto log = MustOpen(disk, 200);
    CHECK(log->last_index() == LogIndex(20));
    CHECK(log->hard_state().term == Term(3));
    CHECK(log->hard_state().voted_for == 2);
    CHECK(log->hard_state().commit == LogIndex(15));
    CHECK(log->At(LogIndex(7)).data == "cmd7");
    CHECK(log->recovery_note().empty());
}

TEST_CASE("log store loses only unsynced entries, and a torn tail is cut", "[raft]") {
    sim::SimDisk disk(Random(2));
    {
        auto log = MustOpen(disk);
        AppendN(*log, 5, Term(1));
        REQUIRE(log->Sync().ok());
        AppendN(*log, 5, Term(1));
        REQUIRE(log->Sync().ok());
    }
    // Unsynced garbage after the last record, then a crash that turns dirty sectors to garbage.
    {
        auto file = disk.Open("log-00000000000000000001", OpenMode::kReadWrite);
        REQUIRE(file.ok());
        REQUIRE((*file)->Append(std::string(700, 'g')).ok());
    }
    disk.SetFaults(sim::DiskFaults{.sector_garbage = 1.0});
    disk.Crash();
    auto log = MustOpen(disk);
    CHECK(log->last_index() == LogIndex(10));
    CHECK_FALSE(log->recovery_note().empty());
    // The store keeps working after the cut.
    AppendN(*log, 1, Term(1));
    REQUIRE(log->Sync().ok());
    disk.Crash();
    CHECK(MustOpen(disk)->last_index() == LogIndex(11));
}

TEST_CASE("log store refuses to start when a synced record rotted", "[raft]") {
    sim::SimDisk disk(Random(3));
    {
        auto log = MustOpen(disk);
        AppendN(*log, 10, Term(1));
        REQUIRE(log->Sync().ok());
    }
    disk.Crash();
    REQUIRE(disk.RotBit("log-00000000000000000001", 40).ok());
    auto s = LogStore::Open(disk, 1 << 20, Voters123());
    CHECK(s.status().code() == Code::kCorruption);
}

// Raft sends an AppendResp between the two halves of Sync (raft_node.cpp, Ready). After SyncLog
// alone the entries survive a crash with sector_garbage = 1 (every unsynced byte garbage), so
// the promise the AppendResp makes holds; what only SyncHardState adds is the recorded durable
// index, which turns rot in those records from a torn tail into kCorruption.
// Flips a bit three bytes before the end of the first segment: inside its last record.
void RotLastRecord(sim::SimDisk& disk) {
    auto file = disk.Open("log-00000000000000000001", OpenMode::kRead);
    REQUIRE(file.ok());
    uint64_t size = (*file)->Size();
    REQUIRE(size > 3);
    REQUIRE(disk.RotBit("log-00000000000000000001", size - 3).ok());
}

TEST_CASE("log store: SyncLog makes entries durable, SyncHardState records it", "[raft]") {
    sim::SimDisk disk(Random(5));
    disk.SetFaults(sim::DiskFaults{.sector_garbage = 1.0});
    {
        auto log = MustOpen(disk);
        AppendN(*log, 4, Term(1));
        REQUIRE(log->Sync().ok());
        AppendN(*log, 4, Term(1));
        REQUIRE(log->SyncLog().ok());
        CHECK(log->durable_index() == LogIndex(8));
        CHECK_FALSE(log->log_dirty());
        CHECK(log->hard_state_dirty());
    }
    disk.Crash();
    {
        auto log = MustOpen(disk);
        CHECK(log->last_index() == LogIndex(8));
        CHECK(log->recovery_note().empty());
    }
    // Open recorded index 8 and synced the hard state, so rot in entry 8 is now corruption.
    disk.Crash();
    RotLastRecord(disk);
    auto s = LogStore::Open(disk, 1 << 20, Voters123());
    CHECK(s.status().code() == Code::kCorruption);
}

TEST_CASE("log store: rot in records synced by SyncLog alone reads as a torn tail", "[raft]") {
    sim::SimDisk disk(Random(6));
    {
        auto log = MustOpen(disk);
        AppendN(*log, 4, Term(1));
        REQUIRE(log->Sync().ok());
        AppendN(*log, 4, Term(1));
        REQUIRE(log->SyncLog().ok());  // A crash before SyncHardState: the window Ready leaves.
    }
    disk.Crash();
    RotLastRecord(disk);
    auto log = MustOpen(disk);
    CHECK(log->last_index() == LogIndex(7));  // Entry 8 is cut: the known cost of the window.
    CHECK_FALSE(log->recovery_note().empty());
}

TEST_CASE("log store truncates a conflicting suffix durably", "[raft]") {
    sim::SimDisk disk(Random(4));
    {
        auto log = MustOpen(disk, 150);
        AppendN(*log, 12, Term(1));
        REQUIRE(log->Sync().ok());
        log->TruncateFrom(LogIndex(5));
        AppendN(*log, 2, Term(2));
        REQUIRE(log->Sync().ok());
    }
    disk.Crash();
    auto log = MustOpen(disk, 150);
    CHECK(log->last_index() == LogIndex(6));
    CHECK(log->At(LogIndex(5)).term == Term(2));
    CHECK(log->At(LogIndex(4)).term == Term(1));
}

TEST_CASE("log store crash during a truncation never reports corruption", "[raft]") {
    for (uint64_t seed = 0; seed < 40; ++seed) {
        sim::SimDisk disk{Random(seed)};
        auto log = MustOpen(disk, 150);
        AppendN(*log, 12, Term(1));
        REQUIRE(log->Sync().ok());
        disk.SetFaults(sim::DiskFaults{.sector_lost = 0.3, .sector_garbage = 0.3,
                                       .lose_unsynced_dir_ops = 0.5});
        log->TruncateFrom(LogIndex(5));
        AppendN(*log, 2, Term(2));
        bool synced = seed % 2 == 0 && log->Sync().ok();
        log.reset();
        disk.Crash();
        auto again = LogStore::Open(disk, 150, Voters123());
        INFO("seed " << seed);
        REQUIRE(again.ok());
        // Either the old entries (up to the lowered durable index) or the new ones survive.
        CHECK((*again)->last_index() >= LogIndex(4));
        if (synced) CHECK((*again)->At(LogIndex(6)).term == Term(2));
    }
}

TEST_CASE("log store compacts with a snapshot and recovers from it", "[raft]") {
    sim::SimDisk disk(Random(5));
    {
        auto log = MustOpen(disk, 120);
        AppendN(*log, 30, Term(1));
        REQUIRE(log->Sync().ok());
        SnapshotMeta meta{LogIndex(20), Term(1), Voters123()};
        REQUIRE(log->SaveSnapshot(meta, "state@20").ok());
        CHECK(log->first_index() == LogIndex(21));
    }
    disk.Crash();
    auto log = MustOpen(disk, 120);
    CHECK(log->snapshot().index == LogIndex(20));
    CHECK(log->first_index() == LogIndex(21));
    CHECK(log->last_index() == LogIndex(30));
    auto data = log->ReadSnapshotData();
    REQUIRE(data.ok());
    CHECK(*data == "state@20");
    // A snapshot that does not match the log replaces the whole log (§7).
    REQUIRE(log->SaveSnapshot(SnapshotMeta{LogIndex(40), Term(5), Voters123()}, "s40").ok());
    CHECK(log->last_index() == LogIndex(40));
    disk.Crash();
    CHECK(MustOpen(disk, 120)->last_index() == LogIndex(40));
}

}  // namespace
}  // namespace orrery::raft
