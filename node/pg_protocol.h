// The PostgreSQL frontend/backend protocol, version 3.0: framing, and the messages Orrery's
// PostgreSQL front end (pg_server.h) reads and writes. Pure bytes in, bytes out: no sockets, no
// sessions, so every frame is tested byte for byte (pg_protocol_test.cpp).
//
// Framing. Every message but the first of a connection is
//     type (1 byte) | length (int32, big-endian, counts itself and the body) | body
// The first message of a connection has no type byte: length | request code | body, where the
// code says what it is: 196608 (3.0) a StartupMessage, 80877103 an SSLRequest, 80877104 a
// GSSENCRequest (both answered with one byte 'N', after which the client sends its
// StartupMessage), 80877102 a CancelRequest.
//
// Bounds. A length is checked against the maximum of its phase (kMaxPgStartupBytes,
// kMaxPgMessageBytes) and against its minimum (4) before anything is allocated or buffered
// beyond it: a malformed length is an error and the connection ends, never a crash or a large
// allocation. Parsers read a body through a bounds-checked reader, so a count or a string that
// runs past the body is an error too (a count never sizes an allocation before its bytes are
// known to be there).
//
// Values travel in text format only (format code 0). A bound parameter or a result column in
// binary format (code 1) is refused by the front end with 0A000.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "sql/data_type.h"
#include "sql/session.h"
#include "sql/value.h"

