// PgListener: the PostgreSQL port of `orrery node --pg-port P` (docs/19-pg-wire.md). It wires
// three existing pieces together and adds no protocol logic of its own:
//
//   net::StreamListener   accepts TCP connections on the node's event loop (its io_context)
//   node::PgConnection    the PostgreSQL v3 state machine over one connection's bytes
//   node::SqlClient       one SQL session of the cluster, on its own net::ClientEnv
//
// So a psql connection is exactly an `orrery sql --connect` session: its statements go to the
// node's client port (this node first, then any other node of the config, following not-leader
// hints), run at the leader and commit through Raft. The wiring lives here in tools/ because it
// needs both the real network (net/) and node/, and node/ may not include net/.
//
// A CancelRequest (a new connection carrying another one's BackendKeyData) is routed to the
// connection whose serial is its process id; PgConnection::Cancel checks the secret.
//
// Connection lifecycle: accept -> (too many: FATAL 53300, close) -> PgConnection fed every
// chunk read -> the connection ends (Terminate, EOF, a protocol error, a socket error) ->
// the statement in flight, if any, is waited for -> the SQL session is closed at the server
// (an open transaction is rolled back) -> the session's objects are destroyed on a later turn.
//
// REQUIRES: used from its io_context's thread only.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "net/client_env.h"
#include "net/logger.h"
#include "net/stream_listener.h"
#include "node/node_metrics.h"
#include "node/pg_protocol.h"
#include "node/pg_server.h"
#include "node/sql_client.h"
#include "tools/sql_session_table.h"

namespace orrery::tools {

struct PgListenerOptions {
    std::string listen;                      // "host:port" of the PostgreSQL port.
    NodeId self;                             // This node: a session's first server.
    std::map<NodeId, std::string> servers;   // The client address of every node (config).
    size_t max_connections = 64;
    Duration op_timeout = Duration::Seconds(15);  // Per statement (SqlClientOptions).
};

class PgListener {
public:
    static Result<std::unique_ptr<PgListener>> Create(boost::asio::io_context& io,
                                                      PgListenerOptions options, net::Logger& log) {
        std::unique_ptr<PgListener> l(new PgListener(io, std::move(options), log));
        net::StreamListenerOptions so;
        so.listen = l->options_.listen;
        PgListener* self = l.get();
        auto listener = net::StreamListener::Create(
            io, so, [self](std::shared_ptr<net::StreamConnection> c) { self->OnAccept(std::move(c)); },
            log);
        if (!listener.ok()) return listener.status();
        l->listener_ = std::move(listener).value();
        return l;
    }

    ~PgListener() {
        listener_.reset();  // No new connections, then the sessions go.
        sessions_.Clear();  // SqlClient and ClientEnv cancel their timers and links.
    }
    PgListener(const PgListener&) = delete;
    PgListener& operator=(const PgListener&) = delete;

    uint16_t port() const { return listener_->port(); }
    size_t connections() const { return sessions_.size(); }
    // For the node's metrics (node/node_metrics.h): statements are the SQL statements this
    // port's clients ran, errors those answered with an error.
    node::ListenerCounters counters() const {
        return {"pg", sessions_.size(), listener_->accepted(), statements_, statement_errors_};
    }

private:
    // One PostgreSQL connection: its socket, its SQL session and the state machine between.
    struct Session final : node::PgBackend {
        PgListener* owner = nullptr;
        uint64_t serial = 0;
        std::shared_ptr<net::StreamConnection> stream;
        std::unique_ptr<net::ClientEnv> env;
        std::unique_ptr<node::SqlClient> client;
        std::unique_ptr<node::PgConnection> pg;
        bool ending = false;  // The connection ended; the session is being closed.

        void Cancel() override { client->Cancel(); }
        void Execute(std::string text, std::vector<sql::Value> params, Done done) override {
            client->Execute(std::move(text), std::move(params),
                            [this, done = std::move(done)](const node::SqlOutcome& o) {
                                ++owner->statements_;
                                if (!o.ok()) ++owner->statement_errors_;
                                if (ending) return owner->sessions_.Close(serial);
                                done(o);
                            });
        }
    };

    PgListener(boost::asio::io_context& io, PgListenerOptions options, net::Logger& log)
        : io_(io), options_(std::move(options)), log_(log) {}

    void OnAccept(std::shared_ptr<net::StreamConnection> stream) {
        if (sessions_.size() >= options_.max_connections) {
            log_.Warn("pg: refusing {}: already {} connections", stream->label(), sessions_.size());
            stream->Start([](std::string_view) {}, [stream](const Status&) {});
            stream->Write(node::pg::ErrorResponse("53300", "sorry, too many clients already",
                                                  std::nullopt, /*fatal=*/true));
            stream->Close();
            return;
        }
        uint64_t serial = ++next_serial_;
        auto s = std::make_unique<Session>();
        s->owner = this;
        s->serial = serial;
        s->stream = stream;
        net::ClientEnvOptions eo;
        eo.servers = options_.servers;
        eo.name = fmt::format("pg{}", serial);
        s->env = std::make_unique<net::ClientEnv>(io_, eo);
        s->client = std::make_unique<node::SqlClient>(
            s->env->env(),
            SessionClientOptions(options_.self, options_.servers, options_.op_timeout));
        node::PgConnectionOptions po;
        po.process_id = static_cast<int32_t>(serial & 0x7fffffff);
        po.secret_key = static_cast<int32_t>(s->env->env().random.Next() & 0x7fffffff);
        po.on_cancel = [this](int32_t process_id, int32_t secret_key) {
            // The process id is the session's serial (above); a wrong key does nothing.
            Session* session = sessions_.Find(static_cast<uint64_t>(process_id));
            if (session == nullptr) return;
            bool matched = session->pg->Cancel(secret_key);
            log_.Debug("pg: cancel request for connection {}: {}", process_id,
                       matched ? "key matched" : "wrong key, ignored");
        };
        Session* raw = s.get();
        s->pg = std::make_unique<node::PgConnection>(
            *raw, po, [raw](std::string_view bytes) { raw->stream->Write(bytes); },
            [this, serial] { sessions_.End(serial); });
        sessions_.Start(serial, std::move(s), log_, "pg",
                        [](Session& session, std::string_view bytes) {
                            session.pg->OnBytes(bytes);
                        });
    }

    boost::asio::io_context& io_;
    PgListenerOptions options_;
    net::Logger& log_;
    std::unique_ptr<net::StreamListener> listener_;
    SqlSessionTable<Session> sessions_{io_};
    uint64_t next_serial_ = 0;
    uint64_t statements_ = 0;
    uint64_t statement_errors_ = 0;
};

}  // namespace orrery::tools
