// CqlListener: the CQL port of `orrery node --cql-port P` (docs/21-cql.md). Like PgListener
// (pg_listener.h) it wires existing pieces together and adds no protocol logic of its own:
//
//   net::StreamListener     accepts TCP connections on the node's event loop (its io_context)
//   node::cql::CqlConnection the CQL native protocol v4 state machine over one connection's bytes
//   cql::NewTranslator      the statement side: CQL onto SQL, system tables from the Topology
//   node::SqlClient         one SQL session of the cluster, on its own net::ClientEnv, as the
//                           translator's cql::SqlRunner
//
// So a driver connection is exactly an `orrery sql --connect` session under a CQL translator:
// its statements go to the node's client port (this node first, then the others, following
// not-leader hints), run at the leader and commit through Raft.
//
// Prepared statements: one PreparedCache is shared by all connections of the listener, so a
// statement prepared on one connection executes on every other (ids are a hash of keyspace and
// query, the same on every node; a node that has not seen it answers Unprepared and the driver
// re-prepares there).
//
// Topology (CqlTopology below): the driver learns the cluster from system.local and
// system.peers, then connects to every peer's rpc_address on the port it was given (3.11 has
// no port column). Each node's rpc_address is the host of its "cql" address in the config
// (`orrery cluster` gives node i 127.0.0.i), else the host of its client address; host ids are
// UUIDs made from the node id, tokens kTokensPerNode Murmur3 tokens per node interleaved over
// the int64 range. All of it is a pure function of the config: the same on every node.
//
// Connection lifecycle: accept -> (too many: Overloaded to the first request, close) ->
// CqlConnection fed every chunk read -> the connection ends (EOF, a protocol error, a socket
// error) -> the statement in flight, if any, is waited for -> the SQL session is closed at the
// server (an open transaction is rolled back) -> the session's objects go on a later turn.
//
// REQUIRES: used from its io_context's thread only.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "net/client_env.h"
#include "net/cluster_config.h"
#include "net/logger.h"
#include "net/stream_listener.h"
#include "node/node_metrics.h"
#include "node/cql_backend.h"
#include "node/cql_server.h"
#include "node/sql_client.h"
#include "tools/sql_session_table.h"

namespace orrery::tools {

// Murmur3 tokens each node owns in system.local / system.peers.
inline constexpr int kCqlTokensPerNode = 8;

// The host id of a node: a version-4-shaped UUID whose last group is the node id.
inline std::string CqlHostId(NodeId id) {
    return fmt::format("6f727279-0000-4000-8000-{:012x}", id.value());
}

// The tokens of the node at `index` (0-based, in id order) of `count` nodes: token k of node j
// is slot k * count + j of kCqlTokensPerNode * count equal slots of the int64 range, so the
// nodes' tokens interleave and never collide.
inline std::vector<std::string> CqlTokens(size_t index, size_t count) {
    const uint64_t slots = uint64_t{kCqlTokensPerNode} * count;
    const uint64_t step = std::numeric_limits<uint64_t>::max() / slots;
    std::vector<std::string> tokens;
    for (uint64_t k = 0; k < kCqlTokensPerNode; ++k) {
        uint64_t slot = k * count + index;
        // Shift [0, 2^64) onto [-2^63, 2^63) by flipping the sign bit.
        auto token = static_cast<int64_t>((slot * step) ^ (uint64_t{1} << 63));
        tokens.push_back(std::to_string(token));
    }
    return tokens;
}

// The Topology `self` reports, from the config: `self_host` is its own rpc_address (--cql-host)
// and `port` its CQL port; a node's rpc_address is its config "cql" host, else its client host.
inline node::cql::Topology CqlTopology(const net::ClusterConfig& config, NodeId self,
                                       const std::string& self_host, uint16_t port) {
    node::cql::Topology topology;
    size_t index = 0;
    for (const auto& [id, addresses] : config.nodes) {
        node::cql::NodeInfo info;
        info.host_id = CqlHostId(id);
        const std::string& address = addresses.cql.empty() ? addresses.client : addresses.cql;
        auto hp = net::ParseHostPort(address);
        info.rpc_address = hp.ok() ? hp->host : "127.0.0.1";
        info.rpc_port = addresses.cql.empty() || !hp.ok() ? port : hp->port;
        info.tokens = CqlTokens(index++, config.nodes.size());
        if (id == self) {
            info.rpc_address = self_host;
            info.rpc_port = port;
            topology.self = std::move(info);
        } else {
            topology.peers.push_back(std::move(info));
        }
    }
    return topology;
}

struct CqlListenerOptions {
    std::string listen;                      // "host:port" of the CQL port.
    NodeId self;                             // This node: a session's first server.
    std::map<NodeId, std::string> servers;   // The client address of every node (config).
    node::cql::Topology topology;
    size_t max_connections = 64;
    Duration op_timeout = Duration::Seconds(15);  // Per SQL statement (SqlClientOptions).
};

class CqlListener {
public:
    static Result<std::unique_ptr<CqlListener>> Create(boost::asio::io_context& io,
                                                       CqlListenerOptions options,
                                                       net::Logger& log) {
        std::unique_ptr<CqlListener> l(new CqlListener(io, std::move(options), log));
        net::StreamListenerOptions so;
        so.listen = l->options_.listen;
        CqlListener* self = l.get();
        auto listener = net::StreamListener::Create(
            io, so,
            [self](std::shared_ptr<net::StreamConnection> c) { self->OnAccept(std::move(c)); }, log);
        if (!listener.ok()) return listener.status();
        l->listener_ = std::move(listener).value();
        return l;
    }

