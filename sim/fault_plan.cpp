// FaultPlan parsing and canonical printing. See fault_plan.h for the grammar.
#include "sim/fault_plan.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <set>

namespace orrery::sim {
namespace {

constexpr std::string_view kValidItems =
    "none, partition[=halves+isolate+leader+bridge+oneway+flap], drop=P, dup=P, reorder[=P], crash, "
    "pause, skew=DUR, drift=PPM, disk-torn[=P], disk-lost-renames[=P], disk-read-errors[=P], "
    "disk-bitrot, disk-full, buggify[=P], every=DUR";

constexpr PartitionKind kAllKinds[] = {PartitionKind::kHalves, PartitionKind::kIsolate,
                                       PartitionKind::kLeader, PartitionKind::kBridge,
                                       PartitionKind::kOneWay, PartitionKind::kFlap};

Status BadItem(std::string_view item, std::string_view why) {
    return Status::InvalidArgument(
        fmt::format("bad fault plan item '{}': {}; valid items: {}", item, why, kValidItems));
}

Result<double> ParseProbability(std::string_view item, std::string_view text) {
    double p = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), p);
    if (ec != std::errc() || end != text.data() + text.size() || !(p >= 0.0 && p <= 1.0)) {
        return BadItem(item, "expected a probability in [0, 1]");
    }
    return p;
}

Result<std::vector<PartitionKind>> ParseKinds(std::string_view item, std::string_view text) {
    std::set<PartitionKind> kinds;
    size_t start = 0;
    while (start <= text.size()) {
        size_t plus = text.find('+', start);
        std::string_view word =
            text.substr(start, plus == std::string_view::npos ? plus : plus - start);
        auto it = std::find_if(std::begin(kAllKinds), std::end(kAllKinds),
                               [&](PartitionKind k) { return PartitionKindName(k) == word; });
        if (it == std::end(kAllKinds)) {
            return BadItem(item, fmt::format("unknown partition kind '{}'", word));
        }
        kinds.insert(*it);
        if (plus == std::string_view::npos) break;
        start = plus + 1;
    }
    return std::vector<PartitionKind>(kinds.begin(), kinds.end());
}

// Applies one item to the plan.
Status ApplyItem(FaultPlan& plan, std::string_view item) {
    size_t eq = item.find('=');
    std::string_view name = item.substr(0, eq);
    bool has_value = eq != std::string_view::npos;
    std::string_view value = has_value ? item.substr(eq + 1) : std::string_view();
    auto prob = [&](double* out, double fallback) -> Status {
        if (!has_value) {
            *out = fallback;
            return Status::Ok();
        }
        ORRERY_ASSIGN_OR_RETURN(*out, ParseProbability(item, value));
        return Status::Ok();
    };
    auto flag = [&](bool* out) -> Status {
        if (has_value) return BadItem(item, "takes no value");
        *out = true;
        return Status::Ok();
    };
    if (name == "partition") {
        if (!has_value) {
            plan.partitions.assign(std::begin(kAllKinds), std::end(kAllKinds));
            return Status::Ok();
        }
        ORRERY_ASSIGN_OR_RETURN(plan.partitions, ParseKinds(item, value));
        return Status::Ok();
    }
    if ((name == "drop" || name == "dup") && !has_value) return BadItem(item, "needs =P");
    if (name == "drop") return prob(&plan.drop, 0);
    if (name == "dup") return prob(&plan.dup, 0);
    if (name == "reorder") return prob(&plan.reorder, kDefaultReorder);
    if (name == "crash") return flag(&plan.crash);
    if (name == "pause") return flag(&plan.pause);
    if (name == "skew" || name == "every") {
        if (!has_value) return BadItem(item, "needs =DUR, e.g. 50ms");
        auto d = ParseDuration(value);
        if (!d.ok() || d->us() < 0 || (name == "every" && d->us() == 0)) {
            return BadItem(item, "expected a duration such as 500us, 50ms or 2s");
        }
        (name == "skew" ? plan.skew : plan.every) = *d;
        return Status::Ok();
    }
    if (name == "drift") {
        int64_t ppm = -1;
        auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), ppm);
        if (!has_value || ec != std::errc() || end != value.data() + value.size() || ppm < 0 ||
            ppm > kMaxDriftPpm) {
            return BadItem(item,
                           fmt::format("expected drift=PPM with PPM in [0, {}]", kMaxDriftPpm));
        }
        plan.drift_ppm = ppm;
        return Status::Ok();
    }
    if (name == "disk-torn") return prob(&plan.disk_torn, kDefaultDiskTorn);
    if (name == "disk-lost-renames") return prob(&plan.disk_lost_renames, kDefaultDiskLostRenames);
    if (name == "disk-read-errors") return prob(&plan.disk_read_errors, kDefaultDiskReadErrors);
    if (name == "disk-bitrot") return flag(&plan.disk_bitrot);
    if (name == "disk-full") return flag(&plan.disk_full);
    if (name == "buggify") return prob(&plan.buggify, kDefaultBuggify);
    return BadItem(item, "unknown item");
}

// Named schedules (Jepsen's nemesis names) and what they stand for. Partition names add a kind
// to one "partition=" item, so they combine with each other.
struct NamedSchedule {
    std::string_view name;
    std::string_view partition_kind;  // Non-empty: adds this kind to the partition item.
    std::string_view items;           // Otherwise: these items.
};

constexpr NamedSchedule kNamedSchedules[] = {
    {"partition-random-halves", "halves", ""},
    {"isolate-random", "isolate", ""},
    {"isolate-leader", "leader", ""},
    {"bridge", "bridge", ""},
    {"partition-one-way", "oneway", ""},
    {"partition-leader-flap", "flap", ""},
    {"kill-random", "", "crash"},
    {"pause-random", "", "pause"},
    {"clock-skew", "", "skew=200ms,drift=500"},
    {"disk-torn-writes", "", "disk-torn"},
};

