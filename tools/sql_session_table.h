// SqlSessionTable: the connections of a client-protocol listener (pg_listener.h, cql_listener.h)
// by serial, each a socket and one SQL session of the cluster (a node::SqlClient), with the
// lifecycle both protocols share:
//
//   Add -> Start (every chunk read goes to the protocol while the connection lives) -> End (the
//   client went away or the protocol ended it: the socket is flushed and closed) -> the
//   statement in flight, if any, is waited for (its callback calls Close) -> Close: the SQL
//   session is closed at the server (an open transaction rolls back) -> the session's objects
//   are destroyed on a later turn of the io_context, never inside the client's own callback.
//
// Session must have `std::shared_ptr<net::StreamConnection> stream`,
// `std::unique_ptr<node::SqlClient> client` and `bool ending`.
// REQUIRES: used from its io_context's thread only.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "net/logger.h"
#include "net/stream_listener.h"
#include "node/sql_client.h"

namespace orrery::tools {

// A listener session's SqlClient options: this node first, then every other node of the config.
inline node::SqlClientOptions SessionClientOptions(NodeId self,
                                                   const std::map<NodeId, std::string>& servers,
                                                   Duration op_timeout) {
    node::SqlClientOptions co;
    co.servers.push_back(self);
    for (const auto& [id, address] : servers) {
        if (id != self) co.servers.push_back(id);
    }
    co.op_timeout = op_timeout;
    return co;
}

template <typename Session>
class SqlSessionTable {
public:
    explicit SqlSessionTable(boost::asio::io_context& io) : io_(io) {}
    ~SqlSessionTable() { Clear(); }
    SqlSessionTable(const SqlSessionTable&) = delete;
    SqlSessionTable& operator=(const SqlSessionTable&) = delete;

    size_t size() const { return sessions_.size(); }

    // The live (not ending) session `serial`, or nullptr.
    Session* Find(uint64_t serial) {
        auto it = sessions_.find(serial);
        return it == sessions_.end() || it->second->ending ? nullptr : it->second.get();
    }

    // Takes `session` and starts reading its socket: each chunk goes to `on_bytes(session,
    // bytes)` while the connection lives; EOF or a socket error ends it. `tag` names the
    // protocol in the log ("pg", "cql").
    template <typename OnBytes>
    void Start(uint64_t serial, std::unique_ptr<Session> session, net::Logger& log,
               std::string_view tag, OnBytes on_bytes) {
        std::shared_ptr<net::StreamConnection> stream = session->stream;
        sessions_[serial] = std::move(session);
        log.Debug("{}: connection {} from {}", tag, serial, stream->label());
        stream->Start(
            [this, serial, on_bytes](std::string_view bytes) {
                if (Session* s = Find(serial)) on_bytes(*s, bytes);
            },
            [this, serial, &log, tag](const Status& why) {
                if (!why.ok()) log.Debug("{}: connection {}: {}", tag, serial, why.ToString());
                End(serial);
            });
    }

    // The connection ended: flush and close the socket, then close the SQL session once no
    // statement runs (else the statement's callback calls Close).
    void End(uint64_t serial) {
        Session* s = Find(serial);
        if (s == nullptr) return;
        s->ending = true;
        s->stream->Close();
        if (!s->client->busy()) Close(serial);
    }

    void Close(uint64_t serial) {
        auto it = sessions_.find(serial);
        if (it == sessions_.end()) return;
        it->second->client->Close([this, serial](const node::SqlOutcome&) {
            // Not from inside the client's own callback.
            boost::asio::post(io_, [this, serial, alive = std::weak_ptr<char>(alive_)] {
                if (!alive.expired()) sessions_.erase(serial);
            });
        });
    }

    // Drops every session at once (the listener is going away): sockets are detached, clients
    // cancel their timers and links, and posted erasures find the table gone.
    void Clear() {
        alive_.reset();
        for (auto& [serial, s] : sessions_) s->stream->Detach();
        sessions_.clear();
    }

private:
    boost::asio::io_context& io_;
    std::map<uint64_t, std::unique_ptr<Session>> sessions_;
    std::shared_ptr<char> alive_ = std::make_shared<char>(0);  // Posted handlers check it.
};

}  // namespace orrery::tools
