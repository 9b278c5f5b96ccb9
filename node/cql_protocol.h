// The CQL native protocol, version 4, as bytes (the spec: native_protocol_v4.spec, cited "v4 §n").
// Pure functions and two small cursor classes: no sockets, no state machine (cql_server.h is the
// state machine), no knowledge of what a value means (values stay serialized Cells, cql_backend.h).
//
// A frame (v4 §2) is a 9-byte header then a body:
//   version (1: 0x04 request, 0x84 response) | flags (1) | stream (int16) | opcode (1) | length
//   (int32, the body's size).
//
// Hostile input: every length read from the wire is checked against the bytes actually present
// (and the frame against kFrameBodyMax) BEFORE anything is allocated or reserved for it, so a
// count of 2^31 in a 20-byte body costs nothing. A Reader that fails stays failed: every later
// read answers false, so decoders check once at the end of a group of reads. Nothing here can
// crash on any byte string; every failure is a message for a protocol error (0x000A).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "node/cql_backend.h"

namespace orrery::node::cql {

// The largest body accepted. Cassandra's is 256 MiB (native_transport_max_frame_size_in_mb); a
// teaching node holds a whole frame and its decoded copy in memory, so 16 MiB, named here, is
// the bound (a driver's largest ordinary statement is far below it).
inline constexpr uint32_t kFrameBodyMax = 16u << 20;
// The largest RESULT body sent: Cassandra's own frame bound. A bigger one (a SELECT of millions
// of rows without paging) is answered with a server error that asks for paging.
inline constexpr size_t kResponseBodyMax = size_t{256} << 20;
inline constexpr size_t kHeaderSize = 9;
inline constexpr uint8_t kVersion = 0x04;
inline constexpr uint8_t kResponseBit = 0x80;

// Frame flags (v4 §2.2).
inline constexpr uint8_t kFlagCompression = 0x01;
inline constexpr uint8_t kFlagTracing = 0x02;
inline constexpr uint8_t kFlagCustomPayload = 0x04;
inline constexpr uint8_t kFlagWarning = 0x08;

// Opcodes (v4 §2.4).
enum class Opcode : uint8_t {
    kError = 0x00,
    kStartup = 0x01,
    kReady = 0x02,
    kAuthenticate = 0x03,
    kOptions = 0x05,
    kSupported = 0x06,
    kQuery = 0x07,
    kResult = 0x08,
    kPrepare = 0x09,
    kExecute = 0x0A,
    kRegister = 0x0B,
    kEvent = 0x0C,
    kBatch = 0x0D,
    kAuthChallenge = 0x0E,
    kAuthResponse = 0x0F,
    kAuthSuccess = 0x10,
};

// The name of an opcode for messages ("QUERY"), "0x.." for an unknown one.
std::string OpcodeName(uint8_t opcode);

struct FrameHeader {
    uint8_t version = kVersion;  // With the response bit, as read.
    uint8_t flags = 0;
    int16_t stream = 0;
    uint8_t opcode = 0;
    uint32_t length = 0;
};

// What CutFrame found at the front of the input.
struct FrameCut {
    enum class Kind : uint8_t {
        kIncomplete,   // Not a whole frame yet: read more.
        kFrame,        // header + body; `consumed` bytes make the frame.
        kBadVersion,   // The version byte is not 4 (header.version tells which; header.stream
                       // is read as v3+ lays it out, or 0 for v1/v2 framing).
        kTooLarge,     // header.length > kFrameBodyMax (or negative as int32).
    };
    Kind kind = Kind::kIncomplete;
    FrameHeader header;
    std::string_view body;  // Points into the input.
    size_t consumed = 0;
};

// Cuts one frame off the front of `input`. Decides kBadVersion and kTooLarge from the header
// alone, before waiting for the body.
FrameCut CutFrame(std::string_view input);

// A whole response frame: the header (version 0x84, flags 0) then `body`.
std::string EncodeFrame(int16_t stream, Opcode opcode, std::string_view body);

// Reads the primitive types of v4 §3 off a body. Every read checks the bytes present first.
class Reader {
public:
    explicit Reader(std::string_view data) : data_(data) {}

    bool Byte(uint8_t* out);
    bool Short(uint16_t* out);
    bool Int(int32_t* out);
    bool Long(int64_t* out);
    bool String(std::string* out);        // [string]: [short] n, n bytes.
    bool LongString(std::string* out);    // [long string]: [int] n, n bytes.
    // [bytes]: [int] n, n bytes; n < 0 is null (nullopt). *unset is set for n == -2 (v4 §3:
    // "unset" in bound values), else cleared; unset may be null where unset is not allowed, and
    // then -2 is a failure.
    bool Bytes(Cell* out, bool* unset = nullptr);
    bool ShortBytes(std::string* out);    // [short bytes]: [short] n, n bytes.
    bool StringList(std::vector<std::string>* out);
    bool StringMap(std::map<std::string, std::string>* out);
    bool StringMultimap(std::map<std::string, std::vector<std::string>>* out);
    bool BytesMap(std::map<std::string, Cell>* out);  // Custom payloads (v4 §2.2 flag 0x04).
    bool ReadConsistency(Consistency* out);
    // An [option] (v4 §4.2.5.2) of the types Type can hold; nesting bounded by kTypeNodesMax.
    bool ReadType(Type* out);

    bool ok() const { return error_.empty(); }
    bool at_end() const { return pos_ == data_.size(); }
    size_t remaining() const { return data_.size() - pos_; }
    const std::string& error() const { return error_; }
    // Marks the reader failed with this message (the first failure wins).
    bool Fail(std::string message);

private:
    bool Take(size_t n, std::string_view* out);

