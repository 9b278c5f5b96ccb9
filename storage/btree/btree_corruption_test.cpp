// Failure cases: bit rot, torn writes at a crash, bad input, and directories that are not (or
// not yet) readable by this B+-tree. Each test states the promise it checks in its name.
#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "core/checksum.h"
#include "core/coding.h"
#include "sim/sim_disk.h"
#include "storage/btree/btree_engine.h"
#include "storage/btree/format.h"

namespace orrery::storage {
namespace {

std::unique_ptr<BTreeEngine> MustOpen(Disk& disk, BTreeOptions opts = {}) {
    auto e = BTreeEngine::Open(disk, opts);
    REQUIRE(e.ok());
    return std::move(*e);
}

std::string Key(int i) { return fmt::format("key{:05}", i); }
std::string Value(int i, size_t n = 100) { return std::string(n, char('a' + i % 26)); }

// Writes n keys (some with overflow values) and checkpoints, so every byte is in page files.
void Populate(BTreeEngine& e, int n) {
    for (int i = 0; i < n; ++i) REQUIRE(e.Set(Key(i), Value(i, i % 50 == 0 ? 3000 : 100)).ok());
    REQUIRE(e.Flush().ok());
}

}  // namespace

TEST_CASE("a flipped bit in any page is reported as corruption, never as data", "[btree]") {
    // Each seed flips one bit somewhere in the page file (meta pages included), then a fresh
    // engine (empty cache) reads everything back: every answer is either the right value or
    // kCorruption, and the flip is always noticed unless it hit bytes no page uses.
    int noticed = 0;
    for (uint64_t seed = 1; seed <= 60; ++seed) {
        sim::SimDisk disk{Random(seed)};
        {
            auto e = MustOpen(disk);
            Populate(*e, 400);
        }
        REQUIRE(disk.RotBit(btree::kPagesFile, Mix64(seed)).ok());
        auto opened = BTreeEngine::Open(disk);
        if (!opened.ok()) {
            CHECK(opened.status().Is(Code::kCorruption));
            ++noticed;
            continue;
        }
        auto& e = **opened;
        bool corrupt = false;
        for (int i = 0; i < 400; ++i) {
            Result<std::string> v = e.Get(Key(i));
            if (v.ok()) {
                CHECK(*v == Value(i, i % 50 == 0 ? 3000 : 100));
            } else {
                CHECK(v.status().Is(Code::kCorruption));
                corrupt = true;
            }
        }
        auto it = e.Scan({});
        int i = 0;
        for (; it->Valid(); it->Next(), ++i) {
            CHECK(it->key() == Key(i));
            CHECK(it->value() == Value(i, i % 50 == 0 ? 3000 : 100));
        }
        CHECK((it->status().ok() ? i == 400 : it->status().Is(Code::kCorruption)));
        corrupt = corrupt || !it->status().ok();
        it.reset();
        noticed += corrupt || !e.Check().ok() ? 1 : 0;
    }
    // Free pages and slack after a page's payload are covered by the checksum too, so nearly
    // every flip is noticed; the ones that are not hit the unused meta slot or a free page.
    CHECK(noticed >= 40);
}

TEST_CASE("torn writes at a crash never damage the last synced state", "[btree]") {
    for (uint64_t seed = 1; seed <= 40; ++seed) {
        sim::SimDisk disk(
            Random(seed),
            {.sector_lost = 0.4, .sector_garbage = 0.4, .lose_unsynced_dir_ops = 0.5});
        BTreeOptions opts;
        opts.checkpoint_log_bytes = 16 << 10;  // Checkpoints happen mid-way, some torn.
        auto e = MustOpen(disk, opts);
        for (int i = 0; i < 300; ++i) REQUIRE(e->Set(Key(i), Value(i)).ok());
        REQUIRE(e->Sync().ok());
        for (int i = 0; i < 300; ++i) REQUIRE(e->Set(Key(i), Value(i + 1, 150)).ok());
        for (int i = 300; i < 400; ++i) REQUIRE(e->Set(Key(i), Value(i)).ok());
        e.reset();
        disk.Crash();
        e = MustOpen(disk, opts);
        // Unsynced sets of the second round survive as a prefix (one key per batch, in order).
        size_t updated = 0;
        while (updated < 300 && *e->Get(Key(static_cast<int>(updated))) ==
                                    Value(static_cast<int>(updated) + 1, 150)) {
            ++updated;
        }
        for (int i = 0; i < 300; ++i) {
            Result<std::string> v = e->Get(Key(i));
            REQUIRE(v.ok());
            CHECK(*v == (static_cast<size_t>(i) < updated ? Value(i + 1, 150) : Value(i)));
        }
        REQUIRE(e->Check().ok());
    }
}

TEST_CASE("bit rot in the synced redo log is reported, never dropped as a torn tail", "[btree]") {
    // Every batch is synced, so every byte of the log but the last sync mark is followed by a
    // sync mark: a flipped bit anywhere before it must make Open report kCorruption. Replaying
    // up to the damage and dropping the rest would silently lose acknowledged, synced batches.
    int reported = 0;
    for (uint64_t seed = 1; seed <= 60; ++seed) {
        sim::SimDisk disk{Random(seed)};
        BTreeOptions opts;
        opts.checkpoint_log_bytes = 1 << 20;  // No checkpoint: everything stays in the log.
        {
            auto e = MustOpen(disk, opts);
            for (int i = 0; i < 200; ++i) REQUIRE(e->Set(Key(i), Value(i), /*sync=*/true).ok());
        }
        disk.Crash();
        auto files = disk.List();
        REQUIRE(files.ok());
        std::string log;
        for (const auto& f : *files) log = f.starts_with("btree.wal.") ? f : log;
        REQUIRE(!log.empty());
        REQUIRE(disk.RotBit(log, Mix64(seed)).ok());
        auto opened = BTreeEngine::Open(disk, opts);
        if (!opened.ok()) {
            CHECK(opened.status().Is(Code::kCorruption));
            ++reported;
            continue;
        }
        // Not reported: the flip may only have hit the final sync mark, so no batch is lost.
        for (int i = 0; i < 200; ++i) CHECK(*(*opened)->Get(Key(i)) == Value(i));
    }
    CHECK(reported >= 55);
}

TEST_CASE("empty and oversized keys and values are invalid arguments", "[btree]") {
    sim::SimDisk disk{Random(1)};
    auto e = MustOpen(disk);
    CHECK(e->Set("", "v").Is(Code::kInvalidArgument));
    CHECK(e->Set(std::string(kMaxKeyBytes + 1, 'k'), "v").Is(Code::kInvalidArgument));
    CHECK(e->Set("k", std::string(kMaxValueBytes + 1, 'v')).Is(Code::kInvalidArgument));
    CHECK(e->Get("").status().Is(Code::kInvalidArgument));
    WriteBatch b;
    b.Set("ok", "fine");
    b.Delete("");
    CHECK(e->Write(b).Is(Code::kInvalidArgument));
    CHECK(e->Get("ok").status().Is(Code::kNotFound));  // The whole batch was refused.
    // The limits themselves are fine, and survive a checkpoint and a crash.
    std::string big_key(kMaxKeyBytes, 'k');
    std::string big_value(kMaxValueBytes, 'v');
    REQUIRE(e->Set(big_key, big_value).ok());
    REQUIRE(e->Flush().ok());
    e.reset();
    disk.Crash();
    e = MustOpen(disk);
    CHECK(*e->Get(big_key) == big_value);
    auto stats = e->Check();
    REQUIRE(stats.ok());
    CHECK(stats->overflow_pages == 2 + 259);  // The key's chain and the value's.
}

TEST_CASE("another engine's directory is refused with a clear error", "[btree]") {
    sim::SimDisk disk{Random(1)};
    {
        auto f = disk.Open("MANIFEST", OpenMode::kCreateNew);
        REQUIRE(f.ok());
    }
    auto e = BTreeEngine::Open(disk);
    REQUIRE(e.status().Is(Code::kInvalidArgument));
    CHECK(e.status().message().find("another engine") != std::string::npos);
    // A file named btree.pages that is not ours is refused too.
    sim::SimDisk disk2{Random(2)};
    {
        auto f = disk2.Open(btree::kPagesFile, OpenMode::kCreateNew);
        REQUIRE(f.ok());
        REQUIRE((*f)->Append(std::string(2 * btree::kPageBytes, 'x')).ok());
    }
    CHECK(BTreeEngine::Open(disk2).status().Is(Code::kInvalidArgument));
}

TEST_CASE("a page file from a newer format version is not supported", "[btree]") {
    sim::SimDisk disk{Random(1)};
    {
        auto e = MustOpen(disk);
        REQUIRE(e->Set("a", "1").ok());
        REQUIRE(e->Flush().ok());
    }
    // Rewrite both meta slots as version 2 (with valid checksums), as a newer binary would.
    auto file = disk.Open(btree::kPagesFile, OpenMode::kReadWrite);
    REQUIRE(file.ok());
    for (uint64_t slot = 0; slot < 2; ++slot) {
        std::string page;
        REQUIRE((*file)->Read(slot * btree::kPageBytes, btree::kPageBytes, &page).ok());
        EncodeFixed32(page.data() + 16, btree::kFormatVersion + 1);
        EncodeFixed32(page.data(), MaskCrc(Crc32c(std::string_view(page).substr(4))));
        REQUIRE((*file)->Write(slot * btree::kPageBytes, page).ok());
    }
    file->reset();
    auto e = BTreeEngine::Open(disk);
    REQUIRE(e.status().Is(Code::kNotSupported));
    CHECK(e.status().message().find("version 2") != std::string::npos);
}

TEST_CASE("a crash while creating the tree leaves a directory that opens as empty", "[btree]") {
    for (uint64_t seed = 1; seed <= 20; ++seed) {
        sim::SimDisk disk(
            Random(seed),
            {.sector_lost = 0.5, .sector_garbage = 0.3, .lose_unsynced_dir_ops = 0.5});
        {
            auto e = MustOpen(disk);
            REQUIRE(e->Set("a", "1").ok());
        }
        disk.Crash();
        auto e = MustOpen(disk);
        REQUIRE(e->Set("b", "2", /*sync=*/true).ok());
        CHECK(e->Get("b").ok());
    }
}

}  // namespace orrery::storage
