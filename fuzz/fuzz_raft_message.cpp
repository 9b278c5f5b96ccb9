// Fuzz target: the Raft peer message codec (raft/message.h), which decodes whatever a peer
// connection or the simulated network (with bit flips) delivers. Property: encode(decode(x))
// decodes again, and re-encoding that is a fixed point.
#include "fuzz/fuzz_util.h"
#include "raft/message.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace orrery;
    fuzz::Input in = fuzz::Split(data, size);
    std::string bytes = in.fix_checksum ? fuzz::SealHeader(in.bytes) : std::string(in.bytes);
    auto decoded = raft::DecodeMessage(bytes);
    if (!decoded.ok()) return 0;
    std::string once = raft::EncodeMessage(decoded.value());
    auto again = raft::DecodeMessage(once);
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(raft::EncodeMessage(again.value()) == once);
    raft::DescribeDecoded(decoded.value()).size();
    return 0;
}
