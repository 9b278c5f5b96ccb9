// Campaigns over seeds. See campaign.h.
#include "jepsen/runner/campaign.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace orrery::jepsen::runner {
namespace {


std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

}  // namespace

std::string ProfileFaultPlan(std::string_view profile) {
    std::string every = profile == "full" ? "1s" : "500ms";
    return "partition,drop=0.02,dup=0.02,reorder=0.1,crash,pause,skew=200ms,drift=500,"
           "disk-torn,disk-lost-renames,disk-read-errors=0.001,buggify,every=" + every;
}

Result<RunOptions> ProfileOptions(std::string_view profile, uint64_t seed) {
    if (profile != "smoke" && profile != "full") {
        return Status::InvalidArgument(fmt::format("unknown profile \"{}\" (smoke, full)", profile));
    }
    auto plan = sim::FaultPlan::Parse(ProfileFaultPlan(profile));
    ORRERY_ASSERT(plan.ok(), "profile plan: {}", plan.status().ToString());
    RunOptions o;
    o.seed = seed;
    o.nodes = 5;
    o.clients = 5;
    o.faults = *plan;
    o.duration = profile == "full" ? Duration::Seconds(30) : Duration::Seconds(5);
    return o;
}

uint64_t CampaignSummary::failed_seeds() const {
    uint64_t n = 0;
    for (const auto& [kind, count] : failures_by_kind) n += count;
    return n;
}

Result<CampaignSummary> RunCampaign(const CampaignOptions& options) {
    if (options.last_seed < options.first_seed) return Status::InvalidArgument("empty seed range");
    if (options.stride == 0) return Status::InvalidArgument("stride must be positive");
    if (options.last_seed - options.first_seed >= kMaxCampaignSeeds) {
        return Status::InvalidArgument("too many seeds for one campaign");
    }
    ORRERY_RETURN_IF_ERROR(ProfileOptions(options.profile, 0).status());
    CampaignSummary sum;
    sum.profile = options.profile;
    double wall_start = options.wall_seconds ? options.wall_seconds() : 0;
    for (uint64_t seed = options.first_seed;; ++seed) {
        RunOptions o = ProfileOptions(options.profile, seed).value();
        o.bugs = options.bugs;
        o.workload = options.workload;
        o.mode = options.mode;
        o.consistency = options.consistency;
        o.rf = options.rf;
        o.check_linearizability = options.check_linearizability;
        if (options.duration) o.duration = *options.duration;
        ORRERY_ASSIGN_OR_RETURN(RunResult r, RunCluster(o));
        ++sum.seeds_run;
        sum.ops_ok += r.ops.ok;
        sum.ops_fail += r.ops.fail;
        sum.ops_info += r.ops.info;
        sum.leader_changes += r.leader_changes;
        for (const auto& [kind, n] : r.faults) {
            sum.faults_injected += n;
            sum.faults_by_kind[kind] += n;
        }
        for (const auto& [kind, n] : r.effects) sum.effects[kind] += n;
        sum.events += r.events;
        sum.simulated_seconds += static_cast<double>(r.simulated.us()) / 1e6;
        if (r.failed()) {
            std::string kind = r.FailureKind();
            ++sum.failures_by_kind[kind];
            if (sum.failures.size() < kMaxListedFailures) {
                sum.failures.push_back({seed, kind, FirstLine(r.FailureMessage()), r.replay});
            }
        }
        if (options.on_run) options.on_run(r);
        if (options.last_seed - seed < options.stride) break;
        seed += options.stride - 1;
    }
    sum.ops = sum.ops_ok + sum.ops_fail + sum.ops_info;
    if (options.wall_seconds) sum.wall_seconds = options.wall_seconds() - wall_start;
    return sum;
}

void MergeCampaignSummary(CampaignSummary* into, const CampaignSummary& part) {
    into->seeds_run += part.seeds_run;
    for (const auto& [k, n] : part.failures_by_kind) into->failures_by_kind[k] += n;
    for (const auto& f : part.failures) {
        if (into->failures.size() < kMaxListedFailures) into->failures.push_back(f);
    }
    std::sort(into->failures.begin(), into->failures.end(),
              [](const CampaignFailure& a, const CampaignFailure& b) { return a.seed < b.seed; });
    into->ops += part.ops;
    into->ops_ok += part.ops_ok;
    into->ops_fail += part.ops_fail;
    into->ops_info += part.ops_info;
    into->leader_changes += part.leader_changes;
    into->faults_injected += part.faults_injected;
    for (const auto& [k, n] : part.faults_by_kind) into->faults_by_kind[k] += n;
    for (const auto& [k, n] : part.effects) into->effects[k] += n;
    into->events += part.events;
    into->simulated_seconds += part.simulated_seconds;
}

