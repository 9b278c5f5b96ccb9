// Fuzz target: the SQL protocol decoder (node/sql_protocol.h), the bytes every SQL client
// connection feeds a node. Property: whatever decodes re-encodes to the same bytes (the
// encoding is canonical: every field, type tag and float bit pattern survives).
#include "fuzz/fuzz_util.h"
#include "node/client_protocol.h"
#include "node/sql_protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace orrery;
    fuzz::Input in = fuzz::Split(data, size);
    std::string bytes = in.fix_checksum ? fuzz::SealTrailer(in.bytes) : std::string(in.bytes);
    node::DescribeDatagram(node::Frame(node::Channel::kSql, bytes)).size();
    auto decoded = node::DecodeSqlMessage(bytes);
    if (!decoded.ok()) return 0;
    const node::SqlMessage& m = decoded.value();
    FUZZ_CHECK(m.request.has_value() != m.reply.has_value());
    if (m.reply) FUZZ_CHECK(!(m.reply->result && m.reply->error));
    std::string again =
        m.request ? node::EncodeSqlRequest(*m.request) : node::EncodeSqlReply(*m.reply);
    FUZZ_CHECK(again == bytes);
    return 0;
}
