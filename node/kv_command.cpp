// KV command and cached-reply codecs. See kv_command.h for the byte layout.
#include "node/kv_command.h"

#include <fmt/format.h>

#include "core/checksum.h"
#include "core/coding.h"

namespace orrery::node {
namespace {

constexpr uint8_t kCommandVersion = 1;
constexpr size_t kCrcBytes = 4;

}  // namespace

std::string_view CommandOpName(CommandOp op) {
    switch (op) {
        case CommandOp::kPut: return "put";
        case CommandOp::kDelete: return "delete";
        case CommandOp::kCas: return "cas";
        case CommandOp::kTxn: return "txn";
        case CommandOp::kTxnAutocommit: return "txn-autocommit";
        case CommandOp::kTxnGc: return "txn-gc";
    }
    return "?";
}

std::string_view ReplyCodeName(ReplyCode code) {
    switch (code) {
        case ReplyCode::kOk: return "ok";
        case ReplyCode::kNotFound: return "not-found";
        case ReplyCode::kCasFailed: return "cas-failed";
        case ReplyCode::kNotLeader: return "not-leader";
        case ReplyCode::kError: return "error";
        case ReplyCode::kAborted: return "aborted";
    }
    return "?";
}

std::string EncodeCommand(const Command& command) {
    ORRERY_ASSERT(command.client_id != 0 && command.seq != 0, "command without a session");
    ORRERY_ASSERT(!command.key.empty(), "command without a key");
    std::string out;
    out.push_back(static_cast<char>(kCommandVersion));
    out.push_back(static_cast<char>(command.op));
    PutVarint64(&out, command.client_id);
    PutVarint64(&out, command.seq);
    PutLengthPrefixed(&out, command.key);
    PutLengthPrefixed(&out, command.value);
    PutLengthPrefixed(&out, command.expected);
    PutFixed32(&out, MaskCrc(Crc32c(out)));
    return out;
}

Result<Command> DecodeCommand(std::string_view bytes) {
    if (bytes.size() < 2 + kCrcBytes) return Status::Corruption("kv command: truncated");
    std::string_view body = bytes.substr(0, bytes.size() - kCrcBytes);
    uint32_t stored = DecodeFixed32(bytes.data() + body.size());
    if (UnmaskCrc(stored) != Crc32c(body)) return Status::Corruption("kv command: bad checksum");
    Decoder d(body);
    uint8_t version = 0;
    uint8_t op = 0;
    Command c;
    std::string_view key, value, expected;
    if (!d.GetU8(&version)) return Status::Corruption("kv command: truncated");
    if (version != kCommandVersion) {
        return Status::NotSupported(fmt::format("kv command: version {}", version));
    }
    if (!d.GetU8(&op) || !d.GetVarint64(&c.client_id) || !d.GetVarint64(&c.seq) ||
        !d.GetLengthPrefixed(&key) || !d.GetLengthPrefixed(&value) ||
        !d.GetLengthPrefixed(&expected) || !d.empty()) {
        return Status::Corruption("kv command: malformed");
    }
    if (op < 1 || op > 6) return Status::Corruption(fmt::format("kv command: op {}", op));
    if (c.client_id == 0 || c.seq == 0 || key.empty()) {
        return Status::Corruption("kv command: missing session or key");
    }
    c.op = static_cast<CommandOp>(op);
    c.key = key;
    c.value = value;
    c.expected = expected;
    return c;
}

std::string EncodeCommandReply(const CommandReply& reply) {
    std::string out;
    out.push_back(static_cast<char>(reply.code));
    PutLengthPrefixed(&out, reply.value);
    return out;
}

Result<CommandReply> DecodeCommandReply(std::string_view bytes) {
    Decoder d(bytes);
    uint8_t code = 0;
    std::string_view value;
    if (!d.GetU8(&code) || !d.GetLengthPrefixed(&value) || !d.empty() ||
        code > static_cast<uint8_t>(ReplyCode::kAborted)) {
        return Status::Corruption("kv reply: malformed");
    }
    return CommandReply{static_cast<ReplyCode>(code), std::string(value)};
}

std::string DescribeCommand(const Command& command) {
    std::string text = fmt::format("c{}#{} {} {}", command.client_id, command.seq,
                                   CommandOpName(command.op), command.key);
    if (command.op == CommandOp::kPut) text += fmt::format("={}", command.value);
    if (command.op == CommandOp::kCas) {
        text += fmt::format(" {}->{}", command.expected, command.value);
    }
    return text;
}

}  // namespace orrery::node