    std::string_view data_;
    size_t pos_ = 0;
    std::string error_;
};

// The most [option] nodes one type may have (list<map<int, set<text>>> has 5).
inline constexpr size_t kTypeNodesMax = 64;

// Appends the primitive types of v4 §3.
class Writer {
public:
    void Byte(uint8_t v) { out_.push_back(static_cast<char>(v)); }
    void Short(uint16_t v);
    void Int(int32_t v);
    void Long(int64_t v);
    void String(std::string_view s);  // Cut at 65535 bytes, the most a [string] holds.
    void LongString(std::string_view s);
    void Bytes(const Cell& cell);
    void Unset() { Int(-2); }
    void ShortBytes(std::string_view s);
    void StringList(const std::vector<std::string>& list);
    void StringMap(const std::map<std::string, std::string>& map);
    void StringMultimap(const std::map<std::string, std::vector<std::string>>& map);
    void WriteConsistency(Consistency c) { Short(static_cast<uint16_t>(c)); }
    void WriteType(const Type& type);

    const std::string& out() const { return out_; }
    std::string Take() { return std::move(out_); }

private:
    std::string out_;
};

// ---- Requests ----------------------------------------------------------------------------

// QUERY/EXECUTE parameter flags (v4 §4.1.4).
inline constexpr uint8_t kQueryValues = 0x01;
inline constexpr uint8_t kQuerySkipMetadata = 0x02;
inline constexpr uint8_t kQueryPageSize = 0x04;
inline constexpr uint8_t kQueryPagingState = 0x08;
inline constexpr uint8_t kQuerySerialConsistency = 0x10;
inline constexpr uint8_t kQueryDefaultTimestamp = 0x20;
inline constexpr uint8_t kQueryNamesForValues = 0x40;

// The most bound values of one statement, and statements of one BATCH (both are [short] counts
// on the wire, so the protocol's own bound is 65535).
inline constexpr size_t kValuesMax = 65535;

// <query_parameters> of QUERY and EXECUTE, decoded.
struct QueryOptions {
    QueryParams params;
    bool skip_metadata = false;
    std::optional<int32_t> page_size;          // > 0 when sent; <= 0 means "no paging".
    std::optional<std::string> paging_state;
};

struct QueryMessage {
    std::string query;
    QueryOptions options;
};

struct ExecuteMessage {
    std::string id;
    QueryOptions options;
};

struct BatchMessage {
    struct Item {
        bool prepared = false;  // kind 1: `text` is a prepared id; kind 0: the query text.
        std::string text;
        std::vector<Cell> values;
    };
    uint8_t type = 0;
    std::vector<Item> items;
    Consistency consistency = Consistency::kOne;
    std::optional<Consistency> serial;
    std::optional<int64_t> timestamp;
};

// Each decoder reads the whole body (after any custom payload); trailing bytes are a failure.
// On failure returns false with the reason in *error.
bool DecodeStartup(std::string_view body, std::map<std::string, std::string>* options,
                   std::string* error);
bool DecodeRegister(std::string_view body, std::vector<std::string>* events, std::string* error);
bool DecodeQuery(std::string_view body, QueryMessage* out, std::string* error);
bool DecodePrepare(std::string_view body, std::string* query, std::string* error);
bool DecodeExecute(std::string_view body, ExecuteMessage* out, std::string* error);
bool DecodeBatch(std::string_view body, BatchMessage* out, std::string* error);

// Encoders of the requests, for tests and tools (the inverse of the decoders).
std::string EncodeQueryOptions(const QueryOptions& options);
std::string EncodeQuery(const QueryMessage& message);
std::string EncodeExecute(const ExecuteMessage& message);
std::string EncodeBatch(const BatchMessage& message);

// ---- Responses ---------------------------------------------------------------------------

// RESULT kinds (v4 §4.2.5).
inline constexpr int32_t kResultVoid = 0x0001;
inline constexpr int32_t kResultRows = 0x0002;
inline constexpr int32_t kResultSetKeyspace = 0x0003;
inline constexpr int32_t kResultPrepared = 0x0004;
inline constexpr int32_t kResultSchemaChange = 0x0005;

// Rows metadata flags (v4 §4.2.5.2).
inline constexpr int32_t kMetaGlobalTablesSpec = 0x0001;
inline constexpr int32_t kMetaHasMorePages = 0x0002;
inline constexpr int32_t kMetaNoMetadata = 0x0004;

// A RESULT body for one page of `result`: for Rows, rows [first_row, first_row + row_count),
// with has_more_pages and `paging_state` when paging_state is set, and no column specs when
// no_metadata. REQUIRES: the rows range lies inside result.rows; every row has
// columns.size() cells.
std::string EncodeResult(const Result& result, size_t first_row, size_t row_count,
                         const std::optional<std::string>& paging_state, bool no_metadata);
// A Prepared RESULT body (v4 §4.2.5.4).
std::string EncodePrepared(std::string_view id, const Prepared& prepared);
// An ERROR body (v4 §9) with the fields its code carries.
std::string EncodeError(const Error& error);
// SUPPORTED: a [string multimap].
std::string EncodeSupported(const std::map<std::string, std::vector<std::string>>& options);

// Decoders of the responses, for tests (the inverse of the encoders). A Rows result decodes
// into *result (kRows) with *paging_state set iff has_more_pages; Prepared into *id/*prepared.
struct DecodedResult {
    int32_t kind = 0;
    Result result;
    bool no_metadata = false;
    std::optional<std::string> paging_state;
    std::string prepared_id;
    Prepared prepared;
};
bool DecodeResult(std::string_view body, DecodedResult* out, std::string* error);
bool DecodeError(std::string_view body, Error* out, std::string* error);

}  // namespace orrery::node::cql
