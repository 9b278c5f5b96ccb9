// Shrinking a failing run. See shrink.h.
#include "jepsen/runner/shrink.h"

#include <fmt/format.h>

#include <charconv>

namespace orrery::jepsen::runner {
namespace {

std::vector<std::string_view> Tokens(std::string_view text) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n')) ++i;
        size_t start = i;
        while (i < text.size() && text[i] != ' ' && text[i] != '\t' && text[i] != '\n') ++i;
        if (i > start) out.push_back(text.substr(start, i - start));
    }
    return out;
}

template <typename T>
Status ParseNumber(std::string_view flag, std::string_view text, T* out) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
    if (ec != std::errc() || end != text.data() + text.size()) {
        return Status::InvalidArgument(fmt::format("replay: bad {} '{}'", flag, text));
    }
    return Status::Ok();
}

// Sets one flag of the replay command.
Status ApplyFlag(std::string_view flag, std::string_view value, RunOptions* o) {
    if (flag == "--seed") return ParseNumber(flag, value, &o->seed);
    if (flag == "--nodes") return ParseNumber(flag, value, &o->nodes);
    if (flag == "--clients") return ParseNumber(flag, value, &o->clients);
    if (flag == "--rf") return ParseNumber(flag, value, &o->rf);
    if (flag == "--workload") {
        o->workload = std::string(value);
    } else if (flag == "--faults") {
        ORRERY_ASSIGN_OR_RETURN(o->faults, sim::FaultPlan::Parse(value));
    } else if (flag == "--duration" || flag == "--liveness") {
        ORRERY_ASSIGN_OR_RETURN(Duration d, sim::ParseDuration(value));
        (flag == "--duration" ? o->duration : o->liveness_bound) = d;
    } else if (flag == "--mode") {  // Leaderless replays: RunCluster runs them in that mode.
        o->mode = std::string(value);
    } else if (flag == "--consistency") {
        o->consistency = std::string(value);
    } else if (flag == "--engine") {
        o->engine = std::string(value);
    } else if (flag == "--bug") {
        o->bugs.emplace_back(value);
    } else {
        return Status::InvalidArgument(fmt::format("replay: unknown flag '{}'", flag));
    }
    return Status::Ok();
}

// Adds the candidates that switch off one fault kind each.
void FaultCandidates(const RunOptions& o, std::vector<ShrinkCandidate>* out) {
    auto add = [&](std::string what, auto change) {
        RunOptions c = o;
        change(c.faults);
        out->push_back({"no " + std::move(what), std::move(c)});
    };
    for (sim::PartitionKind kind : o.faults.partitions) {
        add(fmt::format("{} partitions", sim::PartitionKindName(kind)), [kind](sim::FaultPlan& f) {
            std::erase(f.partitions, kind);
        });
    }
    if (o.faults.crash) add("crash", [](sim::FaultPlan& f) { f.crash = false; });
    if (o.faults.pause) add("pause", [](sim::FaultPlan& f) { f.pause = false; });
    if (o.faults.drop > 0) add("drop", [](sim::FaultPlan& f) { f.drop = 0; });
    if (o.faults.dup > 0) add("dup", [](sim::FaultPlan& f) { f.dup = 0; });
    if (o.faults.reorder > 0) add("reorder", [](sim::FaultPlan& f) { f.reorder = 0; });
    if (o.faults.skew > Duration(0)) add("skew", [](sim::FaultPlan& f) { f.skew = Duration(0); });
    if (o.faults.drift_ppm > 0) add("drift", [](sim::FaultPlan& f) { f.drift_ppm = 0; });
    if (o.faults.disk_torn > 0) add("disk-torn", [](sim::FaultPlan& f) { f.disk_torn = 0; });
    if (o.faults.disk_lost_renames > 0) {
        add("disk-lost-renames", [](sim::FaultPlan& f) { f.disk_lost_renames = 0; });
    }
    if (o.faults.disk_read_errors > 0) {
        add("disk-read-errors", [](sim::FaultPlan& f) { f.disk_read_errors = 0; });
    }
    if (o.faults.disk_bitrot) add("disk-bitrot", [](sim::FaultPlan& f) { f.disk_bitrot = false; });
    if (o.faults.disk_full) add("disk-full", [](sim::FaultPlan& f) { f.disk_full = false; });
    if (o.faults.buggify > 0) add("buggify", [](sim::FaultPlan& f) { f.buggify = 0; });
}

