// PgConnection: one PostgreSQL client connection's state machine, bytes in and bytes out, in
// front of ONE SQL session of the node's SqlServer (the same sessions `orrery sql --connect`
// uses; there is no second SQL path). It knows nothing of sockets: pg_listener.h feeds it a TCP
// connection's bytes and hands its statements to a node::SqlClient; tests feed it frames and
// script the backend.
//
// Flow (PostgreSQL's "message flow" chapter):
//   startup   SSLRequest/GSSENCRequest -> 'N'; StartupMessage 3.0 -> AuthenticationOk (trust),
//             ParameterStatus (server_version 15.0, server_encoding and client_encoding UTF8,
//             DateStyle ISO, integer_datetimes on, standard_conforming_strings on, TimeZone
//             UTC, application_name), BackendKeyData, ReadyForQuery I.
//   cancel    A CancelRequest on a new connection is handed to options.on_cancel and the
//             connection closed without an answer; the owner calls Cancel(secret) on the
//             connection with that process id, which asks its backend to stop the statement in
//             flight: the statement ends with 57014 "canceling statement due to user request"
//             (SqlServer: while it steps or waits for its snapshot; once its commit is proposed
//             it runs to its end), and the rest of the Query is skipped as after any error.
//   simple    Query: the text is cut into statements (sql::SplitStatements); each runs as one
//             request of the session, in order, and gets its own RowDescription + DataRows +
//             CommandComplete (or EmptyQueryResponse for an empty query); the first error
//             ends the message (the rest is skipped, as PostgreSQL does); then ReadyForQuery
//             with the session's transaction status I/T/E.
//   extended  Parse stores the text (one statement; its $n counted) under a name; Bind makes a
//             portal of it with text parameters converted by their declared OIDs
//             (pg::ParameterValue); Describe of a portal runs it (the rows are kept for
//             Execute) and answers RowDescription or NoData; Execute sends the rows (max_rows
//             honoured with PortalSuspended) and CommandComplete; Close forgets; Sync answers
//             ReadyForQuery. After an error every message up to Sync is skipped.
//
// Differences from PostgreSQL, all reported, none silent:
//   - several statements in one Query are not wrapped in one implicit transaction: each is
//     its own autocommit statement unless BEGIN opened one;
//   - Describe of a prepared statement (not a portal) that returns rows cannot name its
//     columns before running: it answers 0A000 (drivers that describe portals are fine);
//   - of the queries of pg_catalog / information_schema, only psql 15's \d, \dt, \di,
//     \d NAME and \d+ NAME (a table or an index) are served (pg_catalog.h: recognised by their text, answered from the live
//     catalog through SHOW CATALOG on the same session); any other answers 0A000 naming SHOW
//     TABLES and DESCRIBE, and leaves an open transaction usable;
//   - binary formats (format code 1) answer 0A000.
//
// One statement at a time: while one runs, further input is only buffered (at most one frame's
// bound beyond what is being processed), so a pipelining driver is served in order.
//
// Invariants: at most one backend call outstanding; ReadyForQuery is sent exactly once per
// Query and per Sync; after Close() nothing more is written.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "node/pg_protocol.h"
#include "node/sql_client.h"

namespace orrery::node {

// Runs statements of one session. The real one is a SqlClient (pg_listener.cpp).
class PgBackend {
public:
    using Done = std::function<void(const SqlOutcome&)>;
    virtual ~PgBackend() = default;
    // Runs one statement with its parameters; `done` is called once, possibly later.
    virtual void Execute(std::string text, std::vector<sql::Value> params, Done done) = 0;
    // Asks the statement in flight to stop (best-effort); its `done` still comes, with 57014
    // when the cancel won (SqlClient::Cancel).
    virtual void Cancel() = 0;
};

struct PgConnectionOptions {
    int32_t process_id = 0;  // BackendKeyData.
    int32_t secret_key = 0;
    std::string server_version = "15.0 (Orrery)";
    // A CancelRequest arrived on this (new) connection naming (process_id, secret_key): the
    // owner finds the connection with that process id and calls its Cancel(secret_key).
    std::function<void(int32_t process_id, int32_t secret_key)> on_cancel;
};

class PgConnection {
public:
    // `write` gets every byte the server sends, in order; `close` is called once when the
    // connection must end (Terminate, a malformed frame, a protocol violation). Both outlive
    // the connection or are cleared by the owner. `backend` outlives it.
    PgConnection(PgBackend& backend, PgConnectionOptions options,
                 std::function<void(std::string_view)> write, std::function<void()> close);
    PgConnection(const PgConnection&) = delete;
    PgConnection& operator=(const PgConnection&) = delete;

