// Metrics: latency histograms, the Prometheus text exposition format, and a strict reader of it.
//
// A node's metrics are plain counters and histograms owned by the component that counts them
// (KvServer, the listeners, a TimedDisk); nothing here is global and nothing reads a clock. A
// scrape (`orrery node --metrics-port`, net/http_server.h) asks the components for their numbers
// and writes them with TextWriter in the format Prometheus scrapes (text format 0.0.4):
//
//   # HELP orrery_raft_term The node's current Raft term.
//   # TYPE orrery_raft_term gauge
//   orrery_raft_term 3
//   # TYPE orrery_fsync_seconds histogram
//   orrery_fsync_seconds_bucket{le="0.001"} 12
//   ...
//   orrery_fsync_seconds_bucket{le="+Inf"} 40
//   orrery_fsync_seconds_sum 0.0731
//   orrery_fsync_seconds_count 40
//
// ParseText reads that format back, strictly: `orrery cluster status --metrics` summarises a
// cluster from it, and the tests read every scrape with it, so a malformed line is an error with its
// line number, never a silently skipped sample.
//
// Histogram buckets are fixed (100 µs to 10 s, roughly three per decade), so two nodes' histograms
// can be added bucket by bucket and a reader needs no configuration.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/types.h"

namespace orrery::metrics {

// Upper bounds of the histogram buckets, in microseconds; a last bucket (+Inf) catches the rest.
inline constexpr std::array<int64_t, 15> kBucketBoundsMicros = {
    100,    250,    500,     1000,    2500,    5000,    10000,   25000,
    50000,  100000, 250000,  500000,  1000000, 2500000, 10000000};

// A latency histogram: counts per bucket, total count and sum.
class LatencyHistogram {
public:
    using Buckets = std::array<uint64_t, kBucketBoundsMicros.size() + 1>;
    // A histogram with these per-bucket (not cumulative) counts and sum (a scrape read back).
    static LatencyHistogram FromBuckets(const Buckets& per_bucket, int64_t sum_micros);

    // Counts one observation. Negative durations (a clock that stepped back) count as 0.
    void Record(Duration d);
    // Adds another histogram's counts (the buckets are the same everywhere).
    void Merge(const LatencyHistogram& other);

    uint64_t count() const { return count_; }
    int64_t sum_micros() const { return sum_us_; }
    // Observations in bucket i alone (not cumulative); i == kBucketBoundsMicros.size() is +Inf.
    uint64_t bucket(size_t i) const { return buckets_.at(i); }

    // The upper bound of the bucket holding the q-quantile (0 < q <= 1): an overestimate by at
    // most one bucket. nullopt when empty or when it falls in +Inf.
    std::optional<Duration> QuantileUpperBound(double q) const;

private:
    Buckets buckets_{};
    uint64_t count_ = 0;
    int64_t sum_us_ = 0;
};

// Label name/value pairs, in the order written.
using Labels = std::vector<std::pair<std::string, std::string>>;

// Writes the text exposition format. Call Family() once per metric name, then its samples.
class TextWriter {
public:
    // Starts a family. REQUIRES: name matches [a-zA-Z_:][a-zA-Z0-9_:]*, type is counter, gauge or
    // histogram, and the name was not started before.
    void Family(std::string_view name, std::string_view type, std::string_view help);
    // A sample of the current counter or gauge family.
    void Sample(const Labels& labels, double value);
    void Sample(double value) { Sample({}, value); }
    // The _bucket, _sum and _count lines of the current histogram family, in seconds.
    void Histogram(const Labels& labels, const LatencyHistogram& h);

    const std::string& text() const { return out_; }

private:
    void Line(std::string_view suffix, const Labels& labels, std::string_view value);

    std::string out_;
    std::string family_;
    std::string type_;
    std::vector<std::string> families_;
};

// A label value with \\, \" and \n escaped, as it goes between the quotes.
std::string EscapeLabelValue(std::string_view value);
// A sample value as the format writes it: +Inf, -Inf, NaN, or the shortest decimal that reads
// back to the same double (so integers print without a point).
std::string FormatValue(double value);

// One sample as read back.
struct ParsedSample {
    std::string name;
    Labels labels;
    double value = 0;
};

struct ParsedMetrics {
    std::map<std::string, std::string> types;  // Family name -> counter/gauge/histogram/...
    std::vector<ParsedSample> samples;         // In file order.

    // The value of the sample called `name` whose labels include every pair of `match`; nullopt
    // if none. With several matches, the first.
    std::optional<double> Find(std::string_view name, const Labels& match = {}) const;
    // The sum over every sample called `name` whose labels include `match`.
    double Sum(std::string_view name, const Labels& match = {}) const;
    // A histogram family rebuilt from its cumulative _bucket lines (summed over label sets that
    // include `match`). kNotFound if the family has no buckets; kInvalidArgument if the bounds
    // are not this file's kBucketBoundsMicros.
    Result<LatencyHistogram> Histogram(std::string_view family, const Labels& match = {}) const;
};

// Parses text format 0.0.4. kInvalidArgument naming the line for: a bad metric or label name, a
// bad escape, an unterminated label value, a value that is not a number, a TYPE line after the
// family's samples or with an unknown type, a duplicate TYPE line.
Result<ParsedMetrics> ParseText(std::string_view text);

}  // namespace orrery::metrics
