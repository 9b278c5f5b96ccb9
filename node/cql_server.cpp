// CqlConnection (cql_server.h): frames in, one backend call at a time, frames out.
#include "node/cql_server.h"

#include <fmt/format.h>

#include <algorithm>
#include "core/assert.h"

namespace orrery::node::cql {

namespace {

// FNV-1a, 64 bits, from a chosen offset basis: two bases give the two halves of a prepared id.
uint64_t Fnv1a(std::string_view bytes, uint64_t basis) {
    uint64_t h = basis;
    for (char c : bytes) {
        h ^= static_cast<uint8_t>(c);
        h *= 0x100000001b3ULL;
    }
    return h;
}

// The statement's identity: keyspace and query, separated by a byte neither can hold.
std::string StatementKey(std::string_view keyspace, std::string_view query) {
    std::string key(keyspace);
    key.push_back('\0');
    key.append(query);
    return key;
}

void AppendBigEndian(std::string* out, uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

uint64_t ReadBigEndian(std::string_view b) {
    uint64_t v = 0;
    for (size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(b[i]);
    return v;
}

std::string Hex(std::string_view bytes) {
    std::string out;
    for (char c : bytes) out += fmt::format("{:02x}", static_cast<uint8_t>(c));
    return out;
}

constexpr uint64_t kBasisA = 0xcbf29ce484222325ULL;  // FNV's own offset basis.
constexpr uint64_t kBasisB = 0x84222325cbf29ce4ULL;  // Its halves swapped: an independent one.
constexpr std::string_view kProtocolVersionMessage =
    "Invalid or unsupported protocol version ({}); the lowest supported version is 4 and the "
    "greatest is 4";

}  // namespace

std::string PreparedId(std::string_view keyspace, std::string_view query) {
    std::string key = StatementKey(keyspace, query);
    std::string id;
    AppendBigEndian(&id, Fnv1a(key, kBasisA));
    AppendBigEndian(&id, Fnv1a(key, kBasisB));
    ORRERY_ASSERT(id.size() == 16);
    return id;
}

std::string EncodePagingState(uint64_t offset, std::string_view keyspace, std::string_view query) {
    std::string state;
    AppendBigEndian(&state, offset);
    AppendBigEndian(&state, Fnv1a(StatementKey(keyspace, query), kBasisA));
    return state;
}

bool DecodePagingState(std::string_view state, std::string_view keyspace, std::string_view query,
                       uint64_t* offset) {
    if (state.size() != 16) return false;
    if (ReadBigEndian(state.substr(8)) != Fnv1a(StatementKey(keyspace, query), kBasisA)) {
        return false;
    }
    *offset = ReadBigEndian(state.substr(0, 8));
    return true;
}

const PreparedCache::Entry* PreparedCache::Find(const std::string& id) const {
    auto it = entries_.find(id);
    return it == entries_.end() ? nullptr : &it->second;
}

void PreparedCache::Put(const std::string& id, Entry entry) {
    auto [it, inserted] = entries_.insert_or_assign(id, std::move(entry));
    if (inserted) order_.push_back(id);
    while (entries_.size() > kEntriesMax) {
        entries_.erase(order_.front());
        order_.pop_front();
    }
    ORRERY_ASSERT(entries_.size() == order_.size());
}

CqlConnection::CqlConnection(Backend& backend, CqlConnectionOptions options,
                             std::function<void(std::string_view)> write,
                             std::function<void()> close)
    : backend_(backend),
      options_(std::move(options)),
      write_(std::move(write)),
      close_(std::move(close)) {}

void CqlConnection::Refuse(std::string message) { refused_ = std::move(message); }

void CqlConnection::OnBytes(std::string_view bytes) {
    if (closed_) return;
    input_.append(bytes);
    // Cut every whole frame now: OPTIONS is answered at once, the rest wait their turn. What
    // stays in input_ is at most one incomplete frame (bounded by kFrameBodyMax).
    size_t consumed = 0;
    while (!closed_) {
        FrameCut cut = CutFrame(std::string_view(input_).substr(consumed));
        if (cut.kind == FrameCut::Kind::kIncomplete) break;
        if (cut.kind == FrameCut::Kind::kBadVersion) {
            return Fatal(cut.header.stream,
                         fmt::format(kProtocolVersionMessage, cut.header.version & 0x7F));
        }
        if (cut.kind == FrameCut::Kind::kTooLarge) {
            return Fatal(cut.header.stream,
                         fmt::format("frame body of {} bytes is over the limit of {}",
                                     cut.header.length, kFrameBodyMax));
        }
        consumed += cut.consumed;
        Accept(cut);
    }
    if (!closed_) input_.erase(0, consumed);
    Pump();
}

void CqlConnection::Accept(const FrameCut& cut) {
    const FrameHeader& h = cut.header;
    if (refused_) {
        SendError(h.stream, error_code::kOverloaded, *refused_);
        closed_ = true;
        if (close_) close_();
        return;
    }
    if (h.version & kResponseBit) return Fatal(h.stream, "a response frame sent to the server");
    if (h.flags & kFlagCompression) {
        return Fatal(h.stream, "a compressed frame, but no compression was negotiated");
    }
    if (static_cast<Opcode>(h.opcode) == Opcode::kOptions) return SendSupported(h.stream);
    if (queue_.size() >= kQueuedFramesMax || queued_bytes_ + h.length > kQueuedBytesMax) {
        return SendError(h.stream, error_code::kOverloaded,
                         fmt::format("too many requests in flight on this connection ({})",
                                     queue_.size()));
    }
    queued_bytes_ += h.length;
    queue_.push_back(Pending{h, std::string(cut.body)});
}

void CqlConnection::Pump() {
    if (pumping_) return;
    pumping_ = true;
    while (!closed_ && !waiting_ && !queue_.empty()) {
        Pending frame = std::move(queue_.front());
        queue_.pop_front();
        ORRERY_ASSERT(queued_bytes_ >= frame.header.length);
        queued_bytes_ -= frame.header.length;
        Handle(frame);
    }
    pumping_ = false;
}

void CqlConnection::Handle(Pending& frame) {
    const int16_t stream = frame.header.stream;
    const uint8_t op = frame.header.opcode;
    std::string_view body = frame.body;
    if (frame.header.flags & kFlagCustomPayload) {
        // A custom payload (v4 §2.2) precedes the body; nothing here reads it.
        Reader r(body);
        std::map<std::string, Cell> payload;
        if (!r.BytesMap(&payload)) return Fatal(stream, "malformed custom payload: " + r.error());
        body = body.substr(body.size() - r.remaining());
    }
    auto opcode = static_cast<Opcode>(op);
    if (!started_ && opcode != Opcode::kStartup) {
        if (opcode == Opcode::kQuery || opcode == Opcode::kPrepare ||
            opcode == Opcode::kExecute || opcode == Opcode::kBatch ||
            opcode == Opcode::kRegister) {
            return SendError(stream, error_code::kProtocol,
                             fmt::format("Unexpected message {}, expecting STARTUP or OPTIONS",
                                         OpcodeName(op)));
        }
    }
    switch (opcode) {
        case Opcode::kStartup: return HandleStartup(stream, body);
        case Opcode::kRegister: {
            std::vector<std::string> events;
            std::string error;
            if (!DecodeRegister(body, &events, &error)) return Fatal(stream, "REGISTER: " + error);
            return Send(stream, Opcode::kReady, "");
        }
        case Opcode::kQuery: return HandleQuery(stream, body);
        case Opcode::kPrepare: return HandlePrepare(stream, body);
        case Opcode::kExecute: return HandleExecute(stream, body);
        case Opcode::kBatch: return HandleBatch(stream, body);
        case Opcode::kAuthResponse:
            return SendError(stream, error_code::kProtocol,
                             "AUTH_RESPONSE without AUTHENTICATE: no authentication is required");
        default:
            return Fatal(stream, fmt::format("{} is not a request", OpcodeName(op)));
    }
}

void CqlConnection::HandleStartup(int16_t stream, std::string_view body) {
    std::map<std::string, std::string> options;
    std::string error;
    if (!DecodeStartup(body, &options, &error)) return Fatal(stream, "STARTUP: " + error);
    if (started_) {
        return SendError(stream, error_code::kProtocol,
                         "Unexpected message STARTUP, the connection is already initialized");
    }
    auto version = options.find("CQL_VERSION");
    if (version == options.end()) {
        return SendError(stream, error_code::kProtocol, "CQL_VERSION is mandatory");
    }
    if (version->second.rfind("3.", 0) != 0) {
        return SendError(stream, error_code::kProtocol,
                         fmt::format("unsupported CQL_VERSION {}: 3.4.4 is served",
                                     version->second));
    }
    auto compression = options.find("COMPRESSION");
    if (compression != options.end() && !compression->second.empty()) {
        return SendError(stream, error_code::kProtocol,
                         fmt::format("Unknown compression algorithm: {} (none is supported)",
                                     compression->second));
    }
    started_ = true;
    Send(stream, Opcode::kReady, "");
}

void CqlConnection::HandleQuery(int16_t stream, std::string_view body) {
    QueryMessage message;
    std::string error;
    if (!DecodeQuery(body, &message, &error)) return Fatal(stream, "QUERY: " + error);
    Request request{keyspace_, std::move(message.query), std::move(message.options.params)};
    Paging paging{message.options.page_size, std::move(message.options.paging_state),
                  message.options.skip_metadata};
    RunStatement(stream, std::move(request), std::move(paging));
}

void CqlConnection::HandlePrepare(int16_t stream, std::string_view body) {
    std::string query;
    std::string error;
    if (!DecodePrepare(body, &query, &error)) return Fatal(stream, "PREPARE: " + error);
    waiting_ = true;
    std::string keyspace = keyspace_;
    backend_.Prepare(keyspace, query, [this, stream, keyspace, query](PrepareOutcome outcome) {
        waiting_ = false;
        if (closed_) return;
        if (outcome.error) {
            SendError(stream, *outcome.error);
        } else if (!outcome.prepared) {
            SendError(stream, error_code::kServer, "the backend answered PREPARE with nothing");
        } else {
            std::string id = PreparedId(keyspace, query);
            PreparedCache::Entry entry{keyspace, query, *outcome.prepared};
            if (options_.shared_prepared) options_.shared_prepared->Put(id, entry);
            prepared_.Put(id, std::move(entry));
            Send(stream, Opcode::kResult, EncodePrepared(id, *outcome.prepared));
        }
        Pump();
    });
}

const PreparedCache::Entry* CqlConnection::FindPrepared(const std::string& id) const {
    if (const auto* entry = prepared_.Find(id)) return entry;
    return options_.shared_prepared ? options_.shared_prepared->Find(id) : nullptr;
}

void CqlConnection::HandleExecute(int16_t stream, std::string_view body) {
    ExecuteMessage message;
    std::string error;
    if (!DecodeExecute(body, &message, &error)) return Fatal(stream, "EXECUTE: " + error);
    const PreparedCache::Entry* entry = FindPrepared(message.id);
    if (entry == nullptr) {
        Error e;
        e.code = error_code::kUnprepared;
        e.message = "Prepared query with ID " + Hex(message.id) +
                    " not found (either the query was not prepared on this host (maybe the "
                    "host has been restarted?) or you have prepared too many queries and it "
                    "has been evicted from the internal cache)";
        e.unprepared_id = message.id;
        return SendError(stream, e);
    }
    // The statement runs in the keyspace it was prepared in (its names were resolved there).
    Request request{entry->keyspace.empty() ? keyspace_ : entry->keyspace, entry->query,
                    std::move(message.options.params)};
    Paging paging{message.options.page_size, std::move(message.options.paging_state),
                  message.options.skip_metadata};
    RunStatement(stream, std::move(request), std::move(paging));
}

void CqlConnection::HandleBatch(int16_t stream, std::string_view body) {
    BatchMessage message;
    std::string error;
    if (!DecodeBatch(body, &message, &error)) return Fatal(stream, "BATCH: " + error);
    BatchRequest request;
    request.keyspace = keyspace_;
    request.type = message.type;
    request.consistency = message.consistency;
    request.serial = message.serial;
    request.timestamp = message.timestamp;
    for (auto& item : message.items) {
        std::string query = std::move(item.text);
        if (item.prepared) {
            const PreparedCache::Entry* entry = FindPrepared(query);
            if (entry == nullptr) {
                Error e;
                e.code = error_code::kUnprepared;
                e.message = "a prepared statement of the batch is not known here";
                e.unprepared_id = query;
                return SendError(stream, e);
            }
            query = entry->query;
        }
        request.statements.push_back(BatchStatement{std::move(query), std::move(item.values)});
    }
    waiting_ = true;
    Request shape{keyspace_, "", {}};  // For SendOutcome: a batch answers Void (or rows of CAS).
    backend_.Batch(std::move(request), [this, stream, shape](Outcome outcome) {
        waiting_ = false;
        if (closed_) return;
        SendOutcome(stream, shape, Paging{}, outcome);
        Pump();
    });
}

void CqlConnection::RunStatement(int16_t stream, Request request, Paging paging) {
    if (paging.state) {
        uint64_t offset = 0;
        if (!DecodePagingState(*paging.state, request.keyspace, request.query, &offset)) {
            return SendError(stream, error_code::kProtocol,
                             "Invalid value for the paging state: not one of this statement");
        }
    }
    waiting_ = true;
    Request copy = request;
    backend_.Execute(std::move(copy), [this, stream, request = std::move(request),
                                       paging = std::move(paging)](Outcome outcome) {
        waiting_ = false;
        if (closed_) return;
        SendOutcome(stream, request, paging, outcome);
        Pump();
    });
}

void CqlConnection::SendOutcome(int16_t stream, const Request& request, const Paging& paging,
                                const Outcome& outcome) {
    if (outcome.error) return SendError(stream, *outcome.error);
    if (!outcome.result) {
        return SendError(stream, error_code::kServer, "the backend answered with nothing");
    }
    const Result& result = *outcome.result;
    if (result.kind == Result::Kind::kSetKeyspace) keyspace_ = result.keyspace;
    size_t first = 0;
    size_t count = result.rows.size();
    std::optional<std::string> next_state;
    if (result.kind == Result::Kind::kRows && paging.page_size && *paging.page_size > 0) {
        uint64_t offset = 0;
        if (paging.state) {
            bool ok = DecodePagingState(*paging.state, request.keyspace, request.query, &offset);
            ORRERY_ASSERT(ok);  // Checked before the statement ran.
        }
        first = static_cast<size_t>(std::min<uint64_t>(offset, result.rows.size()));
        count = std::min(result.rows.size() - first, static_cast<size_t>(*paging.page_size));
        if (first + count < result.rows.size()) {
            next_state = EncodePagingState(first + count, request.keyspace, request.query);
        }
    }
    std::string body = EncodeResult(result, first, count, next_state, paging.skip_metadata);
    if (body.size() > kResponseBodyMax) {
        return SendError(stream, error_code::kServer,
                         fmt::format("the result is {} bytes, over the limit of {}: page it "
                                     "(fetch_size)", body.size(), kResponseBodyMax));
    }
    Send(stream, Opcode::kResult, body);
}

void CqlConnection::SendSupported(int16_t stream) {
    Send(stream, Opcode::kSupported,
         EncodeSupported({{"CQL_VERSION", {"3.4.4"}},
                          {"COMPRESSION", {}},
                          {"PROTOCOL_VERSIONS", {"4/v4"}}}));
}

void CqlConnection::SendError(int16_t stream, const Error& error) {
    Send(stream, Opcode::kError, EncodeError(error));
}

void CqlConnection::SendError(int16_t stream, int32_t code, std::string message) {
    Error e;
    e.code = code;
    e.message = std::move(message);
    SendError(stream, e);
}

void CqlConnection::Fatal(int16_t stream, std::string message) {
    if (closed_) return;
    SendError(stream, error_code::kProtocol, std::move(message));
    closed_ = true;
    queue_.clear();
    queued_bytes_ = 0;
    input_.clear();
    if (close_) close_();
}

void CqlConnection::Send(int16_t stream, Opcode opcode, std::string_view body) {
    if (closed_) return;
    std::string frame = EncodeFrame(stream, opcode, body);
    if (write_) write_(frame);
}

}  // namespace orrery::node::cql