    ~CqlListener() {
        listener_.reset();  // No new connections, then the sessions go.
        sessions_.Clear();  // Translators drop late callbacks; clients cancel their timers.
    }
    CqlListener(const CqlListener&) = delete;
    CqlListener& operator=(const CqlListener&) = delete;

    uint16_t port() const { return listener_->port(); }
    size_t connections() const { return sessions_.size(); }
    // For the node's metrics (node/node_metrics.h): statements are the SQL statements this
    // port's clients ran, errors those answered with an error.
    node::ListenerCounters counters() const {
        return {"cql", sessions_.size(), listener_->accepted(), statements_, statement_errors_};
    }

private:
    // One CQL connection: its socket, its SQL session, the translator and the state machine.
    struct Session final : node::cql::SqlRunner {
        CqlListener* owner = nullptr;
        uint64_t serial = 0;
        std::shared_ptr<net::StreamConnection> stream;
        std::unique_ptr<net::ClientEnv> env;
        std::unique_ptr<node::SqlClient> client;
        std::unique_ptr<node::cql::Backend> translator;
        std::unique_ptr<node::cql::CqlConnection> cql;
        bool ending = false;  // The connection ended; the session is being closed.

        void Execute(std::string text, std::vector<sql::Value> params,
                     std::function<void(const node::SqlOutcome&)> done) override {
            client->Execute(std::move(text), std::move(params),
                            [this, done = std::move(done)](const node::SqlOutcome& o) {
                                ++owner->statements_;
                                if (!o.ok()) ++owner->statement_errors_;
                                if (ending) return owner->sessions_.Close(serial);
                                done(o);
                            });
        }
    };

    // The backend of a refused connection: never called (Refuse answers every request).
    struct NoBackend final : node::cql::Backend {
        void Execute(node::cql::Request, std::function<void(node::cql::Outcome)> done) override {
            done(node::cql::Outcome::Fail(node::cql::error_code::kOverloaded, "refused"));
        }
        void Prepare(std::string, std::string,
                     std::function<void(node::cql::PrepareOutcome)> done) override {
            node::cql::PrepareOutcome o;
            o.error = node::cql::Error{};
            o.error->code = node::cql::error_code::kOverloaded;
            done(o);
        }
        void Batch(node::cql::BatchRequest, std::function<void(node::cql::Outcome)> done) override {
            done(node::cql::Outcome::Fail(node::cql::error_code::kOverloaded, "refused"));
        }
    };

    CqlListener(boost::asio::io_context& io, CqlListenerOptions options, net::Logger& log)
        : io_(io), options_(std::move(options)), log_(log) {}

    void Refuse(const std::shared_ptr<net::StreamConnection>& stream) {
        log_.Warn("cql: refusing {}: already {} connections", stream->label(), sessions_.size());
        std::weak_ptr<net::StreamConnection> weak = stream;
        auto conn = std::make_shared<node::cql::CqlConnection>(
            no_backend_, node::cql::CqlConnectionOptions{},
            [weak](std::string_view bytes) {
                if (auto s = weak.lock()) s->Write(bytes);
            },
            [weak] {
                if (auto s = weak.lock()) s->Close();
            });
        conn->Refuse(fmt::format("too many connections ({}) on this node", sessions_.size()));
        stream->Start([conn](std::string_view bytes) { conn->OnBytes(bytes); },
                      [](const Status&) {});
    }

    void OnAccept(std::shared_ptr<net::StreamConnection> stream) {
        if (sessions_.size() >= options_.max_connections) return Refuse(stream);
        uint64_t serial = ++next_serial_;
        auto s = std::make_unique<Session>();
        s->owner = this;
        s->serial = serial;
        s->stream = stream;
        net::ClientEnvOptions eo;
        eo.servers = options_.servers;
        eo.name = fmt::format("cql{}", serial);
        s->env = std::make_unique<net::ClientEnv>(io_, eo);
        s->client = std::make_unique<node::SqlClient>(
            s->env->env(),
            SessionClientOptions(options_.self, options_.servers, options_.op_timeout));
        s->translator = node::cql::NewTranslator(*s, options_.topology);
        Session* raw = s.get();
        s->cql = std::make_unique<node::cql::CqlConnection>(
            *s->translator, node::cql::CqlConnectionOptions{prepared_},
            [raw](std::string_view bytes) { raw->stream->Write(bytes); },
            [this, serial] { sessions_.End(serial); });
        sessions_.Start(serial, std::move(s), log_, "cql",
                        [](Session& session, std::string_view bytes) {
                            session.cql->OnBytes(bytes);
                        });
    }

    boost::asio::io_context& io_;
    CqlListenerOptions options_;
    net::Logger& log_;
    std::unique_ptr<net::StreamListener> listener_;
    SqlSessionTable<Session> sessions_{io_};
    uint64_t next_serial_ = 0;
    uint64_t statements_ = 0;
    uint64_t statement_errors_ = 0;
    NoBackend no_backend_;
    std::shared_ptr<node::cql::PreparedCache> prepared_ =
        std::make_shared<node::cql::PreparedCache>();
};

}  // namespace orrery::tools
