// The ping demo workload and its checks. See ping.h.
#include "sim/ping.h"

#include <fmt/format.h>

#include "core/checksum.h"
#include "core/coding.h"

namespace orrery::sim {
namespace {

constexpr uint8_t kPing = 1;
constexpr uint8_t kPong = 2;
constexpr uint64_t kPersistEvery = 10;
constexpr char kCountFile[] = "pongs";

std::string EncodeMessage(uint8_t type, uint64_t seq) {
    std::string out(1, static_cast<char>(type));
    PutVarint64(&out, seq);
    return out;
}

bool DecodeMessage(std::string_view bytes, uint8_t* type, uint64_t* seq) {
    Decoder d(bytes);
    return d.GetU8(type) && (*type == kPing || *type == kPong) && d.GetVarint64(seq) && d.empty();
}

// The count file: [count: fixed64][masked crc32c of the count: fixed32].
std::string EncodeCount(uint64_t count) {
    std::string out;
    PutFixed64(&out, count);
    PutFixed32(&out, MaskCrc(Crc32c(out)));
    return out;
}

Result<uint64_t> DecodeCount(std::string_view bytes) {
    if (bytes.size() != 12)
        return Status::Corruption(fmt::format("count file has {} bytes", bytes.size()));
    if (UnmaskCrc(DecodeFixed32(bytes.data() + 8)) != Crc32c(bytes.substr(0, 8))) {
        return Status::Corruption("count file checksum mismatch");
    }
    return DecodeFixed64(bytes.data());
}

class PingProcess final : public Process {
public:
    PingProcess(Env& env, PingNodeState& state, uint32_t nodes)
        : env_(env), state_(state), nodes_(nodes) {
        Recover();
        env_.network.SetHandler(
            [this](NodeId from, std::string_view bytes) { OnMessage(from, bytes); });
        ArmTimer();
    }

private:
    void ArmTimer() {
        env_.clock.SetTimer(Duration(env_.random.Range(20'000, 60'000)), [this] { OnTimer(); });
    }

    void OnTimer() {
        if (nodes_ > 1) {
            // A random peer other than ourselves.
            uint32_t peer = 1 + static_cast<uint32_t>(env_.random.Uniform(nodes_ - 1));
            if (peer >= env_.node.value()) ++peer;
            env_.network.Send(NodeId(peer), EncodeMessage(kPing, ++next_seq_));
        }
        ArmTimer();
    }

    void OnMessage(NodeId from, std::string_view bytes) {
        uint8_t type = 0;
        uint64_t seq = 0;
        if (!DecodeMessage(bytes, &type, &seq)) return;  // Never trust the wire.
        if (type == kPing) {
            env_.network.Send(from, EncodeMessage(kPong, seq));
            return;
        }
        ++count_;
        ++state_.pongs;
        if (count_ % kPersistEvery == 0) Persist();
    }

    void Persist() {
        Status s = env_.disk.WriteAtomically(kCountFile, EncodeCount(count_));
        if (!s.ok()) {
            env_.tracer.Record(env_.node, "note", {{"text", "persist failed: " + s.ToString()}});
            return;
        }
        state_.persisted = count_;
        state_.has_persisted = true;
    }

    void Recover() {
        auto bytes = env_.disk.ReadAll(kCountFile);
        Result<uint64_t> count =
            bytes.ok() ? DecodeCount(*bytes) : Result<uint64_t>(bytes.status());
        if (count.ok()) {
            count_ = *count;
            if (!state_.has_persisted || count_ != state_.persisted) {
                state_.violation = fmt::format("{} recovered {} pongs but last persisted {}",
                                               env_.node, count_, state_.persisted);
            }
            ++state_.recoveries;
            env_.tracer.Record(env_.node, "note",
                               {{"text", fmt::format("recovered pongs={}", count_)}});
            return;
        }
        if (count.status().Is(Code::kNotFound)) {
            if (state_.has_persisted) {
                state_.violation = fmt::format("{} lost its count file (last persisted {})",
                                               env_.node, state_.persisted);
            }
            return;
        }
        // A detected read error or corruption: allowed, and the count restarts from zero.
        ++state_.recovery_errors;
        state_.has_persisted = false;
        env_.tracer.Record(env_.node, "note", {{"text", "recovery: " + count.status().ToString()}});
    }

    Env& env_;
    PingNodeState& state_;
    uint32_t nodes_;
    uint64_t next_seq_ = 0;
    uint64_t count_ = 0;
};

SimOptions MakeSimOptions(const PingOptions& o) {
    SimOptions s;
    s.seed = o.seed;
    s.faults = o.faults;
    s.node_count = o.nodes;
    Duration liveness = std::min(o.liveness, o.duration / 2);
    s.liveness_at = Timestamp(0) + (o.duration - liveness);
    s.replay_command = o.replay_command;
    s.trace_path = o.trace_path;
    return s;
}

}  // namespace

std::string DescribePingMessage(std::string_view bytes) {
    uint8_t type = 0;
    uint64_t seq = 0;
    if (!DecodeMessage(bytes, &type, &seq)) return "garbled";
    return fmt::format("{} seq={}", type == kPing ? "Ping" : "Pong", seq);
}

ProcessFactory MakePingProcess(PingWorld& world, uint32_t nodes) {
    return [&world, nodes](Env& env) -> std::unique_ptr<Process> {
        return std::make_unique<PingProcess>(env, world.nodes[env.node], nodes);
    };
}

PingRun::PingRun(const PingOptions& options)
    : sim_(MakeSimOptions(options)),
      liveness_at_(sim_.options().liveness_at),
      end_(Timestamp(0) + options.duration) {
    sim_.network().SetDescriber(DescribePingMessage);
    sim_.AddNodes(MakePingProcess(world_, options.nodes));
    sim_.AddInvariant([this] { return CheckRecovery(); });
    if (liveness_at_ < end_) {
        auto pongs_then = std::make_shared<std::map<NodeId, uint64_t>>();
        sim_.ScheduleAt(liveness_at_, [this, pongs_then] {
            for (const auto& [id, st] : world_.nodes) (*pongs_then)[id] = st.pongs;
        });
        Timestamp check_at = std::min(end_, liveness_at_ + kPingLivenessBound);
        sim_.ScheduleAt(check_at, [this, pongs_then] {
            for (const auto& [id, st] : world_.nodes) {
                if (st.pongs > (*pongs_then)[id]) continue;
                sim_.Fail(Status::Unavailable(
                    fmt::format("liveness: {} received no pong within {} of the liveness phase", id,
                                FormatDuration(kPingLivenessBound))));
                return;
            }
        });
    }
}

Status PingRun::CheckRecovery() const {
    for (const auto& [id, st] : world_.nodes) {
        if (!st.violation.empty()) return Status::Corruption(st.violation);
    }
    return Status::Ok();
}

Status PingRun::Run() {
    return sim_.RunUntil(end_);
}

}  // namespace orrery::sim
