#include "core/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>

#include "core/assert.h"

namespace orrery::metrics {
namespace {

bool IsNameStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

bool ValidMetricName(std::string_view name) {
    if (name.empty() || !IsNameStart(name[0])) return false;
    return std::all_of(name.begin(), name.end(), IsNameChar);
}
// Label names are metric names without ':'.
bool ValidLabelName(std::string_view name) {
    return ValidMetricName(name) && name.find(':') == std::string_view::npos;
}

std::string Seconds(int64_t us) { return FormatValue(static_cast<double>(us) / 1e6); }

}  // namespace

// fmt's default for a double is the shortest decimal that reads back to the same value.
std::string FormatValue(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    return fmt::format("{}", v);
}

std::string EscapeLabelValue(std::string_view v) {
    std::string out;
    for (char c : v) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

// ---- LatencyHistogram ----

LatencyHistogram LatencyHistogram::FromBuckets(const Buckets& per_bucket, int64_t sum_micros) {
    LatencyHistogram h;
    h.buckets_ = per_bucket;
    for (uint64_t n : per_bucket) h.count_ += n;
    h.sum_us_ = sum_micros;
    return h;
}

void LatencyHistogram::Record(Duration d) {
    int64_t us = std::max<int64_t>(d.us(), 0);
    // The first bucket whose upper bound is >= us (Prometheus buckets are "less or equal").
    auto it = std::lower_bound(kBucketBoundsMicros.begin(), kBucketBoundsMicros.end(), us);
    ++buckets_[static_cast<size_t>(it - kBucketBoundsMicros.begin())];
    ++count_;
    sum_us_ += us;
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
    for (size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
    count_ += other.count_;
    sum_us_ += other.sum_us_;
}

std::optional<Duration> LatencyHistogram::QuantileUpperBound(double q) const {
    ORRERY_ASSERT(q > 0);
    ORRERY_ASSERT(q <= 1);
    if (count_ == 0) return std::nullopt;
    // The rank of the quantile observation, 1-based, rounded up: q=0.5 of 3 is the 2nd.
    auto rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_)));
    rank = std::max<uint64_t>(rank, 1);
    uint64_t seen = 0;
    for (size_t i = 0; i < kBucketBoundsMicros.size(); ++i) {
        seen += buckets_[i];
        if (seen >= rank) return Duration::Micros(kBucketBoundsMicros[i]);
    }
    return std::nullopt;  // In the +Inf bucket: above the largest bound.
}

// ---- TextWriter ----

void TextWriter::Family(std::string_view name, std::string_view type, std::string_view help) {
    ORRERY_ASSERT(ValidMetricName(name));
    ORRERY_ASSERT(type == "counter" || type == "gauge" || type == "histogram");
    ORRERY_ASSERT(std::find(families_.begin(), families_.end(), name) == families_.end());
    families_.emplace_back(name);
    family_ = name;
    type_ = type;
    // HELP text escapes only backslash and newline.
    std::string escaped;
    for (char c : help) {
        if (c == '\\') escaped += "\\\\";
        else if (c == '\n') escaped += "\\n";
        else escaped += c;
    }
    out_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, escaped, name, type);
}

void TextWriter::Line(std::string_view suffix, const Labels& labels, std::string_view value) {
    out_ += family_;
    out_ += suffix;
    if (!labels.empty()) {
        out_ += '{';
        for (size_t i = 0; i < labels.size(); ++i) {
            ORRERY_ASSERT(ValidLabelName(labels[i].first));
            if (i > 0) out_ += ',';
            out_ += fmt::format("{}=\"{}\"", labels[i].first, EscapeLabelValue(labels[i].second));
        }
        out_ += '}';
    }
    out_ += ' ';
    out_ += value;
    out_ += '\n';
}

void TextWriter::Sample(const Labels& labels, double value) {
    ORRERY_ASSERT(!family_.empty());
    ORRERY_ASSERT(type_ != "histogram");
    Line("", labels, FormatValue(value));
}

void TextWriter::Histogram(const Labels& labels, const LatencyHistogram& h) {
    ORRERY_ASSERT(type_ == "histogram");
    // Buckets are cumulative in the format: each line counts everything at or below its bound.
    uint64_t cumulative = 0;
    for (size_t i = 0; i <= kBucketBoundsMicros.size(); ++i) {
        cumulative += h.bucket(i);
        Labels with_le = labels;
        with_le.emplace_back("le", i < kBucketBoundsMicros.size()
                                       ? Seconds(kBucketBoundsMicros[i])
                                       : std::string("+Inf"));
        Line("_bucket", with_le, fmt::format("{}", cumulative));
    }
    Line("_sum", labels, Seconds(h.sum_micros()));
    Line("_count", labels, fmt::format("{}", h.count()));
}

