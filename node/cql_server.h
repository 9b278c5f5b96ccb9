// CqlConnection: one CQL native protocol v4 client connection's state machine, bytes in and
// bytes out, in front of a cql::Backend (the statement side, cql_translate.h). It knows nothing
// of sockets: tools/cql_listener.h feeds it a TCP connection's bytes; tests feed it frames and
// script the backend. Model: PgConnection (pg_server.h).
//
// Flow (v4 §4):
//   OPTIONS   -> SUPPORTED {CQL_VERSION: [3.4.4], COMPRESSION: [], PROTOCOL_VERSIONS: [4/v4]},
//                at any time, even while a statement runs (drivers send it as a heartbeat).
//   STARTUP   -> READY; a COMPRESSION option (none is offered) is a protocol error.
//   REGISTER  -> READY (no EVENT is ever pushed: the driver learns schema changes from the
//                Schema_change results of its own statements and by polling the system tables).
//   QUERY / PREPARE / EXECUTE / BATCH -> the backend, answered RESULT or ERROR.
//   Before STARTUP anything but OPTIONS and STARTUP is answered with a protocol error.
//
// Version negotiation: a frame of any version but 4 is answered, on its stream and in a v4
// frame, with the ProtocolError Cassandra 3.11 sends ("Invalid or unsupported protocol version
// (N); the lowest supported version is 4 and the greatest is 4"), then the connection closes.
// The driver recognises "unsupported protocol version" and reconnects one version lower, so it
// settles on v4 by itself. Versions 3 and below are refused the same way.
//
// Streams: a driver pipelines up to thousands of requests on one connection, each on its own
// stream id. They are executed one at a time, in arrival order, and each answer carries its
// request's stream id. At most kQueuedFramesMax frames (and kQueuedBytesMax bytes of bodies)
// wait; a request beyond that is answered at once with Overloaded (0x1001), which the driver
// retries on another connection or host.
//
// Paging (v4 §8): with page_size n the statement's Rows are cut into pages of n; a page that is
// not the last carries has_more_pages and an opaque paging_state (the offset of the next row
// and a hash of keyspace and query). A request with that state RE-RUNS the statement and skips
// the rows already sent: simple and stateless, but not a snapshot (rows written in between may
// shift the pages) and quadratic for a long scan; a state that names another statement is an
// error.
//
// Prepared statements (v4 §4.1.5): the id is a 16-byte hash of (keyspace, query), so every
// connection and every node computes the same id for the same statement. Entries are kept per
// connection and in a PreparedCache the listener shares between its connections; EXECUTE of an
// id found in neither answers Unprepared (0x2500) with the id, and the driver re-prepares. Both
// tables are bounded (kEntriesMax, oldest dropped first), which only costs a re-prepare.
//
// Errors: a backend error is an ERROR frame and the connection goes on. A malformed frame (a
// body its decoder refuses, an unknown or response opcode, a compressed frame, a body over
// kFrameBodyMax) gets a protocol error on its stream and closes ONLY this connection.
//
// Invariants: at most one backend call outstanding; every request frame gets exactly one
// response frame with its stream id, unless the connection closed first; after close nothing
// more is written.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "node/cql_backend.h"
#include "node/cql_protocol.h"

namespace orrery::node::cql {

// The id of a prepared statement: 16 bytes, a stable hash of (keyspace, query).
std::string PreparedId(std::string_view keyspace, std::string_view query);

// Prepared statements by id, bounded (the oldest entry is dropped first).
class PreparedCache {
public:
    static constexpr size_t kEntriesMax = 4096;
    struct Entry {
        std::string keyspace;  // The connection's keyspace when it was prepared.
        std::string query;
        Prepared prepared;
    };
    // The entry of `id`, nullptr if none. The pointer lives until the next Put.
    const Entry* Find(const std::string& id) const;
    void Put(const std::string& id, Entry entry);
    size_t size() const { return entries_.size(); }

private:
    std::map<std::string, Entry> entries_;
    std::deque<std::string> order_;  // Ids by first insertion, for eviction.
};

struct CqlConnectionOptions {
    // Shared by the connections of one listener; null: this connection's own only.
    std::shared_ptr<PreparedCache> shared_prepared;
};

class CqlConnection {
public:
    static constexpr size_t kQueuedFramesMax = 1024;
    static constexpr size_t kQueuedBytesMax = 32u << 20;

    // `write` gets every byte sent, in order; `close` is called once when the connection must
    // end (a malformed frame, an unsupported version). Both outlive the connection or are
    // cleared by the owner. `backend` outlives it.
    CqlConnection(Backend& backend, CqlConnectionOptions options,
                  std::function<void(std::string_view)> write, std::function<void()> close);
    CqlConnection(const CqlConnection&) = delete;
    CqlConnection& operator=(const CqlConnection&) = delete;

    // Bytes from the client.
    void OnBytes(std::string_view bytes);
    // Refuses the connection (too many clients): every request is answered with Overloaded and
    // this message, then the connection closes after the first.
    void Refuse(std::string message);

    bool closed() const { return closed_; }
    bool busy() const { return waiting_; }
    bool started() const { return started_; }
    const std::string& keyspace() const { return keyspace_; }
    size_t queued() const { return queue_.size(); }

private:
    struct Pending {
        FrameHeader header;
        std::string body;
    };
    // How RunStatement pages and describes a Rows result.
    struct Paging {
        std::optional<int32_t> page_size;
        std::optional<std::string> state;
        bool skip_metadata = false;
    };

    void Accept(const FrameCut& cut);
    void Pump();
    void Handle(Pending& frame);
    void HandleStartup(int16_t stream, std::string_view body);
    void HandleQuery(int16_t stream, std::string_view body);
    void HandlePrepare(int16_t stream, std::string_view body);
    void HandleExecute(int16_t stream, std::string_view body);
    void HandleBatch(int16_t stream, std::string_view body);
    void RunStatement(int16_t stream, Request request, Paging paging);
    void SendOutcome(int16_t stream, const Request& request, const Paging& paging,
                     const Outcome& outcome);
    const PreparedCache::Entry* FindPrepared(const std::string& id) const;
    void SendSupported(int16_t stream);
    void SendError(int16_t stream, const Error& error);
    void SendError(int16_t stream, int32_t code, std::string message);
    // A protocol error on `stream`, then close.
    void Fatal(int16_t stream, std::string message);
    void Send(int16_t stream, Opcode opcode, std::string_view body);

    Backend& backend_;
    CqlConnectionOptions options_;
    std::function<void(std::string_view)> write_;
    std::function<void()> close_;

    std::string input_;
    std::deque<Pending> queue_;
    size_t queued_bytes_ = 0;
    bool started_ = false;
    bool closed_ = false;
    bool waiting_ = false;  // A backend call is outstanding.
    bool pumping_ = false;  // Inside Pump (a backend answering inline must not re-enter).
    std::optional<std::string> refused_;
    std::string keyspace_;
    PreparedCache prepared_;
};

// The paging state of the page that starts at row `offset` of (keyspace, query), and its
// inverse: false if `state` is not one this server made for that statement.
std::string EncodePagingState(uint64_t offset, std::string_view keyspace, std::string_view query);
bool DecodePagingState(std::string_view state, std::string_view keyspace, std::string_view query,
                       uint64_t* offset);

}  // namespace orrery::node::cql
