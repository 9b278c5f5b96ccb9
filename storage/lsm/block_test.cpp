// Unit tests of the LSM's building blocks: data blocks, Bloom filters and the memtable.
#include <catch2/catch.hpp>
#include <optional>
#include <fmt/format.h>

#include "storage/lsm/block.h"
#include "storage/lsm/bloom.h"
#include "storage/lsm/memtable.h"

namespace orrery::storage::lsm {
namespace {

std::string Key(int i) { return fmt::format("key{:05d}", i); }

TEST_CASE("a block finds every key it holds and no other", "[storage]") {
    BlockBuilder b(4);
    for (int i = 0; i < 200; i += 2) b.Add(Key(i), fmt::format("v{}", i), i % 10 == 0);
    auto block = Block::Parse(std::string(b.Finish()), "test");
    REQUIRE(block.ok());
    std::string value;
    for (int i = 0; i < 200; ++i) {
        auto found = block.value()->Get(Key(i), &value);
        REQUIRE(found.ok());
        if (i % 2 == 1) {
            CHECK(found.value() == Block::Found::kAbsent);
        } else if (i % 10 == 0) {
            CHECK(found.value() == Block::Found::kDeleted);
        } else {
            CHECK(found.value() == Block::Found::kValue);
            CHECK(value == fmt::format("v{}", i));
        }
    }
    std::vector<BlockEntry> entries;
    std::string key_bytes;
    REQUIRE(block.value()->DecodeAll(&entries, &key_bytes).ok());
    REQUIRE(entries.size() == 100);
    CHECK(entries[7].key == Key(14));
    CHECK(entries[7].value == "v14");
}

TEST_CASE("a block decodes forward one entry at a time from a seek", "[storage]") {
    BlockBuilder b(4);
    for (int i = 0; i < 200; i += 2) b.Add(Key(i), fmt::format("v{}", i), i % 10 == 0);
    auto block = Block::Parse(std::string(b.Finish()), "test");
    REQUIRE(block.ok());
    const Block& blk = *block.value();
    for (int target = 0; target <= 200; ++target) {
        auto at = blk.SeekOffset(Key(target));
        REQUIRE(at.ok());
        uint32_t offset = at.value();
        std::string key;
        std::string_view value;
        bool is_delete = false;
        bool first = true;
        // Every entry before the seek offset is < the target, so the first at or past it is
        // the smallest even key >= target.
        std::optional<std::string> found;
        while (offset < blk.entries_end()) {
            REQUIRE(blk.DecodeNext(&offset, first, &key, &value, &is_delete).ok());
            first = false;
            if (key >= Key(target)) {
                found = key;
                break;
            }
        }
        if (target >= 199) {
            CHECK_FALSE(found.has_value());
        } else {
            int want = target + target % 2;
            REQUIRE(found.has_value());
            CHECK(*found == Key(want));
            CHECK(value == fmt::format("v{}", want));
            CHECK(is_delete == (want % 10 == 0));
        }
    }
}

TEST_CASE("a block with any flipped bit fails its checksum", "[storage]") {
    BlockBuilder b;
    for (int i = 0; i < 50; ++i) b.Add(Key(i), "value", false);
    std::string raw(b.Finish());
    for (size_t bit = 0; bit < raw.size() * 8; bit += 7) {
        std::string bad = raw;
        bad[bit / 8] = static_cast<char>(bad[bit / 8] ^ (1 << (bit % 8)));
        auto parsed = Block::Parse(bad, "test");
        REQUIRE_FALSE(parsed.ok());
        CHECK(parsed.status().Is(Code::kCorruption));
    }
}

TEST_CASE("a Bloom filter never denies an added key and rarely admits others", "[storage]") {
    BloomBuilder builder(10);
    for (int i = 0; i < 10000; ++i) builder.AddKey(Key(i));
    std::string filter = builder.Finish();
    for (int i = 0; i < 10000; ++i) REQUIRE(BloomMayContain(filter, Key(i)));
    int false_positives = 0;
    for (int i = 10000; i < 20000; ++i) false_positives += BloomMayContain(filter, Key(i)) ? 1 : 0;
    CHECK(false_positives < 200);  // About 1% expected; 2% is a generous bound.
}

TEST_CASE("a memtable iterator sees the versions of its snapshot only", "[storage]") {
    auto mem = std::make_shared<Memtable>();
    mem->Add(1, false, "a", "a1");
    mem->Add(2, false, "b", "b2");
    mem->Add(3, false, "a", "a3");
    mem->Add(4, true, "b", "");
    mem->Add(5, false, "c", "c5");
    auto collect = [&](uint64_t snapshot, bool reverse) {
        ScanOptions opts;
        opts.reverse = reverse;
        std::string out;
        for (auto it = NewMemtableIterator(mem, snapshot, opts); it->Valid(); it->Next()) {
            out += fmt::format("{}={}{} ", it->key(), it->is_delete() ? "-" : "", it->value());
        }
        return out;
    };
    CHECK(collect(2, false) == "a=a1 b=b2 ");
    CHECK(collect(2, true) == "b=b2 a=a1 ");
    CHECK(collect(4, false) == "a=a3 b=- ");
    CHECK(collect(5, true) == "c=c5 b=- a=a3 ");
    CHECK(collect(0, false).empty());
    CHECK(mem->FindVisible("a", 2)->value() == "a1");
    CHECK(mem->FindVisible("c", 4) == nullptr);
}

}  // namespace
}  // namespace orrery::storage::lsm