// Rewrites named schedules into grammar items; other items pass through unchanged.
std::string ExpandNamedSchedules(std::string_view text) {
    std::vector<std::string> items;
    std::string kinds;
    size_t start = 0;
    while (start <= text.size()) {
        size_t comma = text.find(',', start);
        std::string_view item =
            text.substr(start, comma == std::string_view::npos ? comma : comma - start);
        const NamedSchedule* named = nullptr;
        for (const NamedSchedule& n : kNamedSchedules) {
            if (n.name == item) named = &n;
        }
        if (named == nullptr) {
            items.emplace_back(item);
        } else if (!named->partition_kind.empty()) {
            // Two appends, not `a + b`: GCC 12 at -O3 raises a false -Wrestrict on the
            // temporary string of the concatenation.
            if (!kinds.empty()) kinds += '+';
            kinds += named->partition_kind;
        } else {
            items.emplace_back(named->items);
        }
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    if (!kinds.empty()) items.insert(items.begin(), "partition=" + kinds);
    return fmt::format("{}", fmt::join(items, ","));
}

}  // namespace

std::string_view PartitionKindName(PartitionKind kind) {
    switch (kind) {
        case PartitionKind::kHalves:
            return "halves";
        case PartitionKind::kIsolate:
            return "isolate";
        case PartitionKind::kLeader:
            return "leader";
        case PartitionKind::kBridge:
            return "bridge";
        case PartitionKind::kOneWay:
            return "oneway";
        case PartitionKind::kFlap:
            return "flap";
    }
    return "?";
}

Result<Duration> ParseDuration(std::string_view text) {
    int64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    std::string_view unit(end, static_cast<size_t>(text.data() + text.size() - end));
    if (ec != std::errc() || end == text.data()) {
        return Status::InvalidArgument(fmt::format("bad duration '{}'", text));
    }
    if (unit == "us") return Duration::Micros(n);
    if (unit == "ms") return Duration::Millis(n);
    if (unit == "s") return Duration::Seconds(n);
    return Status::InvalidArgument(fmt::format("bad duration '{}': use us, ms or s", text));
}

std::string FormatDuration(Duration d) {
    if (d.us() % 1000000 == 0 && d.us() != 0) return fmt::format("{}s", d.us() / 1000000);
    if (d.us() % 1000 == 0 && d.us() != 0) return fmt::format("{}ms", d.us() / 1000);
    return fmt::format("{}us", d.us());
}

Result<FaultPlan> FaultPlan::Parse(std::string_view named_text) {
    FaultPlan plan;
    if (named_text == "none") return plan;
    std::string expanded = ExpandNamedSchedules(named_text);
    std::string_view text = expanded;
    if (text.empty()) return BadItem(text, "empty plan (use 'none')");
    std::set<std::string, std::less<>> seen;
    size_t start = 0;
    while (start <= text.size()) {
        size_t comma = text.find(',', start);
        std::string_view item =
            text.substr(start, comma == std::string_view::npos ? comma : comma - start);
        std::string_view name = item.substr(0, item.find('='));
        if (item.empty()) return BadItem(item, "empty item");
        if (name == "none") return BadItem(item, "'none' cannot be combined with other items");
        if (!seen.insert(std::string(name)).second) return BadItem(item, "given twice");
        ORRERY_RETURN_IF_ERROR(ApplyItem(plan, item));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return plan;
}

std::string FaultPlan::ToString() const {
    if (IsNone()) return "none";
    std::vector<std::string> items;
    if (!partitions.empty()) {
        std::string kinds;
        for (PartitionKind k : partitions) {
            if (!kinds.empty()) kinds += "+";
            kinds += PartitionKindName(k);
        }
        items.push_back("partition=" + kinds);
    }
    if (drop > 0) items.push_back(fmt::format("drop={}", drop));
    if (dup > 0) items.push_back(fmt::format("dup={}", dup));
    if (reorder > 0) items.push_back(fmt::format("reorder={}", reorder));
    if (crash) items.push_back("crash");
    if (pause) items.push_back("pause");
    if (skew.us() > 0) items.push_back("skew=" + FormatDuration(skew));
    if (drift_ppm > 0) items.push_back(fmt::format("drift={}", drift_ppm));
    if (disk_torn > 0) items.push_back(fmt::format("disk-torn={}", disk_torn));
    if (disk_lost_renames > 0)
        items.push_back(fmt::format("disk-lost-renames={}", disk_lost_renames));
    if (disk_read_errors > 0) items.push_back(fmt::format("disk-read-errors={}", disk_read_errors));
    if (disk_bitrot) items.push_back("disk-bitrot");
    if (disk_full) items.push_back("disk-full");
    if (buggify > 0) items.push_back(fmt::format("buggify={}", buggify));
    items.push_back("every=" + FormatDuration(every));
    return fmt::format("{}", fmt::join(items, ","));
}

bool FaultPlan::HasNemesisActions() const {
    return !partitions.empty() || crash || pause || skew.us() > 0 || drift_ppm > 0 || disk_bitrot ||
           disk_full;
}

bool FaultPlan::IsNone() const {
    return !HasNemesisActions() && drop == 0 && dup == 0 && reorder == 0 && disk_torn == 0 &&
           disk_lost_renames == 0 && disk_read_errors == 0 && buggify == 0;
}

bool FaultPlan::Has(PartitionKind kind) const {
    return std::find(partitions.begin(), partitions.end(), kind) != partitions.end();
}

}  // namespace orrery::sim
