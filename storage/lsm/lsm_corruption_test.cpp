// Damage on the medium: checksums must turn every flipped bit into kCorruption (or, where the
// damage is provably in unsynced bytes, into a dropped torn tail), never into wrong data.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <map>

#include "sim/sim_disk.h"
#include "storage/lsm/format.h"
#include "storage/lsm/lsm_engine.h"

namespace orrery::storage {
namespace {

LsmOptions NoCacheOptions() {
    LsmOptions o;
    o.table.block_bytes = 256;
    o.block_cache_bytes = 0;
    return o;
}

std::string Key(int i) { return fmt::format("key{:04d}", i); }

// Reads every key with Get and with a full scan. Returns the first error, and CHECKs that
// whatever was returned as data is exactly what was written.
Status ReadEverything(LsmEngine& e, int n) {
    Status first;
    for (int i = 0; i < n; ++i) {
        auto v = e.Get(Key(i));
        if (v.ok()) {
            CHECK(v.value() == fmt::format("value-{}", i));
        } else if (first.ok()) {
            first = v.status();
        }
    }
    auto it = e.Scan({});
    int seen = 0;
    for (; it->Valid(); it->Next(), ++seen) {
        CHECK(it->key() == Key(seen));
        CHECK(it->value() == fmt::format("value-{}", seen));
    }
    if (first.ok()) first = it->status();
    if (first.ok()) CHECK(seen == n);
    return first;
}

// One table of n keys, synced; returns its file name.
std::string MakeTable(sim::SimDisk& disk, int n) {
    auto e = LsmEngine::Open(disk, NoCacheOptions());
    REQUIRE(e.ok());
    for (int i = 0; i < n; ++i) REQUIRE(e.value()->Set(Key(i), fmt::format("value-{}", i)).ok());
    REQUIRE(e.value()->Compact().ok());
    return lsm::FileName(lsm::FileKind::kTable, e.value()->RunNumbers().at(0));
}

TEST_CASE("bit rot in an sstable data block is corruption from get and scan", "[storage]") {
    sim::SimDisk disk(Random(11));
    std::string table = MakeTable(disk, 200);
    REQUIRE(disk.RotBit(table, 100).ok());  // Byte 100: inside the first data block.
    auto e = LsmEngine::Open(disk, NoCacheOptions());
    REQUIRE(e.ok());
    auto v = e.value()->Get(Key(0));
    REQUIRE(v.status().Is(Code::kCorruption));
    CHECK(v.status().message().find("checksum") != std::string::npos);
    auto it = e.value()->Scan({});
    while (it->Valid()) it->Next();
    CHECK(it->status().Is(Code::kCorruption));
    CHECK(e.value()->Get(Key(199)).ok());  // Other blocks are intact and still served.
}

TEST_CASE("a flipped bit anywhere in an sstable never yields wrong data", "[storage]") {
    sim::SimDisk disk(Random(12));
    std::string table = MakeTable(disk, 60);
    uint64_t size = disk.ReadAll(table).value().size();
    int detected = 0;
    for (uint64_t byte = 0; byte < size; byte += 3) {
        uint64_t seed = (byte % 8) << 32 | byte;  // Flip bit byte%8 of this byte.
        REQUIRE(disk.RotBit(table, seed).ok());
        auto e = LsmEngine::Open(disk, NoCacheOptions());
        Status s = e.ok() ? ReadEverything(*e.value(), 60) : e.status();
        if (!s.ok()) {
            CHECK(s.Is(Code::kCorruption));
            ++detected;
        }
        e = Status::Aborted("closed");  // Close before undoing the flip.
        REQUIRE(disk.RotBit(table, seed).ok());
    }
    CHECK(detected == static_cast<int>((size + 2) / 3));  // Every flip is caught.
}

TEST_CASE("a torn wal tail is dropped and synced data survives", "[storage]") {
    sim::SimDisk disk(Random(13));
    {
        auto e = LsmEngine::Open(disk, NoCacheOptions());
        REQUIRE(e.ok());
        for (int i = 0; i < 50; ++i) REQUIRE(e.value()->Set(Key(i), fmt::format("value-{}", i)).ok());
        REQUIRE(e.value()->Sync().ok());
        for (int i = 50; i < 80; ++i) REQUIRE(e.value()->Set(Key(i), "unsynced").ok());
    }  // The destructor writes the unsynced batches out without syncing them.
    disk.SetFaults({.sector_garbage = 1});
    disk.Crash();
    disk.SetFaults({});
    auto e = LsmEngine::Open(disk, NoCacheOptions());
    REQUIRE(e.ok());
    CHECK(e.value()->stats().wal_torn_tail);
    CHECK(e.value()->stats().wal_replayed_batches == 50);
    CHECK(ReadEverything(*e.value(), 50).ok());
    CHECK(e.value()->Get(Key(50)).status().Is(Code::kNotFound));
}

TEST_CASE("bit rot in the middle of the wal is corruption at open", "[storage]") {
    sim::SimDisk disk(Random(14));
    std::string wal;
    {
        auto e = LsmEngine::Open(disk, NoCacheOptions());
        REQUIRE(e.ok());
        for (int i = 0; i < 50; ++i) {
            REQUIRE(e.value()->Set(Key(i), fmt::format("value-{}", i), /*sync=*/i % 10 == 9).ok());
        }
        auto files = disk.List();
        REQUIRE(files.ok());
        for (const auto& f : files.value()) {
            if (f.ends_with(".log")) wal = f;
        }
    }
    REQUIRE_FALSE(wal.empty());
    REQUIRE(disk.RotBit(wal, 200).ok());  // An early batch, followed by synced ones.
    disk.Crash();
    auto e = LsmEngine::Open(disk, NoCacheOptions());
    REQUIRE(e.status().Is(Code::kCorruption));
    CHECK(e.status().message().find("wal") != std::string::npos);
}

TEST_CASE("a damaged manifest is corruption at open", "[storage]") {
    sim::SimDisk disk(Random(15));
    MakeTable(disk, 10);
    REQUIRE(disk.RotBit("MANIFEST", 17).ok());
    CHECK(LsmEngine::Open(disk, NoCacheOptions()).status().Is(Code::kCorruption));
}

}  // namespace
}  // namespace orrery::storage
