// Nemesis: seeded fault injection during the safety phase, full repair at the liveness phase.
// See nemesis.h.
#include "sim/nemesis.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "core/assert.h"
#include "sim/simulator.h"

namespace orrery::sim {
namespace {

std::string Ids(const std::vector<NodeId>& ids) {
    std::vector<uint32_t> raw;
    for (NodeId id : ids) raw.push_back(id.value());
    return fmt::format("{}", fmt::join(raw, ","));
}

std::vector<NodeId> Sorted(std::vector<NodeId>::const_iterator first,
                           std::vector<NodeId>::const_iterator last) {
    std::vector<NodeId> v(first, last);
    std::sort(v.begin(), v.end());
    return v;
}

// Fisher-Yates with the nemesis generator (std::shuffle's algorithm is not specified).
void Shuffle(std::vector<NodeId>& v, Random& rng) {
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.Uniform(i)]);
}

}  // namespace

Nemesis::Nemesis(Simulator& sim, FaultPlan plan, Random rng)
    : sim_(sim), plan_(std::move(plan)), rng_(rng) {
    if (!plan_.partitions.empty()) actions_.push_back(Action::kPartition);
    if (plan_.crash) actions_.push_back(Action::kCrash);
    if (plan_.pause) actions_.push_back(Action::kPause);
    if (plan_.skew.us() > 0 || plan_.drift_ppm > 0) actions_.push_back(Action::kClock);
    if (plan_.disk_bitrot) actions_.push_back(Action::kBitrot);
    if (plan_.disk_full) actions_.push_back(Action::kFull);
}

void Nemesis::ConfigureServer(NodeId id) {
    if (!active_) return;
    DiskFaults faults;
    faults.sector_lost = plan_.disk_torn;
    faults.sector_garbage = plan_.disk_torn;
    faults.lose_unsynced_dir_ops = plan_.disk_lost_renames;
    faults.read_error = plan_.disk_read_errors;
    sim_.disk(id).SetFaults(faults);
    sim_.fault_points(id).SetProbability(plan_.buggify);
}

void Nemesis::Start() {
    // The plan's link faults replace the base link's (SimOptions::link) where it sets them.
    LinkConfig link = sim_.network().default_link();
    if (plan_.drop > 0) link.drop = plan_.drop;
    if (plan_.dup > 0) link.dup = plan_.dup;
    if (plan_.reorder > 0) link.reorder = plan_.reorder;
    sim_.network().SetDefaultLink(link);
    if (plan_.drop > 0 || plan_.dup > 0 || plan_.reorder > 0) {
        Inject("links",
               fmt::format("drop={} dup={} reorder={}", plan_.drop, plan_.dup, plan_.reorder));
    }
    if (plan_.disk_torn > 0 || plan_.disk_lost_renames > 0 || plan_.disk_read_errors > 0) {
        Inject("disks", fmt::format("torn={} lost-renames={} read-errors={}", plan_.disk_torn,
                                    plan_.disk_lost_renames, plan_.disk_read_errors));
    }
    if (plan_.buggify > 0) Inject("buggify", fmt::format("p={}", plan_.buggify));
    if (!actions_.empty()) ScheduleNext();
    Timestamp liveness = sim_.options().liveness_at;
    if (liveness != Timestamp::Max()) sim_.ScheduleAt(liveness, [this] { HealAll(); });
}

void Nemesis::ScheduleNext() {
    int64_t every = plan_.every.us();
    Duration wait(rng_.Range(every / 2, every + every / 2));
    uint64_t gen = generation_;
    sim_.ScheduleAt(sim_.Now() + wait, [this, gen] {
        if (gen != generation_ || !active_) return;
        Act();
        ScheduleNext();
    });
}

void Nemesis::Act() {
    switch (actions_[rng_.Uniform(actions_.size())]) {
        case Action::kPartition:
            DoPartition();
            return;
        case Action::kCrash:
            DoCrash();
            return;
        case Action::kPause:
            DoPause();
            return;
        case Action::kClock:
            DoClock();
            return;
        case Action::kBitrot:
            DoBitrot();
            return;
        case Action::kFull:
            DoFull();
            return;
    }
}

std::vector<NodeId> Nemesis::UpServers() const {
    std::vector<NodeId> up;
    for (NodeId id : sim_.servers()) {
        if (sim_.IsUp(id)) up.push_back(id);
    }
    return up;
}

