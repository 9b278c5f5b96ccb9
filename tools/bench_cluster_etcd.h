// The etcd side of `orrery bench cluster --compare etcd`: a LoadClient (tools/bench_cluster_load.h)
// that drives etcd's v3 key-value API through its JSON gateway over one persistent HTTP/1.1
// connection (net/http_client.h, net/etcd_kv.h).
//
// A put is `POST /v3/kv/put` and is ok only if etcd answered 200 with a header carrying a
// revision; a get is `POST /v3/kv/range` of the one key (linearizable, etcd's default) and is ok
// only if it returned that key with the value written. A reply that is not 200 or does not say
// that is fail; no whole reply within the timeout, or a connection that broke after the request
// was sent, is info (etcd may have applied it); a connection that could not be opened is fail.
//
// The gateway costs etcd some speed against its native gRPC clients (JSON and base64 both ways,
// and a proxy hop inside etcd from HTTP to its gRPC server), which the bench's output says.
#pragma once

#include <memory>
#include <string>

#include "net/etcd_kv.h"
#include "net/http_client.h"
#include "tools/bench_cluster_load.h"

namespace orrery::tools::benchcluster {

class EtcdLoadClient final : public LoadClient {
public:
    EtcdLoadClient(boost::asio::io_context& io, net::HostPort member,
                   std::chrono::milliseconds timeout)
        : http_(io, std::move(member), timeout) {}

    void Put(const std::string& key, const std::string& value, Done done) override {
        http_.Post("/v3/kv/put", net::EtcdPutRequest(key, value),
                   [done = std::move(done)](Result<net::HttpReply> reply) {
                       if (!reply.ok()) return done(Unanswered(reply.status()));
                       if (reply->status != 200) return done(NotOk(*reply));
                       Result<int64_t> revision = net::CheckEtcdPutReply(reply->body);
                       if (!revision.ok()) {
                           return done({OpOutcome::kFail, revision.status().message()});
                       }
                       done({OpOutcome::kOk, ""});
                   });
    }

    void Get(const std::string& key, const std::string& expected, Done done) override {
        http_.Post("/v3/kv/range", net::EtcdRangeRequest(key),
                   [key, expected, done = std::move(done)](Result<net::HttpReply> reply) {
                       if (!reply.ok()) return done(Unanswered(reply.status()));
                       if (reply->status != 200) return done(NotOk(*reply));
                       Status checked = net::CheckEtcdRangeReply(reply->body, key, expected);
                       if (!checked.ok()) return done({OpOutcome::kFail, checked.message()});
                       done({OpOutcome::kOk, ""});
                   });
    }

    bool busy() const override { return http_.busy(); }

private:
    // No reply: unknown (info), unless the connection never opened (fail: nothing was sent).
    static OpResult Unanswered(const Status& s) {
        bool unsent = s.message().starts_with("connect:") || s.message().starts_with("bad host");
        return {unsent ? OpOutcome::kFail : OpOutcome::kInfo, s.ToString()};
    }
    static OpResult NotOk(const net::HttpReply& reply) {
        return {OpOutcome::kFail, fmt::format("HTTP {}: {:.120}", reply.status, reply.body)};
    }

    net::HttpClient http_;
};

}  // namespace orrery::tools::benchcluster
