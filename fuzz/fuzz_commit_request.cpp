// Fuzz target: MVCC commit requests and transaction records (mvcc/commit_request.h,
// mvcc/txn_record.h): the payload of every replicated transaction and the SSI state every
// replica reads back. Neither carries its own checksum (the Raft log and the engine do), so
// the decoder's structural checks are all that stands between a bad entry and a replica.
#include "fuzz/fuzz_util.h"
#include "mvcc/commit_request.h"
#include "mvcc/txn_record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace orrery;
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    auto request = mvcc::DecodeCommitRequest(bytes);
    if (request.ok()) {
        FUZZ_CHECK(mvcc::ValidateCommitRequest(request.value()).ok());
        std::string once = mvcc::EncodeCommitRequest(request.value());
        auto again = mvcc::DecodeCommitRequest(once);
        FUZZ_CHECK(again.ok());
        FUZZ_CHECK(again.value() == request.value());
    }
    auto record = mvcc::DecodeTxnRecord(7, bytes);
    if (record.ok()) {
        auto again = mvcc::DecodeTxnRecord(7, mvcc::EncodeTxnRecord(record.value()));
        FUZZ_CHECK(again.ok());
        FUZZ_CHECK(mvcc::EncodeTxnRecord(again.value()) == mvcc::EncodeTxnRecord(record.value()));
    }
    return 0;
}
