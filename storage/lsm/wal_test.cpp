// WAL tests: records round-trip, a torn tail is dropped, damage before a sync mark is corruption.
#include <catch2/catch.hpp>

#include "sim/sim_disk.h"
#include "storage/lsm/wal.h"

namespace orrery::storage::lsm {
namespace {

WriteBatch Batch(const std::string& key, const std::string& value) {
    WriteBatch b;
    b.Set(key, value);
    b.Delete("gone-" + key);
    return b;
}

// Writes n batches (syncing after each when sync is true) and returns the log's bytes.
std::string WriteLog(int n, bool sync) {
    sim::SimDisk disk(Random(1));
    auto file = disk.Open("w.log", OpenMode::kCreateNew);
    REQUIRE(file.ok());
    {
        WalWriter wal(std::move(file).value(), 1 << 16);
        for (int i = 0; i < n; ++i) {
            REQUIRE(wal.AddBatch(Batch("k" + std::to_string(i), std::string(100, 'v'))).ok());
            if (sync) REQUIRE(wal.Sync().ok());
        }
    }
    auto bytes = disk.ReadAll("w.log");
    REQUIRE(bytes.ok());
    return bytes.value();
}

std::vector<std::string> Replay(const std::string& log, Result<WalReplay>* result) {
    std::vector<std::string> keys;
    *result = ReplayWal(log, [&](const WriteBatch& b) { keys.push_back(b.ops()[0].key); });
    return keys;
}

TEST_CASE("a WAL replays every batch in order", "[storage]") {
    Result<WalReplay> r = WalReplay{};
    auto keys = Replay(WriteLog(5, false), &r);
    REQUIRE(r.ok());
    CHECK(keys == std::vector<std::string>{"k0", "k1", "k2", "k3", "k4"});
    CHECK_FALSE(r.value().torn_tail);
}

TEST_CASE("a WAL with a torn tail replays the prefix before it", "[storage]") {
    std::string log = WriteLog(5, false);
    Result<WalReplay> r = WalReplay{};
    SECTION("cut short") {
        auto keys = Replay(log.substr(0, log.size() - 30), &r);
        REQUIRE(r.ok());
        CHECK(keys.size() == 4);
        CHECK(r.value().torn_tail);
    }
    SECTION("garbage in the unsynced part, valid records after it") {
        log[log.size() / 2] = static_cast<char>(log[log.size() / 2] ^ 0x40);
        auto keys = Replay(log, &r);
        REQUIRE(r.ok());
        CHECK(keys.size() == 2);
        CHECK(r.value().torn_tail);
    }
}

TEST_CASE("damage before a sync mark is corruption, not a torn tail", "[storage]") {
    std::string log = WriteLog(5, true);
    log[20] = static_cast<char>(log[20] ^ 0x01);  // Inside the first batch record.
    Result<WalReplay> r = WalReplay{};
    Replay(log, &r);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().Is(Code::kCorruption));
}

TEST_CASE("damage after the last sync mark is a torn tail", "[storage]") {
    std::string synced = WriteLog(3, true);
    std::string log = synced + WriteLog(2, false);  // Two unsynced batches after the marks.
    log[synced.size() + 12] = static_cast<char>(log[synced.size() + 12] ^ 0x01);
    Result<WalReplay> r = WalReplay{};
    auto keys = Replay(log, &r);
    REQUIRE(r.ok());
    CHECK(keys.size() == 3);
    CHECK(r.value().torn_tail);
}

}  // namespace
}  // namespace orrery::storage::lsm