    // Bytes from the client.
    void OnBytes(std::string_view bytes);
    // Refuses the connection before anything else: FATAL with this SQLSTATE, then close.
    void Refuse(std::string_view sqlstate, std::string_view message);
    // A CancelRequest for this connection: iff `secret_key` is its BackendKeyData secret, the
    // statement in flight (if any) is asked to stop. A wrong key does nothing. Returns whether
    // the key matched.
    bool Cancel(int32_t secret_key);

    bool closed() const { return closed_; }
    bool busy() const { return waiting_; }
    const std::map<std::string, std::string>& startup_parameters() const { return startup_; }

private:
    struct Prepared {
        std::string query;
        std::vector<int32_t> types;  // Declared OIDs (0: unspecified), one per $n.
        uint32_t parameter_count = 0;
    };
    struct Portal {
        std::string query;
        std::vector<sql::Value> params;
        std::optional<SqlOutcome> outcome;  // Once run (by Describe or Execute).
        size_t sent_rows = 0;
        bool done = false;
    };

    void Pump();
    bool HandleFrame(const pg::Frame& frame);  // False: wait (a statement runs).
    void HandleStartup(const pg::Frame& frame);
    void HandleQuery(std::string_view body);
    void RunNextScriptStatement();
    void HandleParse(std::string_view body);
    void HandleBind(std::string_view body);
    void HandleDescribe(std::string_view body);
    void HandleExecute(std::string_view body);
    void HandleClose(std::string_view body);
    // Runs a portal (Describe or Execute) then continues with `then`.
    void RunPortal(const std::string& name, std::function<void()> then);
    void SendRows(Portal& portal, int32_t max_rows);
    void SendResultHead(const sql::StatementResult& result);
    void SendError(const sql::SqlError& error);
    void ExtendedError(const sql::SqlError& error);  // Error, then skip to Sync.
    void Fatal(std::string_view sqlstate, std::string_view message);
    void Execute(std::string text, std::vector<sql::Value> params,
                 std::function<void(const SqlOutcome&)> then);
    // Execute, but a catalog query is answered by pg_catalog.h or refused.
    void RunStatement(std::string text, std::vector<sql::Value> params,
                      std::function<void(const SqlOutcome&)> then);
    void Write(std::string_view bytes);

    PgBackend& backend_;
    PgConnectionOptions options_;
    std::function<void(std::string_view)> write_;
    std::function<void()> close_;

    std::string input_;
    bool started_ = false;  // The StartupMessage was accepted.
    bool closed_ = false;
    bool waiting_ = false;  // A backend call is outstanding.
    bool pumping_ = false;  // Inside Pump (a backend answering inline must not re-enter).
    bool skip_to_sync_ = false;
    sql::TxnStatus txn_ = sql::TxnStatus::kIdle;
    std::map<std::string, std::string> startup_;
    // The statements of the Query being run, in order.
    std::deque<std::string> script_;
    std::map<std::string, Prepared> prepared_;
    std::map<std::string, Portal> portals_;
};

// The number of $n parameters a statement refers to (the largest n), skipping quoted text and
// comments.
uint32_t CountPgParameters(std::string_view query);

// True iff the statement reads PostgreSQL's system catalogs (pg_catalog, information_schema or
// a pg_ table), which the front end refuses with 0A000 rather than answer wrongly.
bool MentionsPgCatalog(std::string_view query);

}  // namespace orrery::node