namespace orrery::node::pg {

// The first message (startup, SSL or cancel request) is small; libpq's is a few hundred bytes.
inline constexpr size_t kMaxPgStartupBytes = 10000;
// Any later message: a query of up to the SQL protocol's statement bound, with room.
inline constexpr size_t kMaxPgMessageBytes = size_t{16} << 20;

inline constexpr int32_t kProtocol30 = 196608;       // 3 << 16
inline constexpr int32_t kSslRequestCode = 80877103;  // 1234 << 16 | 5679
inline constexpr int32_t kGssEncRequestCode = 80877104;
inline constexpr int32_t kCancelRequestCode = 80877102;

// Type OIDs of pg_type (the RowDescription and ParameterDescription fields).
inline constexpr int32_t kOidBool = 16;
inline constexpr int32_t kOidBytea = 17;
inline constexpr int32_t kOidInt8 = 20;
inline constexpr int32_t kOidInt2 = 21;
inline constexpr int32_t kOidInt4 = 23;
inline constexpr int32_t kOidText = 25;
inline constexpr int32_t kOidFloat4 = 700;
inline constexpr int32_t kOidFloat8 = 701;
inline constexpr int32_t kOidUnknown = 705;
inline constexpr int32_t kOidVarchar = 1043;
inline constexpr int32_t kOidTimestamp = 1114;
inline constexpr int32_t kOidNumeric = 1700;

// One cut frame. `type` is 0 for the first message of a connection (which has none).
struct Frame {
    char type = 0;
    std::string body;
};

// Cuts one frame off the front of `buffer`. Returns the frame and sets *consumed to its size;
// returns nullopt (and *consumed 0) when the buffer does not yet hold a whole frame; returns
// Corruption when the length is below 4 or above the phase's maximum (`startup`: the first
// message, bounded by kMaxPgStartupBytes; else kMaxPgMessageBytes). A caller may keep
// buffering after nullopt: the length already read bounds what it will wait for.
Result<std::optional<Frame>> CutFrame(std::string_view buffer, bool startup, size_t* consumed);

// --- the first message ---

struct StartupPacket {
    enum class Kind : uint8_t { kStartup, kSslRequest, kGssEncRequest, kCancel };
    Kind kind = Kind::kStartup;
    // kStartup: the parameters (user, database, application_name, options, ...), name -> value.
    std::map<std::string, std::string> parameters;
    // kCancel: the key BackendKeyData handed out.
    int32_t process_id = 0;
    int32_t secret_key = 0;
};

// Parses the body of a first message (the frame's body: code and what follows). NotSupported
// for another protocol version (e.g. 2.0) or an unknown code; Corruption for a malformed body.
Result<StartupPacket> ParseStartup(std::string_view body);

// --- frontend messages after startup ---

struct ParseMessage {  // 'P'
    std::string statement;   // "" is the unnamed statement.
    std::string query;
    std::vector<int32_t> parameter_types;  // OIDs; 0 = unspecified.
};

struct BindMessage {  // 'B'
    std::string portal;
    std::string statement;
    std::vector<int16_t> parameter_formats;  // none: all text; one: for all; else one each.
    std::vector<std::optional<std::string>> parameters;  // nullopt: NULL.
    std::vector<int16_t> result_formats;
};

struct DescribeMessage {  // 'D', and the same layout for Close 'C'
    char what = 'S';  // 'S' statement, 'P' portal.
    std::string name;
};

struct ExecuteMessage {  // 'E'
    std::string portal;
    int32_t max_rows = 0;  // 0: all rows.
};

// Each parser takes the body of a frame of its type. Corruption when a field runs past the body,
// a count is negative, a string lacks its terminating zero, or bytes are left over.
Result<std::string> ParseQuery(std::string_view body);  // 'Q': the query string.
Result<ParseMessage> ParseParse(std::string_view body);
Result<BindMessage> ParseBind(std::string_view body);
Result<DescribeMessage> ParseDescribe(std::string_view body);  // 'D' and 'C'.
Result<ExecuteMessage> ParseExecute(std::string_view body);

// --- backend messages (each returns the whole frame: type, length, body) ---

std::string AuthenticationOk();                                              // 'R' 0
std::string ParameterStatus(std::string_view name, std::string_view value);  // 'S'
std::string BackendKeyData(int32_t process_id, int32_t secret_key);          // 'K'
std::string ReadyForQuery(sql::TxnStatus status);                            // 'Z' I/T/E
std::string RowDescription(const std::vector<sql::ResultColumn>& columns);   // 'T'
std::string DataRow(const sql::Row& row);                                    // 'D', text format
std::string CommandComplete(std::string_view tag);                           // 'C'
std::string EmptyQueryResponse();                                            // 'I'
std::string ParseComplete();                                                 // '1'
std::string BindComplete();                                                  // '2'
std::string CloseComplete();                                                 // '3'
std::string NoData();                                                        // 'n'
std::string PortalSuspended();                                               // 's'
std::string ParameterDescription(const std::vector<int32_t>& types);         // 't'

// 'E' with the fields S and V (ERROR, or FATAL when `fatal`), C (the SQLSTATE), M, and P (the
// 1-based character position) when given.
std::string ErrorResponse(std::string_view sqlstate, std::string_view message,
                          std::optional<uint32_t> position = std::nullopt, bool fatal = false);
std::string ErrorResponse(const sql::SqlError& error);
// 'N': a NOTICE (SQLSTATE 00000) with its message.
std::string NoticeResponse(std::string_view message);

// --- values and tags ---

// The type OID a result column of `type` is described with (kNull: text).
int32_t TypeOid(sql::DataType type);
// The text format of a value (nullopt for NULL): booleans t/f, integral floats without ".0"
// (PostgreSQL writes 2, not 2.0), timestamps "2026-12-02 19:39:22[.ffffff]", bytea "\x0aff".
std::optional<std::string> TextValue(const sql::Value& value);
// A bound parameter's text as a value of the type its OID names; OID 0 (unspecified), text and
// varchar give a STRING unless the text is an integer or decimal literal (then INTEGER or
// FLOAT), since the front end cannot ask the binder which type it expected. InvalidArgument
// (the text is not a value of that type) naming the parameter.
Result<sql::Value> ParameterValue(int32_t oid, std::string_view text, size_t index);
// The engine's command tag as PostgreSQL writes it: "INSERT 3" -> "INSERT 0 3"; others as is.
std::string CommandTag(const sql::StatementResult& result);

}  // namespace orrery::node::pg