// ---- ParseText ----

namespace {

Status LineError(size_t line, std::string_view what) {
    return Status::InvalidArgument(fmt::format("metrics line {}: {}", line, what));
}

// A number as the format writes one: a float, +Inf, -Inf or NaN.
std::optional<double> ParseValue(std::string_view token) {
    if (token == "+Inf" || token == "Inf") return HUGE_VAL;
    if (token == "-Inf") return -HUGE_VAL;
    if (token == "NaN") return std::nan("");
    if (token.empty()) return std::nullopt;
    std::string s(token);
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size()) return std::nullopt;
    // strtod also takes "inf" and "nan" spellings the format does not use.
    if (std::isinf(v) || std::isnan(v)) return std::nullopt;
    return v;
}

bool Includes(const Labels& labels, const Labels& match) {
    return std::all_of(match.begin(), match.end(), [&](const auto& m) {
        return std::find(labels.begin(), labels.end(), m) != labels.end();
    });
}

// The family a sample name belongs to: a histogram's _bucket/_sum/_count lines belong to it.
std::string FamilyOf(const std::string& name, const std::map<std::string, std::string>& types) {
    for (std::string_view suffix : {"_bucket", "_sum", "_count"}) {
        if (name.size() > suffix.size() && name.ends_with(suffix)) {
            std::string base = name.substr(0, name.size() - suffix.size());
            auto it = types.find(base);
            if (it != types.end() && (it->second == "histogram" || it->second == "summary")) {
                return base;
            }
        }
    }
    return name;
}

}  // namespace

Result<ParsedMetrics> ParseText(std::string_view text) {
    ParsedMetrics out;
    std::set<std::string> sampled;  // Families that have samples already.
    size_t line_no = 0;
    while (!text.empty()) {
        ++line_no;
        size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        if (line.empty()) continue;
        if (line[0] == '#') {
            // "# TYPE name type" and "# HELP name text" are directives; other comments are free.
            std::string_view rest = line.substr(1);
            while (rest.starts_with(' ')) rest.remove_prefix(1);
            bool is_type = rest.starts_with("TYPE ");
            bool is_help = rest.starts_with("HELP ");
            if (!is_type && !is_help) continue;
            rest.remove_prefix(5);
            size_t sp = rest.find(' ');
            std::string name(rest.substr(0, sp));
            if (!ValidMetricName(name)) return LineError(line_no, fmt::format("bad metric name '{}'", name));
            if (is_help) continue;
            std::string type(sp == std::string_view::npos ? "" : rest.substr(sp + 1));
            static const std::set<std::string> kTypes = {"counter", "gauge", "histogram",
                                                         "summary", "untyped"};
            if (kTypes.count(type) == 0) return LineError(line_no, fmt::format("unknown type '{}'", type));
            if (out.types.count(name) != 0) return LineError(line_no, fmt::format("second TYPE for {}", name));
            if (sampled.count(name) != 0) {
                return LineError(line_no, fmt::format("TYPE for {} after its samples", name));
            }
            out.types[name] = type;
            continue;
        }
        ParsedSample sample;
        size_t i = 0;
        while (i < line.size() && IsNameChar(line[i])) ++i;
        sample.name = std::string(line.substr(0, i));
        if (!ValidMetricName(sample.name)) return LineError(line_no, "bad metric name");
        if (i < line.size() && line[i] == '{') {
            ++i;
            while (true) {
                if (i < line.size() && line[i] == '}') { ++i; break; }
                size_t start = i;
                while (i < line.size() && IsNameChar(line[i])) ++i;
                std::string label(line.substr(start, i - start));
                if (!ValidLabelName(label)) return LineError(line_no, "bad label name");
                if (i + 1 >= line.size() || line[i] != '=' || line[i + 1] != '"') {
                    return LineError(line_no, fmt::format("expected =\" after label {}", label));
                }
                i += 2;
                std::string value;
                bool closed = false;
                while (i < line.size()) {
                    char c = line[i++];
                    if (c == '"') { closed = true; break; }
                    if (c != '\\') { value += c; continue; }
                    if (i >= line.size()) break;
                    char e = line[i++];
                    if (e == '\\') value += '\\';
                    else if (e == '"') value += '"';
                    else if (e == 'n') value += '\n';
                    else return LineError(line_no, fmt::format("bad escape \\{} in a label value", e));
                }
                if (!closed) return LineError(line_no, "unterminated label value");
                sample.labels.emplace_back(std::move(label), std::move(value));
                if (i < line.size() && line[i] == ',') ++i;
                else if (i >= line.size() || line[i] != '}') return LineError(line_no, "expected , or }");
            }
        }
        if (i >= line.size() || line[i] != ' ') return LineError(line_no, "expected a space before the value");
        std::string_view rest = line.substr(i + 1);
        // An optional timestamp (integer milliseconds) may follow the value.
        size_t sp = rest.find(' ');
        std::optional<double> value = ParseValue(rest.substr(0, sp));
        if (!value) return LineError(line_no, fmt::format("bad value '{}'", rest.substr(0, sp)));
        if (sp != std::string_view::npos) {
            std::string_view ts = rest.substr(sp + 1);
            bool digits = !ts.empty() && std::all_of(ts.begin() + (ts[0] == '-' ? 1 : 0), ts.end(),
                                                     [](char c) { return c >= '0' && c <= '9'; });
            if (!digits) return LineError(line_no, fmt::format("bad timestamp '{}'", ts));
        }
        sample.value = *value;
        sampled.insert(FamilyOf(sample.name, out.types));
        out.samples.push_back(std::move(sample));
    }
    return out;
}

