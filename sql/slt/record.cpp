// Parsing sqllogictest files (record.h): lines are cut first, then each record is read from its
// first non-blank, non-comment line to the blank line that ends it.
#include "sql/slt/record.h"

#include <fmt/format.h>

#include <charconv>

#include "core/assert.h"

namespace orrery::sql::slt {
namespace {

// A file of more lines than this is refused rather than read (the largest generated file has
// well under 100,000).
constexpr size_t kMaxLines = 10'000'000;

std::vector<std::string_view> SplitLines(std::string_view text) {
    std::vector<std::string_view> lines;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        lines.push_back(line);
        start = end + 1;
    }
    return lines;
}

bool IsBlank(std::string_view line) {
    return line.find_first_not_of(" \t") == std::string_view::npos;
}

bool IsComment(std::string_view line) { return !line.empty() && line[0] == '#'; }

std::vector<std::string_view> Words(std::string_view line) {
    std::vector<std::string_view> words;
    size_t i = 0;
    while (i < line.size()) {
        size_t start = line.find_first_not_of(" \t", i);
        if (start == std::string_view::npos) break;
        size_t end = line.find_first_of(" \t", start);
        if (end == std::string_view::npos) end = line.size();
        words.push_back(line.substr(start, end - start));
        i = end;
    }
    return words;
}

// Reads the record's body from lines[*pos] on: SQL up to "----" (queries only) or the blank line,
// then, after "----", expected values up to the blank line. Comment lines inside the SQL are
// dropped; inside the expected values they are values.
void ReadBody(const std::vector<std::string_view>& lines, size_t* pos, bool is_query,
              Record* record) {
    std::string sql;
    while (*pos < lines.size() && !IsBlank(lines[*pos])) {
        std::string_view line = lines[(*pos)++];
        if (is_query && line == "----") {
            while (*pos < lines.size() && !IsBlank(lines[*pos])) {
                record->expected.emplace_back(lines[(*pos)++]);
            }
            break;
        }
        if (IsComment(line)) continue;
        if (!sql.empty()) sql += '\n';
        sql += line;
    }
    record->sql = std::move(sql);
}

Status ParseQueryHeader(const std::vector<std::string_view>& words, Record* record) {
    if (words.size() < 2) return Status::InvalidArgument("query needs its column types");
    for (char t : words[1]) {
        if (t != 'I' && t != 'R' && t != 'T') {
            return Status::InvalidArgument(fmt::format("bad column type '{}' (I, R or T)", t));
        }
    }
    record->types = std::string(words[1]);
    size_t next = 2;
    if (next < words.size()) {
        if (words[next] == "nosort") { record->sort = SortMode::kNoSort; ++next; }
        else if (words[next] == "rowsort") { record->sort = SortMode::kRowSort; ++next; }
        else if (words[next] == "valuesort") { record->sort = SortMode::kValueSort; ++next; }
    }
    if (next < words.size()) record->label = std::string(words[next++]);
    if (next < words.size()) {
        return Status::InvalidArgument(fmt::format("unexpected '{}' after the query header",
                                                   words[next]));
    }
    return Status::Ok();
}

// Parses the record whose keyword line is lines[*pos] (conditions already taken), advancing
// *pos past it.
Status ParseRecord(const std::vector<std::string_view>& lines, size_t* pos, Record* record) {
    std::vector<std::string_view> words = Words(lines[*pos]);
    ORRERY_ASSERT(!words.empty(), "a record starts on a non-blank line");
    record->line = static_cast<int>(*pos) + 1;
    ++*pos;
    std::string_view keyword = words[0];
    if (keyword == "statement") {
        if (words.size() != 2 || (words[1] != "ok" && words[1] != "error")) {
            return Status::InvalidArgument("expected `statement ok` or `statement error`");
        }
        record->kind = Record::Kind::kStatement;
        record->expect_ok = words[1] == "ok";
        ReadBody(lines, pos, /*is_query=*/false, record);
    } else if (keyword == "query") {
        record->kind = Record::Kind::kQuery;
        ORRERY_RETURN_IF_ERROR(ParseQueryHeader(words, record));
        ReadBody(lines, pos, /*is_query=*/true, record);
    } else if (keyword == "hash-threshold") {
        record->kind = Record::Kind::kHashThreshold;
        int64_t n = -1;
        if (words.size() == 2) {
            std::from_chars(words[1].data(), words[1].data() + words[1].size(), n);
        }
        if (n < 0) return Status::InvalidArgument("expected `hash-threshold N` with N >= 0");
        record->hash_threshold = n;
        return Status::Ok();
    } else if (keyword == "halt") {
        record->kind = Record::Kind::kHalt;
        return Status::Ok();
    } else {
        return Status::InvalidArgument(fmt::format("unknown record '{}'", keyword));
    }
    if (record->sql.empty()) return Status::InvalidArgument("the record has no SQL");
    return Status::Ok();
}

}  // namespace

bool Record::AppliesTo(std::string_view db) const {
    for (const Condition& c : conditions) {
        if (c.skip && c.database == db) return false;
        if (!c.skip && c.database != db) return false;
    }
    return true;
}

Result<std::vector<Record>> ParseScript(std::string_view text, std::string_view file) {
    std::vector<std::string_view> lines = SplitLines(text);
    if (lines.size() > kMaxLines) {
        return Status::InvalidArgument(fmt::format("{}: more than {} lines", file, kMaxLines));
    }
    std::vector<Record> records;
    size_t pos = 0;
    Record pending;  // Collects condition lines until the record they belong to.
    while (pos < lines.size()) {
        std::string_view line = lines[pos];
        if (IsBlank(line) || IsComment(line)) {
            if (IsBlank(line) && !pending.conditions.empty()) {
                return Status::InvalidArgument(
                    fmt::format("{}:{}: a condition without a record", file, pos));
            }
            ++pos;
            continue;
        }
        std::vector<std::string_view> words = Words(line);
        if (words[0] == "skipif" || words[0] == "onlyif") {
            if (words.size() != 2) {
                return Status::InvalidArgument(
                    fmt::format("{}:{}: expected `{} <database>`", file, pos + 1, words[0]));
            }
            pending.conditions.push_back({words[0] == "skipif", std::string(words[1])});
            ++pos;
            continue;
        }
        size_t start = pos;
        Status parsed = ParseRecord(lines, &pos, &pending);
        if (!parsed.ok()) {
            return Status::InvalidArgument(
                fmt::format("{}:{}: {}", file, start + 1, parsed.message()));
        }
        records.push_back(std::move(pending));
        pending = Record();
    }
    if (!pending.conditions.empty()) {
        return Status::InvalidArgument(fmt::format("{}: a condition at the end of the file", file));
    }
    return records;
}

}  // namespace orrery::sql::slt
