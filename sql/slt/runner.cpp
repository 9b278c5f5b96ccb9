// The sqllogictest runner (runner.h). RunRecords is the loop; CheckStatement and CheckQuery
// decide one record each and return the failure, if any.
#include "sql/slt/runner.h"

#include <fmt/format.h>

#include <map>
#include <optional>

#include "core/assert.h"
#include "sql/slt/render.h"

namespace orrery::sql::slt {
namespace {

// Per-file state that records change: the hash threshold and the hashes of labelled queries.
struct FileState {
    int64_t hash_threshold = 0;
    std::map<std::string, std::string> label_hashes;  // label -> "N values hashing to H".
};

Failure MakeFailure(std::string_view file, const Record& r, std::string reason) {
    Failure f;
    f.file = std::string(file);
    f.line = r.line;
    f.sql = r.sql;
    f.reason = std::move(reason);
    return f;
}

std::optional<Failure> CheckStatement(Database& db, std::string_view file, const Record& r) {
    Result<ResultSet> result = db.Run(r.sql);
    if (r.expect_ok && !result.ok()) {
        return MakeFailure(file, r, "statement failed: " + result.status().message());
    }
    if (!r.expect_ok && result.ok()) {
        return MakeFailure(file, r, "statement succeeded, but the file expects an error");
    }
    return std::nullopt;
}

// True iff `expected` is the one line "N values hashing to H".
bool IsHashForm(const std::vector<std::string>& expected) {
    return expected.size() == 1 && expected[0].find(" values hashing to ") != std::string::npos;
}

std::optional<Failure> CheckQuery(Database& db, std::string_view file, const Record& r,
                                  FileState& state) {
    Result<ResultSet> result = db.Run(r.sql);
    if (!result.ok()) return MakeFailure(file, r, "query failed: " + result.status().message());
    const ResultSet& rs = result.value();
    if (rs.columns != r.types.size()) {
        Failure f = MakeFailure(file, r, fmt::format("expected {} columns, got {}",
                                                     r.types.size(), rs.columns));
        f.expected = r.expected;
        return f;
    }
    std::vector<std::string> values = RenderResult(rs, r.types, r.sort);
    std::string hash_line = HashLine(values);
    bool by_hash = IsHashForm(r.expected) ||
                   (state.hash_threshold > 0 &&
                    values.size() > static_cast<size_t>(state.hash_threshold));
    std::vector<std::string> actual = by_hash ? std::vector<std::string>{hash_line} : values;
    if (actual != r.expected) {
        Failure f = MakeFailure(file, r, by_hash ? "result hash differs" : "result differs");
        f.expected = r.expected;
        f.actual = std::move(actual);
        return f;
    }
    if (!r.label.empty()) {
        auto [it, inserted] = state.label_hashes.emplace(r.label, hash_line);
        if (!inserted && it->second != hash_line) {
            Failure f = MakeFailure(
                file, r, fmt::format("label {}: result differs from its first query", r.label));
            f.expected = {it->second};
            f.actual = {hash_line};
            return f;
        }
    }
    return std::nullopt;
}

}  // namespace

FileReport RunRecords(Database& db, std::string_view file, const std::vector<Record>& records,
                      const RunOptions& options) {
    FileReport report;
    report.file = std::string(file);
    FileState state;
    bool halted = false;
    for (const Record& r : records) {
        bool counted = r.kind == Record::Kind::kStatement || r.kind == Record::Kind::kQuery;
        if (counted) ++report.records;
        if (halted || !r.AppliesTo(db.name())) {
            if (counted) ++report.skipped;
            continue;
        }
        std::optional<Failure> failure;
        switch (r.kind) {
            case Record::Kind::kHashThreshold: state.hash_threshold = r.hash_threshold; continue;
            case Record::Kind::kHalt: halted = true; continue;
            case Record::Kind::kStatement: failure = CheckStatement(db, file, r); break;
            case Record::Kind::kQuery: failure = CheckQuery(db, file, r, state); break;
        }
        if (!failure) {
            ++report.passed;
            continue;
        }
        ++report.failed;
        if (report.failures.size() < options.max_failures_kept) {
            report.failures.push_back(std::move(*failure));
        }
    }
    ORRERY_ASSERT(report.passed + report.failed + report.skipped == report.records,
                  "every counted record is passed, failed or skipped");
    return report;
}

std::string FormatSummary(const std::vector<FileReport>& reports) {
    uint64_t records = 0, passed = 0, failed = 0, skipped = 0;
    for (const FileReport& r : reports) {
        records += r.records;
        passed += r.passed;
        failed += r.failed;
        skipped += r.skipped;
    }
    return fmt::format("files {}, records {}, passed {}, failed {}, skipped {}", reports.size(),
                       records, passed, failed, skipped);
}

std::string FormatFailure(const Failure& f) {
    std::string out = fmt::format("{}:{}: {}\n", f.file, f.line, f.reason);
    out += "  sql:\n";
    for (size_t start = 0; start <= f.sql.size();) {
        size_t end = f.sql.find('\n', start);
        if (end == std::string::npos) end = f.sql.size();
        out += "    " + f.sql.substr(start, end - start) + "\n";
        start = end + 1;
    }
    if (!f.expected.empty() || !f.actual.empty()) {
        out += "  expected:\n";
        for (const std::string& v : f.expected) out += "    " + v + "\n";
        out += "  actual:\n";
        for (const std::string& v : f.actual) out += "    " + v + "\n";
    }
    return out;
}

}  // namespace orrery::sql::slt
