// The metrics text format: what a scrape looks like, and that the strict reader gives back what
// the writer wrote and refuses what Prometheus would refuse.
#include "core/metrics.h"

#include <catch2/catch.hpp>

namespace orrery::metrics {
namespace {

TEST_CASE("a histogram puts an observation in the first bucket whose bound holds it", "[metrics]") {
    LatencyHistogram h;
    h.Record(Duration::Micros(100));   // Exactly on the first bound: "le" is inclusive.
    h.Record(Duration::Micros(101));   // Just above: the 250 µs bucket.
    h.Record(Duration::Seconds(60));   // Above every bound: +Inf.
    h.Record(Duration::Micros(-5));    // A clock that stepped back counts as 0.
    CHECK(h.count() == 4);
    CHECK(h.bucket(0) == 2);
    CHECK(h.bucket(1) == 1);
    CHECK(h.bucket(kBucketBoundsMicros.size()) == 1);
    CHECK(h.sum_micros() == 100 + 101 + 60000000);
    CHECK(h.QuantileUpperBound(0.5) == Duration::Micros(100));
    CHECK(h.QuantileUpperBound(0.75) == Duration::Micros(250));
    CHECK(h.QuantileUpperBound(1.0) == std::nullopt);  // In +Inf: no finite bound.
    CHECK(LatencyHistogram().QuantileUpperBound(0.5) == std::nullopt);
}

TEST_CASE("the writer writes the text format, and the reader gives it back", "[metrics]") {
    TextWriter w;
    w.Family("orrery_requests_total", "counter", "Client requests, by operation.");
    w.Sample({{"op", "get"}}, 12);
    w.Sample({{"op", "put \"x\"\\y\nz"}}, 3);
    w.Family("orrery_raft_term", "gauge", "The current term.");
    w.Sample(7);
    w.Family("orrery_fsync_seconds", "histogram", "fsync latency.");
    LatencyHistogram h;
    h.Record(Duration::Micros(700));
    h.Record(Duration::Millis(3));
    w.Histogram({}, h);

    const std::string& text = w.text();
    CHECK(text.starts_with("# HELP orrery_requests_total Client requests, by operation.\n"
                           "# TYPE orrery_requests_total counter\n"
                           "orrery_requests_total{op=\"get\"} 12\n"
                           "orrery_requests_total{op=\"put \\\"x\\\"\\\\y\\nz\"} 3\n"));
    CHECK(text.find("orrery_raft_term 7\n") != std::string::npos);
    CHECK(text.find("orrery_fsync_seconds_bucket{le=\"0.0005\"} 0\n") != std::string::npos);
    CHECK(text.find("orrery_fsync_seconds_bucket{le=\"0.001\"} 1\n") != std::string::npos);
    CHECK(text.find("orrery_fsync_seconds_bucket{le=\"+Inf\"} 2\n") != std::string::npos);
    CHECK(text.find("orrery_fsync_seconds_sum 0.0037\n") != std::string::npos);
    CHECK(text.find("orrery_fsync_seconds_count 2\n") != std::string::npos);

    auto parsed = ParseText(text);
    REQUIRE(parsed.ok());
    CHECK(parsed->types.at("orrery_fsync_seconds") == "histogram");
    CHECK(parsed->Find("orrery_requests_total", {{"op", "put \"x\"\\y\nz"}}) == 3);
    CHECK(parsed->Sum("orrery_requests_total") == 15);
    CHECK(parsed->Find("orrery_raft_term") == 7);
    CHECK(parsed->Find("orrery_raft_term", {{"op", "get"}}) == std::nullopt);
    auto back = parsed->Histogram("orrery_fsync_seconds");
    REQUIRE(back.ok());
    CHECK(back->count() == 2);
    CHECK(back->sum_micros() == 3700);
    CHECK(back->bucket(3) == 1);  // 700 µs: the 1 ms bucket.
    CHECK(back->bucket(5) == 1);  // 3 ms: the 5 ms bucket.
    CHECK(parsed->Histogram("orrery_raft_term").status().code() == Code::kNotFound);
}

TEST_CASE("the reader refuses malformed lines, naming the line", "[metrics]") {
    auto error = [](std::string_view text) {
        auto parsed = ParseText(text);
        return parsed.ok() ? std::string("ok") : std::string(parsed.status().message());
    };
    CHECK(error("up 1\n") == "ok");
    CHECK(error("up 1 1700000000000\n") == "ok");
    CHECK(error("# a free comment\nup{a=\"1\",b=\"2\"} +Inf\n") == "ok");
    CHECK(error("up\n") == "metrics line 1: expected a space before the value");
    CHECK(error("up one\n") == "metrics line 1: bad value 'one'");
    CHECK(error("up inf\n") == "metrics line 1: bad value 'inf'");
    CHECK(error("up 1 soon\n") == "metrics line 1: bad timestamp 'soon'");
    CHECK(error("9up 1\n") == "metrics line 1: bad metric name");
    CHECK(error("up{a=1} 1\n") == "metrics line 1: expected =\" after label a");
    CHECK(error("up{a=\"1} 1\n") == "metrics line 1: unterminated label value");
    CHECK(error("up{a=\"\\t\"} 1\n") == "metrics line 1: bad escape \\t in a label value");
    CHECK(error("up{a=\"1\" b=\"2\"} 1\n") == "metrics line 1: expected , or }");
    CHECK(error("\n# TYPE up sometimes\n") == "metrics line 2: unknown type 'sometimes'");
    CHECK(error("# TYPE up gauge\n# TYPE up gauge\n") == "metrics line 2: second TYPE for up");
    CHECK(error("up 1\n# TYPE up gauge\n") == "metrics line 2: TYPE for up after its samples");
}

TEST_CASE("a histogram read back must have Orrery's bounds, cumulative", "[metrics]") {
    auto histogram = [](std::string_view text) {
        auto parsed = ParseText(text);
        REQUIRE(parsed.ok());
        return parsed->Histogram("h").status();
    };
    CHECK(histogram("h_bucket{le=\"0.1\"} 1\nh_bucket{le=\"+Inf\"} 1\n").code() ==
          Code::kInvalidArgument);
    TextWriter w;
    w.Family("h", "histogram", "test");
    LatencyHistogram h;
    h.Record(Duration::Millis(1));
    w.Histogram({}, h);
    std::string text = w.text();
    CHECK(histogram(text).ok());
    // Make the +Inf bucket smaller than the one before it.
    size_t at = text.find("h_bucket{le=\"+Inf\"} 1");
    text.replace(at, std::string("h_bucket{le=\"+Inf\"} 1").size(), "h_bucket{le=\"+Inf\"} 0");
    CHECK(histogram(text).code() == Code::kInvalidArgument);
}

}  // namespace
}  // namespace orrery::metrics
