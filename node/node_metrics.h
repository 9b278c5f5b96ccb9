// A node's metrics as one Prometheus scrape (text format 0.0.4, core/metrics.h).
//
// The host of a KvServer (`orrery node --metrics-port`, tools/cmd_node.cpp) calls
// RenderNodeMetrics on every scrape; it reads the counters the components keep and writes them,
// always the same families in the same order, so two scrapes compare line by line. The families:
//
//   orrery_up                           1 while the server runs, 0 once it halted
//   orrery_raft_term, _role{role}, _leader, _commit_index, _applied_index, _last_index,
//   orrery_raft_snapshot_index, _log_rewrites_total
//   orrery_apply_lag_entries            commit index minus applied index
//   orrery_requests_total{op}           client requests that arrived
//   orrery_replies_total{op,code}       replies sent, by outcome (ok, not-leader, error, ...)
//   orrery_request_seconds{op}          histogram: arrival to reply, at this server
//   orrery_requests_unanswered_total    requests that waited longer than 30 s and were dropped
//   orrery_sql_sessions, _open_transactions, _statements_total, _commits_proposed_total,
//   orrery_sql_sessions_expired_total, _cancels_total
//   orrery_engine_disk_bytes, _garbage_bytes, _live_keys, _user_bytes_written_total,
//   orrery_engine_disk_bytes_written_total
//   orrery_lsm_flushes_total, _merges_total, _runs  (the LSM engine only)
//   orrery_fsync_seconds                histogram (when the host times its disk: TimedDisk)
//   orrery_fsync_errors_total
//   orrery_connections{protocol}, orrery_connections_total{protocol},
//   orrery_statements_total{protocol}, orrery_statement_errors_total{protocol}
//                                       (for each wire-protocol listener the host runs)
//
// A node of the leaderless mode (node/leaderless_server.h) has no Raft, SQL or wire listeners;
// its scrape has orrery_up, the requests, replies and latency families above (labelled by op the
// same way), the engine and fsync families, and its own:
//
//   orrery_gossip_members{state}        members this node's table holds, by state
//   orrery_gossip_incarnation, orrery_gossip_period
//   orrery_hints_pending                hints stored and not yet delivered
//   orrery_hints_stored_total, orrery_hints_delivered_total
//   orrery_read_repairs_total           newer cells sent to replicas a read found stale
//   orrery_paxos_requests_total{outcome}  LWTs this node proposed: chosen, failed, unknown
//   orrery_paxos_prepares_total, orrery_paxos_fast_accepts_total, orrery_paxos_conflicts_total
//   orrery_leaderless_rf                the replication factor
#pragma once

#include <string>
#include <vector>

#include "core/timed_disk.h"
#include "node/kv_server.h"
#include "node/leaderless_server.h"

namespace orrery::node {

// What one wire-protocol listener (PostgreSQL, CQL) counts.
struct ListenerCounters {
    std::string protocol;       // "pg", "cql".
    uint64_t open = 0;          // Connections open now.
    uint64_t accepted = 0;      // Connections accepted since start.
    uint64_t statements = 0;    // Statements answered.
    uint64_t errors = 0;        // Statements answered with an error.
};

struct NodeMetricsSources {
    KvServer* server = nullptr;                    // Exactly one of server
    LeaderlessServer* leaderless = nullptr;        // and leaderless.
    const TimedDisk* disk = nullptr;   // Optional: no fsync histogram without it.
    std::vector<ListenerCounters> listeners;
};

// The scrape. REQUIRES: exactly one of sources.server and sources.leaderless.
std::string RenderNodeMetrics(const NodeMetricsSources& sources);

// One node's scrape read back and boiled down to a line of `orrery cluster status --metrics`.
struct MetricsSummary {
    bool up = false;
    std::string role;            // The role whose orrery_raft_role series is 1; "leaderless".
    uint64_t term = 0, commit = 0, applied = 0, apply_lag = 0;
    uint64_t requests = 0;       // Client requests that arrived.
    uint64_t errors = 0;         // Replies "error" or "aborted", and wire statements that failed.
    uint64_t answered = 0;       // Requests timed to their reply.
    std::optional<Duration> request_p99;  // Upper bucket bound; nullopt: above 10 s.
    uint64_t fsyncs = 0;
    std::optional<Duration> fsync_p50, fsync_p99;
    uint64_t flushes = 0, merges = 0;
    uint64_t connections = 0;    // Wire-protocol connections open now.
};

// Summarises a scrape RenderNodeMetrics wrote. kInvalidArgument when a family it needs is
// missing (the scrape is not an Orrery node's).
Result<MetricsSummary> SummariseMetrics(const metrics::ParsedMetrics& scrape);

// The header and one line of the summary table (columns line up).
std::string MetricsSummaryHeader();
std::string MetricsSummaryLine(std::string_view node, const MetricsSummary& summary);

}  // namespace orrery::node
