// SimNetwork: send-side decisions (cuts, loss, latency, duplication) and partition shapes.
// Delivery-side decisions live in Simulator::RunDelivery. See sim_network.h.
#include "sim/sim_network.h"

#include <fmt/format.h>

#include <cstring>

#include "core/assert.h"
#include "core/checksum.h"
#include "core/coding.h"
#include "sim/simulator.h"

namespace orrery::sim {

uint64_t MessageHash(std::string_view bytes) {
    constexpr uint64_t kMul = 0x9e3779b97f4a7c15ull;
    uint64_t h = Mix64(bytes.size() ^ kMul);
    size_t i = 0;
    for (; i + 8 <= bytes.size(); i += 8) h = (h ^ Mix64(DecodeFixed64(bytes.data() + i))) * kMul;
    if (i < bytes.size()) {
        uint64_t tail = 0;
        std::memcpy(&tail, bytes.data() + i, bytes.size() - i);
        h = (h ^ Mix64(tail ^ (bytes.size() - i))) * kMul;
    }
    return Mix64(h);
}

void SimEndpoint::Send(NodeId to, std::string bytes) {
    if (!sim_.IsUp(self_)) return;  // A process being destroyed by a crash says nothing.
    SimNetwork& net = sim_.network();
    SimTracer& tracer = sim_.tracer();
    SimStats& stats = sim_.mutable_stats();
    uint64_t hash = MessageHash(bytes);
    ++stats.messages_sent;
    if (tracer.rendering() && net.describer()) {
        std::string msg = net.describer()(bytes);
        tracer.Record(self_, "send",
                      {{"to", to}, {"len", bytes.size()}, {"h", hash}, {"msg", msg}});
    } else {
        tracer.Record(self_, "send", {{"to", to}, {"len", bytes.size()}, {"h", hash}});
    }
    const char* reason = nullptr;
    const LinkConfig& link = net.LinkFor(self_, to);
    if (net.IsCut(self_, to)) {
        reason = "cut";
    } else if (rng_.Chance(link.drop)) {
        reason = "loss";
    }
    if (reason != nullptr) {
        ++stats.messages_dropped;
        tracer.Record(self_, "drop", {{"to", to}, {"h", hash}, {"reason", reason}});
        return;
    }
    auto latency = [&] {
        Duration d = rng_.RangeDuration(link.min_latency, link.max_latency);
        if (rng_.Chance(link.reorder)) d = d + rng_.RangeDuration(Duration(0), link.reorder_delay);
        return d;
    };
    if (rng_.Chance(link.dup)) {
        ++stats.messages_duplicated;
        tracer.Record(self_, "dup", {{"to", to}, {"h", hash}});
        sim_.ScheduleDelivery(latency(), self_, to, bytes, hash);
    }
    sim_.ScheduleDelivery(latency(), self_, to, std::move(bytes), hash);
}

void SimNetwork::SetLink(NodeId from, NodeId to, const LinkConfig& link) {
    ORRERY_ASSERT(link.min_latency <= link.max_latency, "link latency min > max");
    overrides_[{from.value(), to.value()}] = link;
}

const LinkConfig& SimNetwork::LinkFor(NodeId from, NodeId to) const {
    if (overrides_.empty()) return default_link_;
    auto it = overrides_.find({from.value(), to.value()});
    return it == overrides_.end() ? default_link_ : it->second;
}

void SimNetwork::Cut(NodeId from, NodeId to) {
    cuts_.insert({from.value(), to.value()});
}

void SimNetwork::Heal(NodeId from, NodeId to) {
    cuts_.erase({from.value(), to.value()});
}

void SimNetwork::Partition(const std::vector<std::vector<NodeId>>& groups) {
    for (size_t i = 0; i < groups.size(); ++i) {
        for (size_t j = 0; j < groups.size(); ++j) {
            if (i == j) continue;
            for (NodeId a : groups[i]) {
                for (NodeId b : groups[j]) Cut(a, b);
            }
        }
    }
}

void SimNetwork::Isolate(NodeId node) {
    for (NodeId other : sim_.servers()) {
        if (other == node) continue;
        Cut(node, other);
        Cut(other, node);
    }
}

void SimNetwork::Bridge(NodeId bridge, const std::vector<NodeId>& side_a,
                        const std::vector<NodeId>& side_b) {
    for (NodeId n : side_a) ORRERY_ASSERT(n != bridge, "bridge {} inside side a", bridge);
    for (NodeId n : side_b) ORRERY_ASSERT(n != bridge, "bridge {} inside side b", bridge);
    Partition({side_a, side_b});
}

std::string SimNetwork::DescribeCuts() const {
    std::string out;
    for (const auto& [from, to] : cuts_) {
        if (!out.empty()) out += ' ';
        out += fmt::format("{}->{}", NodeId(from), NodeId(to));
    }
    return out;
}

}  // namespace orrery::sim
