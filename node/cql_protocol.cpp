// The CQL native protocol v4 codec: frames and primitives (v4 §3). Request bodies are in
// cql_request.cpp, result and error bodies in cql_result.cpp.
#include "node/cql_protocol.h"

#include <fmt/format.h>

#include "core/assert.h"
#include <cstring>

namespace orrery::node::cql {

std::string OpcodeName(uint8_t opcode) {
    switch (static_cast<Opcode>(opcode)) {
        case Opcode::kError: return "ERROR";
        case Opcode::kStartup: return "STARTUP";
        case Opcode::kReady: return "READY";
        case Opcode::kAuthenticate: return "AUTHENTICATE";
        case Opcode::kOptions: return "OPTIONS";
        case Opcode::kSupported: return "SUPPORTED";
        case Opcode::kQuery: return "QUERY";
        case Opcode::kResult: return "RESULT";
        case Opcode::kPrepare: return "PREPARE";
        case Opcode::kExecute: return "EXECUTE";
        case Opcode::kRegister: return "REGISTER";
        case Opcode::kEvent: return "EVENT";
        case Opcode::kBatch: return "BATCH";
        case Opcode::kAuthChallenge: return "AUTH_CHALLENGE";
        case Opcode::kAuthResponse: return "AUTH_RESPONSE";
        case Opcode::kAuthSuccess: return "AUTH_SUCCESS";
    }
    return fmt::format("0x{:02X}", opcode);
}

FrameCut CutFrame(std::string_view input) {
    FrameCut cut;
    if (input.empty()) return cut;
    auto byte = [&](size_t i) { return static_cast<uint8_t>(input[i]); };
    cut.header.version = byte(0);
    uint8_t version = cut.header.version & 0x7F;
    if (version != kVersion) {
        // v3+ framing has the same 9-byte header; v1/v2 had a one-byte stream. Either way the
        // answer is a protocol error, sent as soon as the header's stream can be read.
        bool v3_layout = version >= 3;
        size_t need = v3_layout ? 4 : 3;
        if (input.size() < need) return cut;
        cut.header.stream = v3_layout ? static_cast<int16_t>((byte(2) << 8) | byte(3))
                                      : static_cast<int16_t>(static_cast<int8_t>(byte(2)));
        cut.kind = FrameCut::Kind::kBadVersion;
        return cut;
    }
    if (input.size() < kHeaderSize) return cut;
    cut.header.flags = byte(1);
    cut.header.stream = static_cast<int16_t>((byte(2) << 8) | byte(3));
    cut.header.opcode = byte(4);
    cut.header.length = (uint32_t{byte(5)} << 24) | (uint32_t{byte(6)} << 16) |
                        (uint32_t{byte(7)} << 8) | uint32_t{byte(8)};
    if (cut.header.length > kFrameBodyMax) {
        cut.kind = FrameCut::Kind::kTooLarge;
        return cut;
    }
    if (input.size() - kHeaderSize < cut.header.length) return cut;
    cut.kind = FrameCut::Kind::kFrame;
    cut.body = input.substr(kHeaderSize, cut.header.length);
    cut.consumed = kHeaderSize + cut.header.length;
    return cut;
}

std::string EncodeFrame(int16_t stream, Opcode opcode, std::string_view body) {
    ORRERY_ASSERT(body.size() <= 0x7FFFFFFF);
    Writer w;
    w.Byte(kVersion | kResponseBit);
    w.Byte(0);
    w.Short(static_cast<uint16_t>(stream));
    w.Byte(static_cast<uint8_t>(opcode));
    w.Int(static_cast<int32_t>(body.size()));
    std::string frame = w.Take();
    frame.append(body);
    return frame;
}

// ---- Reader ------------------------------------------------------------------------------

bool Reader::Fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return false;
}

bool Reader::Take(size_t n, std::string_view* out) {
    if (!ok()) return false;
    if (n > remaining()) {
        return Fail(fmt::format("truncated body: {} bytes needed at offset {}, {} left", n, pos_,
                                remaining()));
    }
    *out = data_.substr(pos_, n);
    pos_ += n;
    return true;
}

bool Reader::Byte(uint8_t* out) {
    std::string_view b;
    if (!Take(1, &b)) return false;
    *out = static_cast<uint8_t>(b[0]);
    return true;
}