std::string CampaignSummaryToJson(const CampaignSummary& s) {
    nlohmann::json j;
    j["profile"] = s.profile;
    j["seeds_run"] = s.seeds_run;
    j["failures_by_kind"] = s.failures_by_kind;
    j["failures"] = nlohmann::json::array();
    for (const auto& f : s.failures) {
        j["failures"].push_back({{"seed", f.seed}, {"kind", f.kind}, {"detail", f.detail},
                                 {"replay", f.replay}});
    }
    j["ops"] = {s.ops, s.ops_ok, s.ops_fail, s.ops_info};
    j["leader_changes"] = s.leader_changes;
    j["faults_injected"] = s.faults_injected;
    j["faults_by_kind"] = s.faults_by_kind;
    j["effects"] = s.effects;
    j["events"] = s.events;
    j["simulated_seconds"] = s.simulated_seconds;
    return j.dump();
}

Result<CampaignSummary> CampaignSummaryFromJson(std::string_view text) {
    nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) return Status::Corruption("campaign summary: not JSON");
    try {
        CampaignSummary s;
        s.profile = j.at("profile").get<std::string>();
        s.seeds_run = j.at("seeds_run").get<uint64_t>();
        s.failures_by_kind = j.at("failures_by_kind").get<std::map<std::string, uint64_t>>();
        for (const auto& f : j.at("failures")) {
            s.failures.push_back({f.at("seed").get<uint64_t>(), f.at("kind").get<std::string>(),
                                  f.at("detail").get<std::string>(),
                                  f.at("replay").get<std::string>()});
        }
        const auto& ops = j.at("ops");
        s.ops = ops.at(0).get<uint64_t>();
        s.ops_ok = ops.at(1).get<uint64_t>();
        s.ops_fail = ops.at(2).get<uint64_t>();
        s.ops_info = ops.at(3).get<uint64_t>();
        s.leader_changes = j.at("leader_changes").get<uint64_t>();
        s.faults_injected = j.at("faults_injected").get<uint64_t>();
        s.faults_by_kind = j.at("faults_by_kind").get<std::map<std::string, uint64_t>>();
        s.effects = j.at("effects").get<std::map<std::string, uint64_t>>();
        s.events = j.at("events").get<uint64_t>();
        s.simulated_seconds = j.at("simulated_seconds").get<double>();
        return s;
    } catch (const nlohmann::json::exception& e) {
        return Status::Corruption(fmt::format("campaign summary: {}", e.what()));
    }
}

std::string RenderCampaignSummary(const CampaignSummary& s) {
    std::string out = fmt::format("profile: {}\nseeds run: {}\nfailed seeds: {}", s.profile,
                                  s.seeds_run, s.failed_seeds());
    for (const auto& [kind, n] : s.failures_by_kind) out += fmt::format(" {}={}", kind, n);
    out += "\n";
    for (const auto& f : s.failures) {
        out += fmt::format("  seed {} {}: {}\n    replay: {}\n", f.seed, f.kind, f.detail, f.replay);
    }
    double seeds = s.seeds_run > 0 ? static_cast<double>(s.seeds_run) : 1.0;
    out += fmt::format("ops/seed: {:.0f} ({} ok, {} fail, {} info in all)\n", s.ops / seeds,
                       s.ops_ok, s.ops_fail, s.ops_info);
    out += fmt::format("leader changes/seed: {:.1f}; faults/seed: {:.1f}; events/seed: {:.0f}\n",
                       s.leader_changes / seeds, s.faults_injected / seeds, s.events / seeds);
    out += "faults injected:";
    for (const auto& [kind, n] : s.faults_by_kind) out += fmt::format(" {}={}", kind, n);
    out += "\neffects:";
    for (const auto& [kind, n] : s.effects) out += fmt::format(" {}={}", kind, n);
    out += fmt::format("\nsimulated: {:.1f}s", s.simulated_seconds);
    if (s.wall_seconds > 0) {
        out += fmt::format(" in {:.1f}s wall ({:.0f}x real time, {:.0f} seeds/minute)",
                           s.wall_seconds, s.simulated_seconds / s.wall_seconds,
                           60.0 * s.seeds_run / s.wall_seconds);
    }
    return out + "\n";
}

}  // namespace orrery::jepsen::runner
