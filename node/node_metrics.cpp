// RenderNodeMetrics. See node_metrics.h.
#include "node/node_metrics.h"

#include <fmt/format.h>

#include <map>
#include <set>

#include "core/assert.h"
#include "raft/raft.h"
#if defined(ORRERY_HAVE_LSM)
#include "storage/lsm/lsm_engine.h"
#endif

namespace orrery::node {
namespace {

using metrics::Labels;
using metrics::TextWriter;

void Gauge(TextWriter& w, std::string_view name, std::string_view help, double value) {
    w.Family(name, "gauge", help);
    w.Sample(value);
}
void Counter(TextWriter& w, std::string_view name, std::string_view help, double value) {
    w.Family(name, "counter", help);
    w.Sample(value);
}

void WriteRaft(TextWriter& w, const KvServer& server) {
    const raft::RaftNode& raft = server.raft();
    Gauge(w, "orrery_raft_term", "The node's current Raft term.",
          static_cast<double>(raft.term().value()));
    // One series per role, 1 on the current one: a dashboard can sum leaders across nodes.
    w.Family("orrery_raft_role", "gauge", "1 for the node's current Raft role, 0 for the others.");
    for (raft::Role role : {raft::Role::kFollower, raft::Role::kPreCandidate,
                            raft::Role::kCandidate, raft::Role::kLeader, raft::Role::kLearner}) {
        w.Sample({{"role", std::string(raft::RoleName(role))}}, raft.role() == role ? 1 : 0);
    }
    std::optional<NodeId> leader = raft.leader();
    Gauge(w, "orrery_raft_leader", "The id of the leader this node knows of (0: none).",
          leader ? leader->value() : 0);
    Gauge(w, "orrery_raft_commit_index", "The highest log index known committed.",
          static_cast<double>(raft.commit_index().value()));
    Gauge(w, "orrery_raft_applied_index", "The highest log index the state machine applied.",
          static_cast<double>(raft.applied_index().value()));
    Gauge(w, "orrery_raft_last_index", "The index of the last entry in the log.",
          static_cast<double>(raft.last_index().value()));
    Gauge(w, "orrery_raft_snapshot_index", "The log index the latest snapshot covers.",
          static_cast<double>(raft.snapshot_index().value()));
    Counter(w, "orrery_raft_log_rewrites_total",
            "Times the log's tail was truncated or the log replaced by a snapshot.",
            static_cast<double>(raft.log_rewrites()));
    // Applied never passes commit; the lag is how far the state machine trails it.
    uint64_t commit = raft.commit_index().value(), applied = raft.applied_index().value();
    Gauge(w, "orrery_apply_lag_entries", "Committed entries not yet applied.",
          static_cast<double>(commit > applied ? commit - applied : 0));
}

void WriteRequests(TextWriter& w, const RequestCounters& c) {
    w.Family("orrery_requests_total", "counter", "Client requests that arrived, by operation.");
    for (const auto& [op, n] : c.requests) {
        w.Sample({{"op", std::string(RequestOpName(op))}}, static_cast<double>(n));
    }
    w.Family("orrery_replies_total", "counter", "Replies sent, by operation and outcome.");
    for (const auto& [key, n] : c.replies) {
        w.Sample({{"op", std::string(RequestOpName(key.first))},
                  {"code", std::string(ReplyCodeName(key.second))}},
                 static_cast<double>(n));
    }
    w.Family("orrery_request_seconds", "histogram",
             "Client request latency at this server, from arrival to reply.");
    for (const auto& [op, h] : c.latency) w.Histogram({{"op", std::string(RequestOpName(op))}}, h);
    Counter(w, "orrery_requests_unanswered_total",
            "Requests dropped from timing after 30 s without a reply (their clients retried).",
            static_cast<double>(c.unanswered));
}

void WriteSql(TextWriter& w, const SqlServer& sql) {
    Gauge(w, "orrery_sql_sessions", "SQL sessions open at this node.",
          static_cast<double>(sql.session_count()));
    Gauge(w, "orrery_sql_open_transactions", "SQL transactions open at this node.",
          static_cast<double>(sql.open_transactions()));
    Counter(w, "orrery_sql_statements_total", "SQL statements executed at this node.",
            static_cast<double>(sql.statements_executed()));
    Counter(w, "orrery_sql_commits_proposed_total", "SQL transaction commits proposed to Raft.",
            static_cast<double>(sql.commits_proposed()));
    Counter(w, "orrery_sql_sessions_expired_total", "SQL sessions closed for being idle.",
            static_cast<double>(sql.sessions_expired()));
    Counter(w, "orrery_sql_cancels_total", "Cancel requests that reached a running statement.",
            static_cast<double>(sql.cancels()));
}

void WriteEngine(TextWriter& w, storage::Engine& engine) {
    storage::EngineStatus s = engine.GetStatus();
    Gauge(w, "orrery_engine_disk_bytes", "Bytes in the storage engine's files.",
          static_cast<double>(s.disk_bytes));
    Gauge(w, "orrery_engine_garbage_bytes", "Bytes on disk that hold no live data (estimate).",
          static_cast<double>(s.garbage_bytes));
    Gauge(w, "orrery_engine_live_keys", "Keys present in the storage engine (estimate).",
          static_cast<double>(s.live_keys));
    Counter(w, "orrery_engine_user_bytes_written_total", "Key and value bytes written.",
            static_cast<double>(s.user_bytes_written));
    Counter(w, "orrery_engine_disk_bytes_written_total",
            "Bytes the engine wrote to disk (over user bytes: write amplification).",
            static_cast<double>(s.disk_bytes_written));
#if defined(ORRERY_HAVE_LSM)
    if (auto* lsm = dynamic_cast<storage::LsmEngine*>(&engine)) {
        storage::LsmStats stats = lsm->stats();
        Counter(w, "orrery_lsm_flushes_total", "Memtables written out as tables.",
                static_cast<double>(stats.flushes));
        Counter(w, "orrery_lsm_merges_total", "Compactions: runs merged into one.",
                static_cast<double>(stats.merges));
        Gauge(w, "orrery_lsm_runs", "Live sorted runs.", static_cast<double>(stats.runs));
    }
#endif
}

void WriteListeners(TextWriter& w, const std::vector<ListenerCounters>& listeners) {
    if (listeners.empty()) return;
    auto each = [&](std::string_view name, std::string_view type, std::string_view help,
                    auto field) {
        w.Family(name, type, help);
        for (const ListenerCounters& l : listeners) {
            w.Sample({{"protocol", l.protocol}}, static_cast<double>(field(l)));
        }
    };
    each("orrery_connections", "gauge", "Client connections open, by wire protocol.",
         [](const ListenerCounters& l) { return l.open; });
    each("orrery_connections_total", "counter", "Client connections accepted, by wire protocol.",
         [](const ListenerCounters& l) { return l.accepted; });
    each("orrery_statements_total", "counter", "Statements answered, by wire protocol.",
         [](const ListenerCounters& l) { return l.statements; });
    each("orrery_statement_errors_total", "counter",
         "Statements answered with an error, by wire protocol.",
         [](const ListenerCounters& l) { return l.errors; });
}

void WriteDisk(TextWriter& w, const TimedDisk* disk) {
    if (disk == nullptr) return;
    w.Family("orrery_fsync_seconds", "histogram",
             "fsync latency of the node's data directory (files and the directory).");
    w.Histogram({}, disk->syncs());
    Counter(w, "orrery_fsync_errors_total", "fsyncs that failed.",
            static_cast<double>(disk->sync_errors()));
}

std::string RenderLeaderless(const NodeMetricsSources& sources) {
    LeaderlessServer& server = *sources.leaderless;
    TextWriter w;
    Gauge(w, "orrery_up", "1 while the server runs, 0 once it halted on a failure.",
          server.halted() ? 0 : 1);
    Gauge(w, "orrery_leaderless_rf", "Replicas per key.", server.rf());
    const gossip::Swim& swim = server.gossip();
    std::map<std::string, uint64_t> by_state;
    for (gossip::State s : {gossip::State::kAlive, gossip::State::kSuspect, gossip::State::kDead,
                            gossip::State::kLeft}) {
        by_state[std::string(gossip::StateName(s))] = 0;
    }
    for (const auto& [id, m] : swim.table().members()) ++by_state[std::string(gossip::StateName(m.state))];
    w.Family("orrery_gossip_members", "gauge", "Members of this node's gossip table, by state.");
    for (const auto& [state, n] : by_state) w.Sample({{"state", state}}, static_cast<double>(n));
    Gauge(w, "orrery_gossip_incarnation", "This node's incarnation (bumped to refute a suspicion).",
          static_cast<double>(swim.incarnation()));
    Gauge(w, "orrery_gossip_period", "Gossip protocol periods since the node started.",
          static_cast<double>(swim.period()));
    const LeaderlessServer::Counters& c = server.counters();
    WriteRequests(w, c.requests);
    Gauge(w, "orrery_hints_pending", "Hints stored and not yet delivered.",
          static_cast<double>(server.hints().size()));
    Counter(w, "orrery_hints_stored_total", "Hints written for a replica that did not ack.",
            static_cast<double>(c.hints_stored));
    Counter(w, "orrery_hints_delivered_total", "Hints their target acked.",
            static_cast<double>(c.hints_delivered));
    Counter(w, "orrery_read_repairs_total", "Newer cells sent to replicas a read found stale.",
            static_cast<double>(c.read_repairs));
    // CASPaxos as this node's proposer ran it (lightweight transactions it coordinated).
    const paxos::Proposer::Stats& p = server.proposer().stats();
    w.Family("orrery_paxos_requests_total", "counter",
             "Lightweight transactions this node proposed, by outcome (unknown: may take effect).");
    w.Sample({{"outcome", "chosen"}}, static_cast<double>(p.chosen));
    w.Sample({{"outcome", "failed"}}, static_cast<double>(p.failed));
    w.Sample({{"outcome", "unknown"}}, static_cast<double>(p.unknown));
    Counter(w, "orrery_paxos_prepares_total", "Phase-1 rounds (Prepare) this node's proposer sent.",
            static_cast<double>(p.prepares));
    Counter(w, "orrery_paxos_fast_accepts_total",
            "Rounds that skipped phase 1 (the one-round-trip optimisation).",
            static_cast<double>(p.fast_accepts));
    Counter(w, "orrery_paxos_conflicts_total",
            "Rounds refused because an acceptor had seen a higher ballot.",
            static_cast<double>(p.conflicts));
    WriteEngine(w, server.engine());
    WriteDisk(w, sources.disk);
    return w.text();
}

}  // namespace

std::string RenderNodeMetrics(const NodeMetricsSources& sources) {
    ORRERY_ASSERT((sources.server == nullptr) != (sources.leaderless == nullptr),
                  "exactly one server");
    if (sources.leaderless != nullptr) return RenderLeaderless(sources);
    KvServer& server = *sources.server;
    TextWriter w;
    Gauge(w, "orrery_up", "1 while the server runs, 0 once it halted on a failure.",
          server.halted() ? 0 : 1);
    WriteRaft(w, server);
    WriteRequests(w, server.request_counters());
    WriteSql(w, server.sql());
    WriteEngine(w, server.engine());
    WriteDisk(w, sources.disk);
    WriteListeners(w, sources.listeners);
    return w.text();
}

namespace {

std::string Latency(const std::optional<Duration>& d, bool any) {
    if (!any) return "-";
    if (!d) return ">10s";
    if (d->us() < 1000) return fmt::format("{}us", d->us());
    if (d->us() < 1000000) return fmt::format("{}ms", d->us() / 1000.0);
    return fmt::format("{}s", d->us() / 1e6);
}

uint64_t Count(double v) { return v <= 0 ? 0 : static_cast<uint64_t>(v + 0.5); }

}  // namespace

Result<MetricsSummary> SummariseMetrics(const metrics::ParsedMetrics& scrape) {
    MetricsSummary out;
    std::optional<double> up = scrape.Find("orrery_up");
    std::optional<double> term = scrape.Find("orrery_raft_term");
    bool leaderless = !term && scrape.Find("orrery_gossip_period");
    if (!up || (!term && !leaderless)) {
        return Status::InvalidArgument(
            "not an Orrery node's scrape (no orrery_up, orrery_raft_term or orrery_gossip_period)");
    }
    out.up = *up == 1;
    out.term = term ? Count(*term) : 0;
    if (leaderless) out.role = "leaderless";
    for (const metrics::ParsedSample& s : scrape.samples) {
        if (s.name != "orrery_raft_role" || s.value != 1) continue;
        for (const auto& [label, value] : s.labels) {
            if (label == "role") out.role = value;
        }
    }
    out.commit = Count(scrape.Sum("orrery_raft_commit_index"));
    out.applied = Count(scrape.Sum("orrery_raft_applied_index"));
    out.apply_lag = Count(scrape.Sum("orrery_apply_lag_entries"));
    out.requests = Count(scrape.Sum("orrery_requests_total"));
    out.errors = Count(scrape.Sum("orrery_replies_total", {{"code", "error"}}) +
                       scrape.Sum("orrery_replies_total", {{"code", "aborted"}}) +
                       scrape.Sum("orrery_statement_errors_total"));
    if (auto h = scrape.Histogram("orrery_request_seconds"); h.ok()) {
        out.answered = h->count();
        out.request_p99 = h->QuantileUpperBound(0.99);
    }
    if (auto h = scrape.Histogram("orrery_fsync_seconds"); h.ok()) {
        out.fsyncs = h->count();
        out.fsync_p50 = h->QuantileUpperBound(0.5);
        out.fsync_p99 = h->QuantileUpperBound(0.99);
    }
    out.flushes = Count(scrape.Sum("orrery_lsm_flushes_total"));
    out.merges = Count(scrape.Sum("orrery_lsm_merges_total"));
    out.connections = Count(scrape.Sum("orrery_connections"));
    return out;
}

std::string MetricsSummaryHeader() {
    return fmt::format("{:<5} {:<3} {:<10} {:>5} {:>7} {:>7} {:>4} {:>8} {:>6} {:>8} {:>7} {:>8} {:>8} {:>7} {:>6} {:>5}",
                       "node", "up", "role", "term", "commit", "applied", "lag", "requests",
                       "errors", "req p99", "fsyncs", "sync p50", "sync p99", "flushes",
                       "merges", "conns");
}

std::string MetricsSummaryLine(std::string_view node, const MetricsSummary& m) {
    return fmt::format("{:<5} {:<3} {:<10} {:>5} {:>7} {:>7} {:>4} {:>8} {:>6} {:>8} {:>7} {:>8} {:>8} {:>7} {:>6} {:>5}",
                       node, m.up ? "yes" : "no", m.role.empty() ? "?" : m.role, m.term, m.commit,
                       m.applied, m.apply_lag, m.requests, m.errors,
                       Latency(m.request_p99, m.answered > 0), m.fsyncs,
                       Latency(m.fsync_p50, m.fsyncs > 0), Latency(m.fsync_p99, m.fsyncs > 0),
                       m.flushes, m.merges, m.connections);
}

}  // namespace orrery::node