bool Reader::Short(uint16_t* out) {
    std::string_view b;
    if (!Take(2, &b)) return false;
    *out = static_cast<uint16_t>((static_cast<uint8_t>(b[0]) << 8) | static_cast<uint8_t>(b[1]));
    return true;
}

bool Reader::Int(int32_t* out) {
    std::string_view b;
    if (!Take(4, &b)) return false;
    uint32_t v = 0;
    for (char c : b) v = (v << 8) | static_cast<uint8_t>(c);
    *out = static_cast<int32_t>(v);
    return true;
}

bool Reader::Long(int64_t* out) {
    std::string_view b;
    if (!Take(8, &b)) return false;
    uint64_t v = 0;
    for (char c : b) v = (v << 8) | static_cast<uint8_t>(c);
    *out = static_cast<int64_t>(v);
    return true;
}

bool Reader::String(std::string* out) {
    uint16_t n = 0;
    std::string_view b;
    if (!Short(&n) || !Take(n, &b)) return false;
    out->assign(b);
    return true;
}

bool Reader::LongString(std::string* out) {
    int32_t n = 0;
    if (!Int(&n)) return false;
    if (n < 0) return Fail(fmt::format("negative [long string] length {}", n));
    std::string_view b;
    if (!Take(static_cast<size_t>(n), &b)) return false;
    out->assign(b);
    return true;
}

bool Reader::Bytes(Cell* out, bool* unset) {
    int32_t n = 0;
    if (!Int(&n)) return false;
    if (unset != nullptr) *unset = false;
    if (n == -2 && unset != nullptr) {
        *unset = true;
        out->reset();
        return true;
    }
    if (n == -1) {
        out->reset();
        return true;
    }
    if (n < 0) return Fail(fmt::format("invalid [bytes] length {}", n));
    std::string_view b;
    if (!Take(static_cast<size_t>(n), &b)) return false;
    out->emplace(b);
    return true;
}

bool Reader::ShortBytes(std::string* out) { return String(out); }

bool Reader::StringList(std::vector<std::string>* out) {
    uint16_t n = 0;
    if (!Short(&n)) return false;
    // Each [string] takes at least 2 bytes: a count the body cannot hold is refused before
    // anything is reserved.
    if (size_t{n} * 2 > remaining()) return Fail(fmt::format("[string list] of {} overruns", n));
    out->clear();
    out->reserve(n);
    for (uint16_t i = 0; i < n; ++i) {
        std::string s;
        if (!String(&s)) return false;
        out->push_back(std::move(s));
    }
    return true;
}

bool Reader::StringMap(std::map<std::string, std::string>* out) {
    uint16_t n = 0;
    if (!Short(&n)) return false;
    if (size_t{n} * 4 > remaining()) return Fail(fmt::format("[string map] of {} overruns", n));
    out->clear();
    for (uint16_t i = 0; i < n; ++i) {
        std::string k, v;
        if (!String(&k) || !String(&v)) return false;
        (*out)[std::move(k)] = std::move(v);
    }
    return true;
}

bool Reader::StringMultimap(std::map<std::string, std::vector<std::string>>* out) {
    uint16_t n = 0;
    if (!Short(&n)) return false;
    if (size_t{n} * 4 > remaining()) {
        return Fail(fmt::format("[string multimap] of {} overruns", n));
    }
    out->clear();
    for (uint16_t i = 0; i < n; ++i) {
        std::string k;
        std::vector<std::string> v;
        if (!String(&k) || !StringList(&v)) return false;
        (*out)[std::move(k)] = std::move(v);
    }
    return true;
}

bool Reader::BytesMap(std::map<std::string, Cell>* out) {
    uint16_t n = 0;
    if (!Short(&n)) return false;
    if (size_t{n} * 6 > remaining()) return Fail(fmt::format("[bytes map] of {} overruns", n));
    out->clear();
    for (uint16_t i = 0; i < n; ++i) {
        std::string k;
        Cell v;
        if (!String(&k) || !Bytes(&v)) return false;
        (*out)[std::move(k)] = std::move(v);
    }
    return true;
}

bool Reader::ReadConsistency(Consistency* out) {
    uint16_t v = 0;
    if (!Short(&v)) return false;
    if (v > static_cast<uint16_t>(Consistency::kLocalOne)) {
        return Fail(fmt::format("unknown consistency 0x{:04X}", v));
    }
    *out = static_cast<Consistency>(v);
    return true;
}

