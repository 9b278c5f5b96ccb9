// SimNetwork: unreliable datagrams between simulated endpoints, with per-link latency, loss,
// duplication, reordering and cuts.
//
// Every Send is traced ("send", with to/len/h and, when rendering, msg), then decided:
//  - if the directed link from->to is cut, the message is dropped ("drop", reason=cut);
//  - with the link's drop probability it is lost ("drop", reason=loss);
//  - otherwise it is delivered after a latency uniform in [min_latency, max_latency], plus,
//    with the reorder probability, an extra delay uniform in [0, reorder_delay]; with the dup
//    probability a second copy with its own latency is scheduled too ("dup").
// At delivery time the message is dropped if the receiver is down (reason=down) or the link was
// cut while it was in flight (reason=cut); it waits if the receiver is paused; otherwise the
// receiver's handler runs from the event loop ("deliver", with from/len/h/msg).
//
// Draws for a message come from the *sender's* network generator, so adding a node never shifts
// another node's latencies. Cuts are directed; Partition/Isolate/Bridge are shorthands that cut
// sets of links in both directions. They apply to server nodes only unless a client is named.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/network.h"
#include "core/random.h"

namespace orrery::sim {

class Simulator;

// Parameters of one directed link.
struct LinkConfig {
    Duration min_latency = Duration::Millis(1);
    Duration max_latency = Duration::Millis(10);
    double drop = 0;                                // Probability a message is lost.
    double dup = 0;                                 // Probability a message is delivered twice.
    double reorder = 0;                             // Probability of an extra random delay.
    Duration reorder_delay = Duration::Millis(50);  // Largest extra delay.
};

// The hash of message bytes that "send"/"deliver"/"drop" events carry as field "h". It reads
// eight bytes at a time (the trace hash must not cost more than the message it describes).
uint64_t MessageHash(std::string_view bytes);

// Renders message bytes as a short human summary for the trace's "msg" field.
using MessageDescriber = std::function<std::string(std::string_view bytes)>;

// One endpoint's Network, handed to its process through Env.
class SimEndpoint final : public Network {
public:
    SimEndpoint(Simulator& sim, NodeId self, Random rng) : sim_(sim), self_(self), rng_(rng) {}

    NodeId self() const override { return self_; }
    void Send(NodeId to, std::string bytes) override;
    void SetHandler(Handler handler) override { handler_ = std::move(handler); }

    // The installed handler (may be empty). Used by the simulator to deliver.
    const Handler& handler() const { return handler_; }
    void ClearHandler() { handler_ = nullptr; }
    Random& rng() { return rng_; }

private:
    Simulator& sim_;
    NodeId self_;
    Random rng_;
    Handler handler_;
};

class SimNetwork {
public:
    explicit SimNetwork(Simulator& sim) : sim_(sim) {}

    // Link parameters: the default for every link, and optional per-link overrides.
    void SetDefaultLink(const LinkConfig& link) { default_link_ = link; }
    const LinkConfig& default_link() const { return default_link_; }
    void SetLink(NodeId from, NodeId to, const LinkConfig& link);
    void ClearLinkOverrides() { overrides_.clear(); }
    const LinkConfig& LinkFor(NodeId from, NodeId to) const;

    // Cuts or heals one directed link.
    void Cut(NodeId from, NodeId to);
    void Heal(NodeId from, NodeId to);
    // Cuts both directions between every pair of nodes in different groups. Nodes in no group
    // keep their links.
    void Partition(const std::vector<std::vector<NodeId>>& groups);
    // Cuts `node` off from every other server, both directions.
    void Isolate(NodeId node);
    // Cuts side_a from side_b both ways; `bridge` (in neither side) keeps its links to both.
    void Bridge(NodeId bridge, const std::vector<NodeId>& side_a,
                const std::vector<NodeId>& side_b);
    // Heals every cut.
    void HealAll() { cuts_.clear(); }

    // True iff messages from `from` to `to` are currently cut.
    bool IsCut(NodeId from, NodeId to) const {
        return !cuts_.empty() && cuts_.count({from.value(), to.value()}) != 0;
    }
    bool HasCuts() const { return !cuts_.empty(); }
    // The cut links as "1->2 2->1 ...", sorted (for traces and tests).
    std::string DescribeCuts() const;

    // Installs the describer used for the "msg" trace field (nullptr: none).
    void SetDescriber(MessageDescriber describer) { describer_ = std::move(describer); }
    const MessageDescriber& describer() const { return describer_; }

private:
    friend class SimEndpoint;

    Simulator& sim_;
    LinkConfig default_link_;
    std::map<std::pair<uint32_t, uint32_t>, LinkConfig> overrides_;
    std::set<std::pair<uint32_t, uint32_t>> cuts_;
    MessageDescriber describer_;
};

}  // namespace orrery::sim