std::optional<double> ParsedMetrics::Find(std::string_view name, const Labels& match) const {
    for (const ParsedSample& s : samples) {
        if (s.name == name && Includes(s.labels, match)) return s.value;
    }
    return std::nullopt;
}

double ParsedMetrics::Sum(std::string_view name, const Labels& match) const {
    double sum = 0;
    for (const ParsedSample& s : samples) {
        if (s.name == name && Includes(s.labels, match)) sum += s.value;
    }
    return sum;
}

Result<LatencyHistogram> ParsedMetrics::Histogram(std::string_view family,
                                                  const Labels& match) const {
    // Cumulative counts by bound (microseconds; -1 for +Inf), summed over matching label sets.
    std::map<int64_t, double> cumulative;
    std::string bucket_name = std::string(family) + "_bucket";
    for (const ParsedSample& s : samples) {
        if (s.name != bucket_name || !Includes(s.labels, match)) continue;
        auto le = std::find_if(s.labels.begin(), s.labels.end(),
                               [](const auto& l) { return l.first == "le"; });
        if (le == s.labels.end()) return Status::InvalidArgument(fmt::format("{} without le", bucket_name));
        std::optional<double> bound = ParseValue(le->second);
        if (!bound) return Status::InvalidArgument(fmt::format("{}: bad le '{}'", bucket_name, le->second));
        int64_t key = std::isinf(*bound) ? -1 : std::llround(*bound * 1e6);
        cumulative[key] += s.value;
    }
    if (cumulative.empty()) return Status::NotFound(fmt::format("no {} samples", bucket_name));
    if (cumulative.size() != kBucketBoundsMicros.size() + 1) {
        return Status::InvalidArgument(fmt::format("{}: {} bounds, expected {}", bucket_name,
                                                   cumulative.size(), kBucketBoundsMicros.size() + 1));
    }
    LatencyHistogram::Buckets per_bucket{};
    double previous = 0;
    for (size_t i = 0; i <= kBucketBoundsMicros.size(); ++i) {
        int64_t key = i < kBucketBoundsMicros.size() ? kBucketBoundsMicros[i] : -1;
        auto it = cumulative.find(key);
        if (it == cumulative.end()) {
            return Status::InvalidArgument(fmt::format("{}: bounds differ from Orrery's", bucket_name));
        }
        if (it->second < previous) {
            return Status::InvalidArgument(fmt::format("{}: buckets not cumulative", bucket_name));
        }
        per_bucket[i] = static_cast<uint64_t>(it->second - previous);
        previous = it->second;
    }
    double sum_seconds = Sum(std::string(family) + "_sum", match);
    return LatencyHistogram::FromBuckets(per_bucket, std::llround(sum_seconds * 1e6));
}

}  // namespace orrery::metrics
