// RemoteSql: `orrery sql --connect HOST:PORT`'s connection to a cluster, a blocking wrapper over
// node::SqlClient (the client the simulator's SQL workloads run) on a net::ClientEnv.
//
// Connecting asks the given node for its status first: the answer names the node's id and the
// client address of every node of its cluster (from its configuration), so the client can then
// follow not-leader hints to any of them. A node that knows no addresses (a single-node test)
// is used alone. One SqlClient, hence one session (client id), serves the whole REPL or batch.
#pragma once

#include <boost/asio/io_context.hpp>
#include <fmt/format.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/client_env.h"
#include "node/sql_client.h"

namespace orrery::tools {

class RemoteSql {
public:
    // Connects through `address`; Unavailable when it does not answer within `timeout`.
    static Result<std::unique_ptr<RemoteSql>> Connect(const std::string& address,
                                                      Duration timeout) {
        std::unique_ptr<RemoteSql> remote(new RemoteSql());
        ORRERY_RETURN_IF_ERROR(remote->Discover(address, timeout));
        return remote;
    }

    // Runs one statement to its outcome (the client's op timeout bounds the wait).
    node::SqlOutcome Execute(const std::string& text, std::vector<sql::Value> params = {}) {
        std::optional<node::SqlOutcome> out;
        client_->Execute(text, std::move(params), [&](const node::SqlOutcome& o) { out = o; });
        net::RunUntil(io_, [&] { return out.has_value(); });
        return *out;
    }

    // The status of the node that answered last (or the believed leader).
    Result<node::SqlNodeStatus> NodeStatus() {
        std::optional<node::SqlOutcome> out;
        client_->Status(last_server(), [&](const node::SqlOutcome& o) { out = o; });
        net::RunUntil(io_, [&] { return out.has_value(); });
        if (!out->ok() || !out->status) {
            return Status::Unavailable(fmt::format("n{}: {}", last_server().value(), out->message()));
        }
        return *out->status;
    }

    // Ends the session at the server (rolls back an open transaction). Errors are ignored.
    void Close() {
        std::optional<node::SqlOutcome> out;
        client_->Close([&](const node::SqlOutcome& o) { out = o; });
        net::RunUntil(io_, [&] { return out.has_value(); });
    }

    sql::TxnStatus txn_status() const { return client_->txn_status(); }
    NodeId last_server() const { return client_->believed_leader(); }
    const std::map<NodeId, std::string>& servers() const { return servers_; }

private:
    RemoteSql() = default;

    Status Discover(const std::string& address, Duration timeout) {
        NodeId probe_id(1);  // A placeholder until the node says who it is.
        std::optional<node::SqlOutcome> out;
        // The probe stays alive with the object: its connection's handlers may still be queued.
        probe_env_ = std::make_unique<net::ClientEnv>(io_, EnvOptions({{probe_id, address}}));
        node::SqlClientOptions po;
        po.servers = {probe_id};
        po.op_timeout = timeout;
        po.attempt_timeout = Duration::Millis(500);
        probe_ = std::make_unique<node::SqlClient>(probe_env_->env(), po);
        probe_->Status(probe_id, [&](const node::SqlOutcome& r) { out = r; });
        net::RunUntil(io_, [&] { return out.has_value(); });
        if (!out->ok() || !out->status) {
            return Status::Unavailable(fmt::format("no answer from {} ({})", address,
                                                   out->message()));
        }
        const node::SqlNodeStatus& s = *out->status;
        NodeId self(s.node);
        for (const auto& [id, client_address] : s.client_addresses) {
            servers_[NodeId(id)] = client_address;
        }
        servers_[self] = address;  // The address that worked, whatever the config says.
        env_ = std::make_unique<net::ClientEnv>(io_, EnvOptions(servers_));
        node::SqlClientOptions o;
        o.servers.push_back(self);  // First: the node the user named.
        for (const auto& [id, a] : servers_) {
            if (id != self) o.servers.push_back(id);
        }
        o.op_timeout = Duration::Seconds(15);
        client_ = std::make_unique<node::SqlClient>(env_->env(), o);
        return Status::Ok();
    }

    static net::ClientEnvOptions EnvOptions(const std::map<NodeId, std::string>& servers) {
        net::ClientEnvOptions options;
        options.servers = servers;
        options.name = "sql";
        return options;
    }

    boost::asio::io_context io_;
    std::unique_ptr<net::ClientEnv> probe_env_;
    std::unique_ptr<node::SqlClient> probe_;
    std::map<NodeId, std::string> servers_;
    std::unique_ptr<net::ClientEnv> env_;
    std::unique_ptr<node::SqlClient> client_;
};

}  // namespace orrery::tools