void Nemesis::DoPartition() {
    if (partitioned_) {
        sim_.network().HealAll();
        partitioned_ = false;
        flap_majority_.clear();
        Healed("partition", "");
        return;
    }
    CutPartition(plan_.partitions[rng_.Uniform(plan_.partitions.size())]);
}

void Nemesis::CutPartition(PartitionKind kind) {
    std::vector<NodeId> servers = sim_.servers();
    if (servers.size() < 2) return;
    SimNetwork& net = sim_.network();
    Shuffle(servers, rng_);
    std::string detail;
    if (kind == PartitionKind::kHalves || kind == PartitionKind::kFlap ||
        (kind == PartitionKind::kBridge && servers.size() < 3)) {
        size_t split = servers.size() / 2;
        std::optional<NodeId> leader;
        if (kind == PartitionKind::kFlap) {
            // The minority is the leader (or a random server if none is known) and one other.
            leader = Leader();
            if (leader) {
                std::iter_swap(servers.begin(), std::find(servers.begin(), servers.end(), *leader));
            }
            split = std::clamp<size_t>((servers.size() - 1) / 2, 1, 2);
        } else {
            kind = PartitionKind::kHalves;
        }
        std::vector<NodeId> a = Sorted(servers.begin(), servers.begin() + split),
                            b = Sorted(servers.begin() + split, servers.end());
        net.Partition({a, b});
        detail = fmt::format("{}|{}", Ids(a), Ids(b));
        if (kind == PartitionKind::kFlap) {
            // Without an oracle no leader can be seen: the cut just stays until healed.
            if (sim_.leader_oracle()) flap_majority_ = b;
            if (!leader) detail += " (no leader known)";
        }
    } else if (kind == PartitionKind::kIsolate || kind == PartitionKind::kLeader) {
        std::optional<NodeId> leader = kind == PartitionKind::kLeader ? Leader() : std::nullopt;
        NodeId victim = leader ? *leader : servers[0];
        net.Isolate(victim);
        detail = fmt::format("{}{}", victim,
                             kind == PartitionKind::kLeader && !leader ? " (no leader known)" : "");
    } else if (kind == PartitionKind::kBridge) {
        NodeId bridge = servers[0];
        size_t half = 1 + (servers.size() - 1) / 2;
        std::vector<NodeId> a = Sorted(servers.begin() + 1, servers.begin() + half),
                            b = Sorted(servers.begin() + half, servers.end());
        net.Bridge(bridge, a, b);
        detail = fmt::format("{}|{}|{} bridge={}", Ids(a), bridge.value(), Ids(b), bridge);
    } else {
        net.Cut(servers[0], servers[1]);
        detail = fmt::format("{}->{}", servers[0], servers[1]);
    }
    partitioned_ = true;
    Inject("partition", fmt::format("{} {}", PartitionKindName(kind), detail));
}

std::optional<NodeId> Nemesis::Leader() const {
    const auto& oracle = sim_.leader_oracle();
    return oracle ? oracle() : std::nullopt;
}

void Nemesis::Watch() {
    if (!watching()) return;  // HealAll and every heal clear the wait.
    std::optional<NodeId> leader = Leader();
    if (!leader || !std::binary_search(flap_majority_.begin(), flap_majority_.end(), *leader)) {
        return;
    }
    flap_majority_.clear();
    sim_.network().HealAll();
    sim_.network().Isolate(*leader);
    Inject("partition", fmt::format("flap moved: isolate {}", *leader));
}

void Nemesis::DoCrash() {
    std::vector<NodeId> up = UpServers();
    size_t total = sim_.servers().size();
    size_t max_down = (total - 1) / 2;
    if (up.empty() || total - up.size() >= max_down) return;
    NodeId victim = up[rng_.Uniform(up.size())];
    Duration down_for(rng_.Range(Duration::Millis(200).us(), Duration::Seconds(3).us()));
    Inject("crash", fmt::format("{} for {}", victim, FormatDuration(down_for)));
    sim_.Crash(victim);
    uint64_t gen = generation_;
    sim_.ScheduleAt(sim_.Now() + down_for, [this, victim, gen] {
        if (gen != generation_ || sim_.IsUp(victim)) return;
        sim_.Restart(victim);
        Healed("crash", fmt::format("{}", victim));
    });
}

