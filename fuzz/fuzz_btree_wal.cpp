// Fuzz target: the B+-tree's redo-log batch records (storage/btree/wal.h), replayed at every
// recovery. Property: a record that decodes re-encodes to one that decodes the same batch.
#include "fuzz/fuzz_util.h"
#include "storage/btree/wal.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace orrery;
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    uint64_t seq = 0;
    storage::WriteBatch batch;
    if (!storage::btree::DecodeBatchRecord(bytes, &seq, &batch).ok()) return 0;
    std::string once = storage::btree::EncodeBatchRecord(seq, batch);
    uint64_t seq2 = 0;
    storage::WriteBatch batch2;
    FUZZ_CHECK(storage::btree::DecodeBatchRecord(once, &seq2, &batch2).ok());
    FUZZ_CHECK(seq2 == seq);
    FUZZ_CHECK(batch2.size() == batch.size());
    FUZZ_CHECK(storage::btree::EncodeBatchRecord(seq2, batch2) == once);
    return 0;
}
