// The workload registry, the register adapter, and the shared transactional client process.
// See workload.h.
#include "jepsen/runner/workload.h"

#include <algorithm>

#include "jepsen/runner/bank_workload.h"
#include "jepsen/runner/list_append_workload.h"
#include "jepsen/runner/set_workload.h"
#include "jepsen/runner/sql_workload.h"

namespace orrery::jepsen::runner {
namespace {

// The register workload behind the Workload interface (register_workload.h is unchanged).
class RegisterAdapter final : public Workload {
public:
    RegisterAdapter(sim::Simulator& sim, RegisterWorkloadOptions options)
        : workload_(sim, std::move(options)) {}
    sim::ProcessFactory ClientFactory(uint32_t index) override {
        return workload_.ClientFactory(index);
    }
    void Stop() override { workload_.Stop(); }
    uint32_t busy_clients() const override { return workload_.busy_clients(); }
    const History& history() const override { return workload_.history(); }
    const WorkloadCounts& counts() const override { return workload_.counts(); }
    std::string_view model() const override { return "kv"; }

private:
    RegisterWorkload workload_;
};

// kv-pinned: the register workload with this many pinned readers (register_workload.h). Three
// readers on nodes 1..3 caught raft.stale-read in 4-5 of 200 smoke seeds, two in 2 of 200.
constexpr uint32_t kPinnedReaders = 3;

}  // namespace

const std::vector<std::string>& WorkloadNames() {
    static const std::vector<std::string> kNames = {
        "kv", "kv-pinned", "bank", "list-append", "set", "lwt", "sql-bank", "sql-list-append"};
    return kNames;
}

std::unique_ptr<Workload> MakeWorkload(std::string_view name, sim::Simulator& sim,
                                       const RegisterWorkloadOptions& options) {
    if (name == "bank") return std::make_unique<BankWorkload>(sim, options);
    if (name == "list-append") return std::make_unique<ListAppendWorkload>(sim, options);
    if (name == "set") return std::make_unique<SetWorkload>(sim, options);
    if (name == "sql-bank") return std::make_unique<SqlBankWorkload>(sim, options);
    if (name == "sql-list-append") return std::make_unique<SqlListAppendWorkload>(sim, options);
    if (name == "kv-pinned") {
        RegisterWorkloadOptions pinned = options;
        pinned.pinned_readers = std::min(kPinnedReaders, options.clients);
        return std::make_unique<RegisterAdapter>(sim, std::move(pinned));
    }
    // lwt (leaderless mode only) is the register workload; its servers run it as LWT.
    ORRERY_ASSERT(name == "kv" || name == "lwt", "unknown workload {}", name);
    return std::make_unique<RegisterAdapter>(sim, options);
}

TxnProcess::TxnProcess(Env& env, TxnWorkloadBase& workload, uint32_t index,
                       std::string_view stream)
    : env_(env),
      workload_(workload),
      rng_(env.random.Fork(stream)),
      process_(index),
      client_(env, [&] {
          node::KvClientOptions o = workload.options().client;
          o.client_id = env.node.value();  // Endpoint ids are unique, and read well in traces.
          return o;
      }()) {}

TxnProcess::~TxnProcess() {
    if (timer_) env_.clock.CancelTimer(*timer_);
}

void TxnProcess::ScheduleNext() {
    if (workload_.stopped()) return;
    Duration think(rng_.Range(0, workload_.options().think_max.us()));
    timer_ = env_.clock.SetTimer(think, [this] {
        timer_.reset();
        if (!workload_.stopped()) Invoke();
    });
}

void TxnProcess::Start(std::string f, nlohmann::json value) {
    f_ = std::move(f);
    value_ = std::move(value);
    ++workload_.busy_;
    ++workload_.counts_.invoked;
    Op op;
    op.time_us = workload_.sim_.Now().us();
    op.process = process_;
    op.type = OpType::kInvoke;
    op.f = f_;
    op.value = value_;
    env_.tracer.Record(env_.node, "invoke",
                       {{"process", process_}, {"f", f_}, {"value", op.value.dump()}});
    workload_.history_.Append(std::move(op));
}

void TxnProcess::Finish(OpType type, nlohmann::json value, std::string error) {
    --workload_.busy_;
    if (type == OpType::kOk) ++workload_.counts_.ok;
    if (type == OpType::kFail) ++workload_.counts_.fail;
    if (type == OpType::kInfo) ++workload_.counts_.info;
    Op op;
    op.time_us = workload_.sim_.Now().us();
    op.process = process_;
    op.type = type;
    op.f = f_;
    op.value = std::move(value);
    op.error = std::move(error);
    env_.tracer.Record(env_.node, OpTypeName(type),
                       {{"process", process_}, {"f", f_}, {"value", op.value.dump()}});
    workload_.history_.Append(std::move(op));
    // Jepsen retires a process after an info: its op may still happen at any time.
    if (type == OpType::kInfo) process_ += workload_.options().clients;
    ScheduleNext();
}

void TxnProcess::FinishFrom(const node::TxnOutcome& o, nlohmann::json ok_value) {
    switch (o.type) {
        case node::KvOutcome::Type::kOk: return Finish(OpType::kOk, std::move(ok_value), "");
        case node::KvOutcome::Type::kFail: return Finish(OpType::kFail, value_, o.error);
        case node::KvOutcome::Type::kInfo: return Finish(OpType::kInfo, value_, o.error);
    }
}

void TxnProcess::Abandon(const node::TxnOutcome& o) {
    client_.Rollback();
    Finish(OpType::kFail, value_, o.error.empty() ? "read failed" : o.error);
}

}  // namespace orrery::jepsen::runner