void Nemesis::DoPause() {
    std::vector<NodeId> candidates;
    for (NodeId id : UpServers()) {
        if (!sim_.IsPaused(id)) candidates.push_back(id);
    }
    if (candidates.empty()) return;
    NodeId victim = candidates[rng_.Uniform(candidates.size())];
    Duration pause_for(rng_.Range(Duration::Millis(100).us(), Duration::Seconds(2).us()));
    Inject("pause", fmt::format("{} for {}", victim, FormatDuration(pause_for)));
    sim_.Pause(victim);
    uint64_t gen = generation_;
    sim_.ScheduleAt(sim_.Now() + pause_for, [this, victim, gen] {
        if (gen != generation_ || !sim_.IsPaused(victim)) return;
        sim_.Resume(victim);
        Healed("pause", fmt::format("{}", victim));
    });
}

void Nemesis::DoClock() {
    std::vector<NodeId> servers = sim_.servers();
    NodeId victim = servers[rng_.Uniform(servers.size())];
    Duration skew(rng_.Range(-plan_.skew.us(), plan_.skew.us()));
    int64_t drift = rng_.Range(-plan_.drift_ppm, plan_.drift_ppm);
    sim_.clock(victim).SetSkew(skew);
    sim_.clock(victim).SetDriftPpm(drift);
    Inject("clock", fmt::format("{} skew={}us drift={}ppm", victim, skew.us(), drift));
}

void Nemesis::DoBitrot() {
    std::vector<NodeId> servers = sim_.servers();
    NodeId victim = servers[rng_.Uniform(servers.size())];
    std::vector<std::string> files = sim_.disk(victim).List().value();
    uint64_t position = rng_.Next();
    if (files.empty()) return;
    const std::string& file = files[rng_.Uniform(files.size())];
    if (!sim_.disk(victim).RotBit(file, position).ok()) return;  // Empty file: nothing to rot.
    Inject("bitrot", fmt::format("{} {}", victim, file));
}

void Nemesis::DoFull() {
    std::vector<NodeId> servers = sim_.servers();
    NodeId victim = servers[rng_.Uniform(servers.size())];
    SimDisk& disk = sim_.disk(victim);
    if (disk.faults().capacity_bytes != 0) return;  // Already full.
    DiskFaults faults = disk.faults();
    faults.capacity_bytes = std::max<uint64_t>(disk.UsedBytes(), 1);
    disk.SetFaults(faults);
    Duration full_for(rng_.Range(Duration::Millis(500).us(), Duration::Seconds(3).us()));
    Inject("full", fmt::format("{} at {} bytes for {}", victim, faults.capacity_bytes,
                               FormatDuration(full_for)));
    uint64_t gen = generation_;
    sim_.ScheduleAt(sim_.Now() + full_for, [this, victim, gen] {
        if (gen != generation_) return;
        DiskFaults f = sim_.disk(victim).faults();
        f.capacity_bytes = 0;
        sim_.disk(victim).SetFaults(f);
        Healed("full", fmt::format("{}", victim));
    });
}

void Nemesis::HealAll() {
    active_ = false;
    ++generation_;
    partitioned_ = false;
    flap_majority_.clear();
    sim_.network().HealAll();
    sim_.network().SetDefaultLink(sim_.options().link);
    sim_.network().ClearLinkOverrides();
    for (NodeId id : sim_.servers()) {
        sim_.disk(id).SetFaults(DiskFaults{});
        sim_.fault_points(id).SetProbability(0);
        sim_.clock(id).SetDriftPpm(0);
        if (sim_.IsPaused(id)) sim_.Resume(id);
        if (!sim_.IsUp(id)) sim_.Restart(id);
    }
    Healed("all", "liveness phase");
}

void Nemesis::Inject(std::string_view what, std::string_view detail) {
    ++sim_.mutable_stats().faults[std::string(what)];
    sim_.tracer().Record(NodeId(0), "fault", {{"what", what}, {"detail", detail}});
}

void Nemesis::Healed(std::string_view what, std::string_view detail) {
    sim_.tracer().Record(NodeId(0), "heal", {{"what", what}, {"detail", detail}});
}

}  // namespace orrery::sim