bool SameFailure(const RunResult& r, const std::string& kind) { return r.FailureKind() == kind; }

}  // namespace

Result<RunOptions> ParseReplayCommand(std::string_view command) {
    std::vector<std::string_view> tokens = Tokens(command);
    size_t i = 0;
    if (i < tokens.size() && tokens[i].ends_with("orrery")) ++i;
    if (i < tokens.size() && tokens[i] == "sim") ++i;
    RunOptions o;
    o.faults = sim::FaultPlan{};
    for (; i < tokens.size(); i += 2) {
        if (!tokens[i].starts_with("--")) {
            return Status::InvalidArgument(fmt::format("replay: expected a flag, got '{}'",
                                                       tokens[i]));
        }
        if (i + 1 >= tokens.size()) {
            return Status::InvalidArgument(fmt::format("replay: {} needs a value", tokens[i]));
        }
        ORRERY_RETURN_IF_ERROR(ApplyFlag(tokens[i], tokens[i + 1], &o));
    }
    ORRERY_RETURN_IF_ERROR(ValidateRunOptions(o));
    return o;
}

std::vector<ShrinkCandidate> ShrinkCandidates(const RunOptions& o) {
    std::vector<ShrinkCandidate> out;
    FaultCandidates(o, &out);
    for (Duration d : {o.duration / 2, o.duration - o.duration / 4}) {
        if (d >= kMinShrinkDuration && d < o.duration) {
            RunOptions c = o;
            c.duration = d;
            out.push_back({"duration " + sim::FormatDuration(d), std::move(c)});
        }
    }
    for (uint32_t clients : {o.clients / 2, o.clients - 1}) {
        if (clients >= 1 && clients < o.clients) {
            RunOptions c = o;
            c.clients = clients;
            out.push_back({fmt::format("clients {}", clients), std::move(c)});
        }
    }
    if (o.nodes > 3) {
        RunOptions c = o;
        c.nodes = 3;
        out.push_back({"nodes 3", std::move(c)});
    }
    if (o.faults.HasNemesisActions() && o.faults.every < o.duration) {
        RunOptions c = o;
        c.faults.every = o.faults.every * 2;
        out.push_back({"every " + sim::FormatDuration(c.faults.every), std::move(c)});
    }
    return out;
}

Result<ShrinkResult> Shrink(const RunOptions& options, const ShrinkOptions& shrink) {
    ORRERY_RETURN_IF_ERROR(ValidateRunOptions(options));
    ShrinkResult out;
    auto run = [&](const std::string& what, const RunOptions& o) -> Result<RunResult> {
        ORRERY_ASSIGN_OR_RETURN(RunResult r, RunCluster(o));
        ++out.runs;
        bool kept = out.failure_kind.empty() ? r.failed() : SameFailure(r, out.failure_kind);
        if (shrink.on_run) shrink.on_run(what, r, kept);
        return r;
    };
    ORRERY_ASSIGN_OR_RETURN(RunResult first, run("original", options));
    if (!first.failed()) {
        return Status::InvalidArgument("the run passes: there is no failure to shrink");
    }
    out.failure_kind = first.FailureKind();
    out.smallest = options;
    out.smallest_failure = first.FailureMessage();
    bool progress = true;
    while (progress) {
        progress = false;
        for (ShrinkCandidate& c : ShrinkCandidates(out.smallest)) {
            if (out.runs >= shrink.max_runs) {
                out.budget_exhausted = true;
                return out;
            }
            ORRERY_ASSIGN_OR_RETURN(RunResult r, run(c.description, c.options));
            if (!SameFailure(r, out.failure_kind)) continue;
            out.smallest = std::move(c.options);
            out.smallest_failure = r.FailureMessage();
            out.steps.push_back(std::move(c.description));
            progress = true;
            break;
        }
    }
    return out;
}

}  // namespace orrery::jepsen::runner
