// Fuzz target: an LSM SSTable data block (storage/lsm/block.h) as read from disk. Property: if
// the block decodes, every entry it lists is found by Get with the same value and kind, and the
// keys are strictly increasing (the format's invariant; a block that breaks it must be refused),
// and forward decoding one entry at a time (DecodeNext, the table cursor's way) lists the same
// entries.
#include "fuzz/fuzz_util.h"
#include "storage/lsm/block.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace orrery;
    using storage::lsm::Block;
    fuzz::Input in = fuzz::Split(data, size);
    std::string raw = in.fix_checksum ? fuzz::SealTrailer(in.bytes) : std::string(in.bytes);
    auto block = Block::Parse(raw, "fuzz");
    if (!block.ok()) return 0;
    std::vector<storage::lsm::BlockEntry> entries;
    std::string key_bytes;
    if (!block.value()->DecodeAll(&entries, &key_bytes).ok()) return 0;
    for (size_t i = 0; i < entries.size(); ++i) {
        if (i > 0) FUZZ_CHECK(entries[i - 1].key < entries[i].key);
        std::string value;
        auto found = block.value()->Get(entries[i].key, &value);
        FUZZ_CHECK(found.ok());
        if (entries[i].is_delete) {
            FUZZ_CHECK(found.value() == Block::Found::kDeleted);
        } else {
            FUZZ_CHECK(found.value() == Block::Found::kValue);
            FUZZ_CHECK(value == entries[i].value);
        }
    }
    {
        uint32_t offset = 0;
        std::string key;
        std::string_view value;
        bool is_delete = false;
        for (size_t i = 0; i < entries.size(); ++i) {
            FUZZ_CHECK(offset < block.value()->entries_end());
            FUZZ_CHECK(block.value()->DecodeNext(&offset, i == 0, &key, &value, &is_delete).ok());
            FUZZ_CHECK(key == entries[i].key && value == entries[i].value &&
                       is_delete == entries[i].is_delete);
        }
        FUZZ_CHECK(offset == block.value()->entries_end());
    }
    std::string ignored;
    (void)block.value()->Get(in.bytes.substr(0, 8), &ignored);
    return 0;
}