namespace {

bool KnownNativeType(uint16_t id) {
    return (id >= 0x0001 && id <= 0x0009) || (id >= 0x000B && id <= 0x0014);
}

}  // namespace

bool Reader::ReadType(Type* out) {
    // An [option] is written in pre-order (the type id, then its parameters' options), so it
    // is read with an explicit stack of the slots still to fill, not by recursion.
    *out = Type{};
    std::vector<Type*> pending{out};
    size_t nodes = 0;
    while (!pending.empty()) {
        if (++nodes > kTypeNodesMax) return Fail("type nests too deeply");
        Type* slot = pending.back();
        pending.pop_back();
        uint16_t id = 0;
        if (!Short(&id)) return false;
        slot->id = static_cast<TypeId>(id);
        auto type_id = static_cast<TypeId>(id);
        if (type_id == TypeId::kList || type_id == TypeId::kSet) {
            slot->params.resize(1);
            pending.push_back(&slot->params[0]);
        } else if (type_id == TypeId::kMap) {
            slot->params.resize(2);
            pending.push_back(&slot->params[1]);  // Popped second: the value after the key.
            pending.push_back(&slot->params[0]);
        } else if (type_id == TypeId::kCustom) {
            std::string class_name;
            if (!String(&class_name)) return false;  // Kept by no field: read past.
        } else if (!KnownNativeType(id)) {
            return Fail(fmt::format("unsupported type option 0x{:04X}", id));
        }
    }
    return true;
}

// ---- Writer ------------------------------------------------------------------------------

void Writer::Short(uint16_t v) {
    out_.push_back(static_cast<char>(v >> 8));
    out_.push_back(static_cast<char>(v & 0xFF));
}

void Writer::Int(int32_t v) {
    uint32_t u = static_cast<uint32_t>(v);
    for (int shift = 24; shift >= 0; shift -= 8) out_.push_back(static_cast<char>(u >> shift));
}

void Writer::Long(int64_t v) {
    uint64_t u = static_cast<uint64_t>(v);
    for (int shift = 56; shift >= 0; shift -= 8) out_.push_back(static_cast<char>(u >> shift));
}

void Writer::String(std::string_view s) {
    // A [string] holds at most 65535 bytes: longer text (only an error message can be; CQL
    // names are at most 48 characters) is cut rather than written as a frame no client parses.
    if (s.size() > 0xFFFF) s = s.substr(0, 0xFFFF);
    Short(static_cast<uint16_t>(s.size()));
    out_.append(s);
}

void Writer::LongString(std::string_view s) {
    ORRERY_ASSERT(s.size() <= 0x7FFFFFFF);
    Int(static_cast<int32_t>(s.size()));
    out_.append(s);
}

void Writer::Bytes(const Cell& cell) {
    if (!cell) return Int(-1);
    ORRERY_ASSERT(cell->size() <= 0x7FFFFFFF);
    Int(static_cast<int32_t>(cell->size()));
    out_.append(*cell);
}

void Writer::ShortBytes(std::string_view s) { String(s); }

void Writer::StringList(const std::vector<std::string>& list) {
    ORRERY_ASSERT(list.size() <= 0xFFFF);
    Short(static_cast<uint16_t>(list.size()));
    for (const auto& s : list) String(s);
}

void Writer::StringMap(const std::map<std::string, std::string>& map) {
    ORRERY_ASSERT(map.size() <= 0xFFFF);
    Short(static_cast<uint16_t>(map.size()));
    for (const auto& [k, v] : map) {
        String(k);
        String(v);
    }
}

void Writer::StringMultimap(const std::map<std::string, std::vector<std::string>>& map) {
    ORRERY_ASSERT(map.size() <= 0xFFFF);
    Short(static_cast<uint16_t>(map.size()));
    for (const auto& [k, v] : map) {
        String(k);
        StringList(v);
    }
}

void Writer::WriteType(const Type& type) {
    // Pre-order with an explicit stack (no recursion): the id, then each parameter in order.
    std::vector<const Type*> pending{&type};
    size_t nodes = 0;
    while (!pending.empty()) {
        ORRERY_ASSERT(++nodes <= kTypeNodesMax);
        const Type* t = pending.back();
        pending.pop_back();
        Short(static_cast<uint16_t>(t->id));
        if (t->id == TypeId::kCustom) String("");
        for (auto it = t->params.rbegin(); it != t->params.rend(); ++it) pending.push_back(&*it);
    }
}

}  // namespace orrery::node::cql
