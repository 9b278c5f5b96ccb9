// Fuzz target: the client protocol decoder (node/client_protocol.h), the bytes every client
// connection and every simulated client datagram feeds a node. Property: whatever decodes
// re-encodes to something that decodes to the same message.
#include "fuzz/fuzz_util.h"
#include "node/client_protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace orrery;
    fuzz::Input in = fuzz::Split(data, size);
    std::string bytes = in.fix_checksum ? fuzz::SealTrailer(in.bytes) : std::string(in.bytes);
    auto decoded = node::DecodeClientMessage(bytes);
    if (!decoded.ok()) return 0;
    const node::ClientMessage& m = decoded.value();
    FUZZ_CHECK(m.request.has_value() != m.reply.has_value());
    std::string again = m.request ? node::EncodeRequest(*m.request) : node::EncodeReply(*m.reply);
    auto redecoded = node::DecodeClientMessage(again);
    FUZZ_CHECK(redecoded.ok());
    if (m.request) FUZZ_CHECK(redecoded.value().request == m.request);
    if (m.reply) FUZZ_CHECK(redecoded.value().reply == m.reply);
    node::DescribeDatagram(node::Frame(node::Channel::kClient, bytes)).size();
    return 0;
}
