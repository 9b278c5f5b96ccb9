// The register workload's client processes. See register_workload.h.
#include "jepsen/runner/register_workload.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace orrery::jepsen::runner {
namespace {

// A pinned reader whose server does not lead gives up soon (a read that fails is harmless),
// polling every 50 ms meanwhile, so the next read asks again with a fresh invocation time:
// reads invoked while a deposed leader still believes it leads are the ones that expose it.
// (150 ms caught raft.stale-read in 5 of 200 smoke seeds; 500 ms in 4.)
constexpr Duration kPinnedReadTimeout = Duration::Millis(150);
constexpr Duration kPinnedReadBackoff = Duration::Millis(50);

}  // namespace

// One simulated client endpoint: a KvClient plus the op generator.
class RegisterClientProcess final : public sim::Process {
public:
    RegisterClientProcess(Env& env, RegisterWorkload& workload, uint32_t index)
        : env_(env),
          workload_(workload),
          rng_(env.random.Fork("register-workload")),
          process_(index),
          pinned_(index < workload.options().pinned_readers),
          client_(env, ClientOptions(env, workload, index)) {
        ScheduleNext();
    }

    ~RegisterClientProcess() override {
        if (timer_) env_.clock.CancelTimer(*timer_);
    }

private:
    static node::KvClientOptions ClientOptions(Env& env, const RegisterWorkload& w,
                                               uint32_t index) {
        node::KvClientOptions o = w.options().client;
        o.client_id = env.node.value();  // Endpoint ids are unique, and read well in traces.
        if (w.options().spread_coordinators && !o.servers.empty()) {
            std::rotate(o.servers.begin(), o.servers.begin() + index % o.servers.size(),
                        o.servers.end());
        }
        if (index < w.options().pinned_readers) {
            // One server only: the client retries it until it answers or the op times out.
            o.servers = {o.servers[index % o.servers.size()]};
            o.op_timeout = kPinnedReadTimeout;
            o.retry_backoff = kPinnedReadBackoff;
        }
        return o;
    }

    void ScheduleNext() {
        if (workload_.stopped()) return;
        Duration think(rng_.Range(0, workload_.options().think_max.us()));
        timer_ = env_.clock.SetTimer(think, [this] {
            timer_.reset();
            Invoke();
        });
    }

    void Invoke();
    void Complete(const node::KvOutcome& outcome);
    void Record(OpType type, nlohmann::json value, std::string error, NodeId server = NodeId());

    Env& env_;
    RegisterWorkload& workload_;
    Random rng_;
    int64_t process_;
    bool pinned_;  // A pinned reader: reads only, from one server.
    node::KvClient client_;
    std::optional<TimerId> timer_;
    std::string f_;     // The op in flight: function, key, invoke value.
    std::string key_;
    nlohmann::json value_;
};

namespace {

nlohmann::json ParseRegisterValue(const std::string& text) {
    int64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec == std::errc() && end == text.data() + text.size()) return v;
    return text;  // Not written by this workload; the checker will flag it.
}

}  // namespace

void RegisterClientProcess::Invoke() {
    if (workload_.stopped()) return;
    const uint32_t keys = workload_.options().keys;
    key_ = fmt::format("k{}", rng_.Uniform(keys));
    auto done = [this](const node::KvOutcome& o) { Complete(o); };
    uint64_t f = rng_.Uniform(3);
    if (pinned_) f = 0;  // Drawn anyway, so the key and value streams do not depend on it.
    switch (f) {
        case 0:
            f_ = "read";
            value_ = nullptr;
            Record(OpType::kInvoke, value_, "");
            client_.Get(key_, done);
            break;
        case 1: {
            int64_t v = rng_.Range(0, 4);
            f_ = "write";
            value_ = v;
            Record(OpType::kInvoke, value_, "");
            client_.Put(key_, std::to_string(v), done);
            break;
        }
        default: {
            int64_t expected = rng_.Range(0, 4);
            int64_t v = rng_.Range(0, 4);
            f_ = "cas";
            value_ = nlohmann::json::array({expected, v});
            Record(OpType::kInvoke, value_, "");
            client_.Cas(key_, std::to_string(expected), std::to_string(v), done);
            break;
        }
    }
    ++workload_.busy_;
    ++workload_.counts_.invoked;
}

void RegisterClientProcess::Complete(const node::KvOutcome& o) {
    --workload_.busy_;
    switch (o.type) {
        case node::KvOutcome::Type::kOk: {
            ++workload_.counts_.ok;
            nlohmann::json result = value_;
            if (f_ == "read") {
                result = o.code == node::ReplyCode::kNotFound ? nlohmann::json(nullptr)
                                                              : ParseRegisterValue(o.value);
            }
            Record(OpType::kOk, result, "", o.server);
            break;
        }
        case node::KvOutcome::Type::kFail:
            ++workload_.counts_.fail;
            Record(OpType::kFail, value_, o.error, o.server);
            break;
        case node::KvOutcome::Type::kInfo:
            ++workload_.counts_.info;
            Record(OpType::kInfo, value_, o.error, o.server);
            // Jepsen retires a process after an info: its op may still happen at any time.
            process_ += workload_.options().clients;
            break;
    }
    ScheduleNext();
}

void RegisterClientProcess::Record(OpType type, nlohmann::json value, std::string error,
                                   NodeId server) {
    std::string rendered = value.dump();
    env_.tracer.Record(env_.node, OpTypeName(type),
                       {{"process", process_}, {"f", f_}, {"key", key_}, {"value", rendered}});
    Op op;
    op.time_us = workload_.sim_.Now().us();
    op.process = process_;
    op.type = type;
    op.f = f_;
    op.key = key_;
    op.value = std::move(value);
    op.error = std::move(error);
    op.node = env_.node.value();
    op.server = server.value();
    workload_.history_.Append(std::move(op));
}

sim::ProcessFactory RegisterWorkload::ClientFactory(uint32_t index) {
    return [this, index](Env& env) -> std::unique_ptr<sim::Process> {
        return std::make_unique<RegisterClientProcess>(env, *this, index);
    };
}

}  // namespace orrery::jepsen::runner
