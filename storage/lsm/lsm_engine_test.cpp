// LsmEngine behaviour beyond the shared golden suite: bad input, foreign and newer directories,
// flushes and merges really happening, iterators outliving merges, orphans, and status fields.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "core/coding.h"
#include "sim/sim_disk.h"
#include "storage/lsm/format.h"
#include "storage/lsm/lsm_engine.h"
#include "storage/lsm/manifest.h"

namespace orrery::storage {
namespace {

LsmOptions SmallOptions() {
    LsmOptions o;
    o.memtable_bytes = 64 * 1024;  // Arena blocks are 64 KiB: one block per memtable.
    o.table.block_bytes = 256;
    o.block_cache_bytes = 16 * 1024;
    o.tier_width = 3;
    return o;
}

std::unique_ptr<LsmEngine> MustOpen(Disk& disk, LsmOptions opts = SmallOptions()) {
    auto e = LsmEngine::Open(disk, opts);
    INFO(e.status().ToString());
    REQUIRE(e.ok());
    return std::move(e).value();
}

std::string Key(uint64_t i) { return fmt::format("key{:08d}", i); }

TEST_CASE("lsm refuses bad keys and values and changes nothing", "[storage]") {
    sim::SimDisk disk(Random(1));
    auto e = MustOpen(disk);
    CHECK(e->Set("", "v").Is(Code::kInvalidArgument));
    CHECK(e->Set(std::string(kMaxKeyBytes + 1, 'k'), "v").Is(Code::kInvalidArgument));
    CHECK(e->Set("k", std::string(kMaxValueBytes + 1, 'v')).Is(Code::kInvalidArgument));
    CHECK(e->Get("").status().Is(Code::kInvalidArgument));
    WriteBatch mixed;
    mixed.Set("good", "1");
    mixed.Set("", "2");
    CHECK(e->Write(mixed).Is(Code::kInvalidArgument));
    CHECK(e->Get("good").status().Is(Code::kNotFound));
    CHECK(e->GetStatus().user_bytes_written == 0);
}

TEST_CASE("lsm refuses another engine's directory with a clear error", "[storage]") {
    sim::SimDisk disk(Random(2));
    SECTION("another engine's marker") {
        REQUIRE(disk.WriteAtomically("ENGINE", "orrery-btree\nformat 1\n").ok());
        auto e = LsmEngine::Open(disk);
        REQUIRE(e.status().Is(Code::kInvalidArgument));
        CHECK(e.status().message().find("orrery-btree") != std::string::npos);
    }
    SECTION("files but no marker") {
        REQUIRE(disk.WriteAtomically("btree.pages", "not an lsm").ok());
        auto e = LsmEngine::Open(disk);
        REQUIRE(e.status().Is(Code::kInvalidArgument));
        CHECK(e.status().message().find("btree.pages") != std::string::npos);
        CHECK(disk.Exists("btree.pages"));  // Nothing was touched.
        CHECK_FALSE(disk.Exists("ENGINE"));
    }
    SECTION("a binary marker") {
        REQUIRE(disk.WriteAtomically("ENGINE", std::string("\x00\x01\xff", 3)).ok());
        CHECK(LsmEngine::Open(disk).status().Is(Code::kInvalidArgument));
    }
}

TEST_CASE("lsm refuses a newer format version with not_supported", "[storage]") {
    sim::SimDisk disk(Random(3));
    { MustOpen(disk)->Set("a", "1", true).IgnoreError(); }
    SECTION("newer ENGINE marker") {
        REQUIRE(disk.WriteAtomically("ENGINE", "orrery-lsm\nformat 2\n").ok());
        CHECK(LsmEngine::Open(disk).status().Is(Code::kNotSupported));
    }
    SECTION("newer MANIFEST") {
        auto bytes = disk.ReadAll("MANIFEST");
        REQUIRE(bytes.ok());
        std::string m = bytes.value();
        EncodeFixed32(m.data() + 8, lsm::kFormatVersion + 1);
        REQUIRE(disk.WriteAtomically("MANIFEST", m).ok());
        CHECK(LsmEngine::Open(disk).status().Is(Code::kNotSupported));
    }
}

TEST_CASE("lsm flushes and merges under load and keeps every key", "[storage]") {
    sim::SimDisk disk(Random(4));
    auto e = MustOpen(disk);
    constexpr uint64_t kKeys = 6000;
    for (uint64_t i = 0; i < kKeys; ++i) {
        REQUIRE(e->Set(Key((i * 7919) % kKeys), fmt::format("value-{}", i)).ok());
    }
    LsmStats stats = e->stats();
    CHECK(stats.flushes >= 5);
    CHECK(stats.merges >= 1);
    CHECK(stats.runs < stats.flushes);
    for (uint64_t i = 0; i < kKeys; i += 97) {
        auto v = e->Get(Key((i * 7919) % kKeys));
        REQUIRE(v.ok());
        CHECK(v.value() == fmt::format("value-{}", i));
    }
    uint64_t n = 0;
    std::string last;
    for (auto it = e->Scan({}); it->Valid(); it->Next(), ++n) {
        CHECK(std::string(it->key()) > last);
        last = it->key();
    }
    CHECK(n == kKeys);
    REQUIRE(e->Compact().ok());
    CHECK(e->stats().runs == 1);
    EngineStatus s = e->GetStatus();
    CHECK(s.live_keys == kKeys);
    CHECK(s.garbage_bytes == 0);
    CHECK(s.user_bytes_written > kKeys * 11);
    CHECK(s.disk_bytes_written > s.user_bytes_written);
    CHECK(s.disk_bytes > 0);
}

TEST_CASE("an lsm iterator outlives the merge that retires its tables", "[storage]") {
    sim::SimDisk disk(Random(5));
    auto e = MustOpen(disk);
    for (uint64_t i = 0; i < 100; ++i) REQUIRE(e->Set(Key(i), "old").ok());
    REQUIRE(e->Flush().ok());
    uint64_t old_table = e->RunNumbers().at(0);
    auto it = e->Scan({});
    for (uint64_t i = 0; i < 100; ++i) REQUIRE(e->Set(Key(i), "new").ok());
    REQUIRE(e->Compact().ok());
    CHECK(disk.Exists(lsm::FileName(lsm::FileKind::kTable, old_table)));  // Still read.
    uint64_t n = 0;
    for (; it->Valid(); it->Next(), ++n) CHECK(it->value() == "old");
    CHECK(it->status().ok());
    CHECK(n == 100);
    it.reset();
    REQUIRE(e->Flush().ok());  // Maintenance removes what no iterator reads any more.
    CHECK_FALSE(disk.Exists(lsm::FileName(lsm::FileKind::kTable, old_table)));
}

TEST_CASE("lsm open removes orphan files but not unknown ones", "[storage]") {
    sim::SimDisk disk(Random(6));
    { MustOpen(disk)->Set("a", "1", true).IgnoreError(); }
    REQUIRE(disk.WriteAtomically("000999.sst", "half-written table").ok());
    REQUIRE(disk.WriteAtomically("000998.log", "stale log").ok());
    REQUIRE(disk.WriteAtomically("MANIFEST.tmp", "torn manifest").ok());
    REQUIRE(disk.WriteAtomically("notes.txt", "somebody's notes").ok());
    auto e = MustOpen(disk);
    CHECK(e->Get("a").value() == "1");
    CHECK_FALSE(disk.Exists("000999.sst"));
    CHECK_FALSE(disk.Exists("000998.log"));
    CHECK_FALSE(disk.Exists("MANIFEST.tmp"));
    CHECK(disk.Exists("notes.txt"));
}

TEST_CASE("lsm group commit: many writes, one sync", "[storage]") {
    sim::SimDisk disk(Random(7));
    auto e = MustOpen(disk);
    uint64_t syncs_before = disk.stats().syncs;
    for (int i = 0; i < 100; ++i) REQUIRE(e->Set(Key(i), "v").ok());
    CHECK(disk.stats().syncs == syncs_before);
    REQUIRE(e->Sync().ok());
    CHECK(disk.stats().syncs == syncs_before + 1);
    disk.SetFaults({.sector_lost = 1, .lose_unsynced_dir_ops = 1});
    e.reset();
    disk.Crash();
    e = MustOpen(disk);
    CHECK(e->stats().wal_replayed_batches == 100);
    CHECK(e->Get(Key(99)).value() == "v");
}

TEST_CASE("lsm status is exact after a compaction", "[storage]") {
    sim::SimDisk disk(Random(8));
    auto e = MustOpen(disk);
    for (int round = 0; round < 2; ++round) {
        for (int i = 0; i < 500; ++i) REQUIRE(e->Set(Key(i), std::string(50, 'a' + round)).ok());
        REQUIRE(e->Flush().ok());
    }
    EngineStatus s = e->GetStatus();
    CHECK(s.engine == "lsm");
    // The estimate counts shadowed versions as live until a merge meets them.
    CHECK(s.live_keys >= 500);
    CHECK(s.live_keys <= 1000);
    REQUIRE(e->Compact().ok());
    s = e->GetStatus();
    CHECK(s.live_keys == 500);
    CHECK(s.garbage_bytes == 0);
}

}  // namespace
}  // namespace orrery::storage
