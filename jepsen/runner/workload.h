// Workload: what ClusterRun needs from a client workload, so that one run can drive the
// register workload (register_workload.h), the bank workload (bank_workload.h) or the Elle
// list-append workload (list_append_workload.h), and judge the history with the matching
// checker. MakeWorkload picks one by name.
//
// TxnWorkloadBase is the shared half of the two transactional workloads: the history, the
// counters, the stop switch, and TxnProcess, a simulated client endpoint running a TxnClient
// that records invoke/ok/fail/info in Jepsen's model (after an info the process is retired
// and continues under a fresh id: old id + number of clients).
//
// Invariant: history times are true virtual time (the simulator's), never a node's clock.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jepsen/checker/check.h"
#include "jepsen/history.h"
#include "jepsen/runner/register_workload.h"
#include "node/txn_client.h"
#include "sim/simulator.h"

namespace orrery::jepsen::runner {

class Workload {
public:
    virtual ~Workload() = default;
    // The factory for client endpoint number `index` (0-based) of the run.
    virtual sim::ProcessFactory ClientFactory(uint32_t index) = 0;
    // Stops invoking new operations (operations in flight still complete).
    virtual void Stop() = 0;
    virtual uint32_t busy_clients() const = 0;
    virtual const History& history() const = 0;
    virtual const WorkloadCounts& counts() const = 0;
    // The checker model (checker/check.h) that judges the history, and its options.
    virtual std::string_view model() const = 0;
    virtual checker::CheckOptions check_options() const { return {}; }
};

// The workloads a run accepts: kv, kv-pinned (kv with three pinned readers, which hunts stale
// reads: register_workload.h), bank, list-append, set, and sql-bank and sql-list-append (the
// same transactions written in SQL, run through SQL sessions at the nodes: sql_workload.h).
const std::vector<std::string>& WorkloadNames();

// Builds the workload `name` (REQUIRES: one of WorkloadNames()).
std::unique_ptr<Workload> MakeWorkload(std::string_view name, sim::Simulator& sim,
                                       const RegisterWorkloadOptions& options);

// The state the transactional workloads share.
class TxnWorkloadBase : public Workload {
public:
    TxnWorkloadBase(sim::Simulator& sim, RegisterWorkloadOptions options)
        : sim_(sim), options_(std::move(options)) {}

    void Stop() override { stopped_ = true; }
    bool stopped() const { return stopped_; }
    uint32_t busy_clients() const override { return busy_; }
    const History& history() const override { return history_; }
    const WorkloadCounts& counts() const override { return counts_; }
    const RegisterWorkloadOptions& options() const { return options_; }

protected:
    friend class TxnProcess;
    friend class SqlProcess;  // sql_workload.h
    sim::Simulator& sim_;
    RegisterWorkloadOptions options_;
    History history_;
    WorkloadCounts counts_;
    bool stopped_ = false;
    uint32_t busy_ = 0;
};

// One simulated client endpoint of a transactional workload. Subclasses implement Invoke():
// they call Start(f, value) once, run their transaction on client(), and call Finish(...)
// exactly once.
class TxnProcess : public sim::Process {
public:
    TxnProcess(Env& env, TxnWorkloadBase& workload, uint32_t index, std::string_view stream);
    ~TxnProcess() override;

protected:
    // Pauses a random think time, then calls Invoke() unless the workload stopped.
    void ScheduleNext();
    virtual void Invoke() = 0;
    // Records the invocation of function f with its arguments.
    void Start(std::string f, nlohmann::json value);
    // Records the completion and schedules the next operation. Info retires the process id.
    void Finish(OpType type, nlohmann::json value, std::string error);
    // Finishes from a TxnClient outcome: ok -> ok_value; fail -> fail; info -> info.
    void FinishFrom(const node::TxnOutcome& o, nlohmann::json ok_value);
    // Rolls back and fails the op: a read failed, so nothing was committed.
    void Abandon(const node::TxnOutcome& o);

    node::TxnClient& client() { return client_; }
    Random& rng() { return rng_; }
    TxnWorkloadBase& workload() { return workload_; }
    const nlohmann::json& invoked() const { return value_; }

private:
    Env& env_;
    TxnWorkloadBase& workload_;
    Random rng_;
    int64_t process_;
    node::TxnClient client_;
    std::optional<TimerId> timer_;
    std::string f_;
    nlohmann::json value_;
};

}  // namespace orrery::jepsen::runner
