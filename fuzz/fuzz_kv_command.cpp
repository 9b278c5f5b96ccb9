// Fuzz target: KV commands and cached replies (node/kv_command.h), the bytes of every Raft log
// entry the KV state machine applies and of the session table it restores after a crash.
#include "fuzz/fuzz_util.h"
#include "node/kv_command.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace orrery;
    fuzz::Input in = fuzz::Split(data, size);
    std::string bytes = in.fix_checksum ? fuzz::SealTrailer(in.bytes) : std::string(in.bytes);
    auto command = node::DecodeCommand(bytes);
    if (command.ok() && command.value().client_id != 0 && command.value().seq != 0 &&
        !command.value().key.empty()) {
        auto again = node::DecodeCommand(node::EncodeCommand(command.value()));
        FUZZ_CHECK(again.ok());
        FUZZ_CHECK(again.value() == command.value());
    }
    auto reply = node::DecodeCommandReply(bytes);
    if (reply.ok()) {
        auto again = node::DecodeCommandReply(node::EncodeCommandReply(reply.value()));
        FUZZ_CHECK(again.ok());
        FUZZ_CHECK(again.value() == reply.value());
    }
    return 0;
}
