#include "sql/shell/format.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace orrery::sql::shell {
namespace {

// Display width of UTF-8 text: one column per code point (no East Asian wide handling).
size_t DisplayWidth(std::string_view s) {
    size_t n = 0;
    for (unsigned char c : s) {
        if ((c & 0xC0) != 0x80) ++n;
    }
    return n;
}

std::string Pad(std::string_view s, size_t width, bool right) {
    size_t w = DisplayWidth(s);
    std::string fill(width > w ? width - w : 0, ' ');
    return right ? fill + std::string(s) : std::string(s) + fill;
}

std::string Centre(std::string_view s, size_t width) {
    size_t w = DisplayWidth(s);
    if (w >= width) return std::string(s);
    size_t left = (width - w) / 2;
    return std::string(left, ' ') + std::string(s) + std::string(width - w - left, ' ');
}

bool IsNumeric(DataType type) { return type == DataType::kInteger || type == DataType::kFloat; }

std::string CsvField(const Value& v) {
    if (v.is_null()) return "";
    std::string s = v.ToString();
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

std::string JsonString(std::string_view s) {
    // nlohmann's dump replaces invalid UTF-8 instead of throwing: a string from a BLOB cast or a
    // client never breaks the one-line contract.
    return nlohmann::json(std::string(s)).dump(-1, ' ', false,
                                                nlohmann::json::error_handler_t::replace);
}

// The 0-based byte offset of the 1-based character `position` in `text` (clamped to its end).
size_t ByteOfCharacter(std::string_view text, uint32_t position) {
    uint32_t seen = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
        if (++seen == position) return i;
    }
    return text.size();
}

}  // namespace

std::optional<OutputFormat> ParseOutputFormat(std::string_view name) {
    if (name == "table") return OutputFormat::kTable;
    if (name == "csv") return OutputFormat::kCsv;
    if (name == "json") return OutputFormat::kJson;
    return std::nullopt;
}

std::string_view OutputFormatName(OutputFormat format) {
    switch (format) {
        case OutputFormat::kTable: return "table";
        case OutputFormat::kCsv: return "csv";
        case OutputFormat::kJson: return "json";
    }
    return "table";
}

std::string ValueToJson(const Value& v) {
    switch (v.type()) {
        case DataType::kNull: return "null";
        case DataType::kBoolean: return v.boolean() ? "true" : "false";
        case DataType::kInteger: return std::to_string(v.integer());
        case DataType::kFloat: {
            double d = v.floating();
            // Value::ToString writes NaN/Infinity/-Infinity, and otherwise always a '.' or an
            // exponent (2.0, 1e+20), which is a JSON number.
            if (std::isnan(d) || std::isinf(d)) return JsonString(v.ToString());
            return v.ToString();
        }
        case DataType::kString: return JsonString(v.string());
        case DataType::kTimestamp: return JsonString(v.ToString());
        case DataType::kBlob: {
            std::string hex;
            for (unsigned char c : v.blob()) hex += fmt::format("{:02x}", c);
            return JsonString(hex);
        }
    }
    return "null";
}

std::string FormatResult(OutputFormat format, const StatementResult& result) {
    std::string out;
    bool has_rows = !result.columns.empty();
    switch (format) {
        case OutputFormat::kJson: {
            if (!has_rows) return "{\"ok\": " + JsonString(result.tag) + "}\n";
            out = "{\"columns\": [";
            for (size_t i = 0; i < result.columns.size(); ++i) {
                if (i) out += ", ";
                out += JsonString(result.columns[i].name);
            }
            out += "], \"rows\": [";
            for (size_t r = 0; r < result.rows.size(); ++r) {
                if (r) out += ", ";
                out += "[";
                for (size_t i = 0; i < result.rows[r].size(); ++i) {
                    if (i) out += ", ";
                    out += ValueToJson(result.rows[r][i]);
                }
                out += "]";
            }
            return out + "]}\n";
        }
        case OutputFormat::kCsv: {
            if (!has_rows) return result.tag + "\n";
            for (size_t i = 0; i < result.columns.size(); ++i) {
                if (i) out += ",";
                out += CsvField(Value::String(result.columns[i].name));
            }
            out += "\n";
            for (const Row& row : result.rows) {
                for (size_t i = 0; i < row.size(); ++i) {
                    if (i) out += ",";
                    out += CsvField(row[i]);
                }
                out += "\n";
            }
            return out;
        }
        case OutputFormat::kTable: break;
    }
    if (!has_rows) return result.tag + "\n";
    size_t n = result.columns.size();
    // A cell is one or more lines (a value with newlines); psql's layout marks a line that
    // continues with '+' after it.
    auto lines_of = [](const std::string& s) {
        std::vector<std::string> lines;
        size_t begin = 0;
        while (true) {
            size_t nl = s.find('\n', begin);
            lines.push_back(s.substr(begin, nl == std::string::npos ? std::string::npos : nl - begin));
            if (nl == std::string::npos) return lines;
            begin = nl + 1;
        }
    };
    std::vector<size_t> width(n);
    std::vector<std::vector<std::vector<std::string>>> cells;  // Row, column, line.
    cells.reserve(result.rows.size());
    for (size_t i = 0; i < n; ++i) width[i] = DisplayWidth(result.columns[i].name);
    for (const Row& row : result.rows) {
        auto& line = cells.emplace_back();
        for (size_t i = 0; i < n; ++i) {
            line.push_back(lines_of(i < row.size() ? row[i].ToString() : ""));
            for (const std::string& l : line.back()) width[i] = std::max(width[i], DisplayWidth(l));
        }
    }
    // " a | b ": one space either side of every cell ('+' on the right of a continued line),
    // no trailing blanks.
    auto emit = [&](const std::vector<std::string>& parts, const std::vector<bool>& continues) {
        std::string line;
        for (size_t i = 0; i < n; ++i) {
            if (i) line += "|";
            line += " " + parts[i] + (continues[i] ? "+" : " ");
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line + "\n";
    };
    std::vector<std::string> header;
    for (size_t i = 0; i < n; ++i) header.push_back(Centre(result.columns[i].name, width[i]));
    emit(header, std::vector<bool>(n, false));
    std::string rule;
    for (size_t i = 0; i < n; ++i) {
        if (i) rule += "+";
        rule += std::string(width[i] + 2, '-');
    }
    out += rule + "\n";
    for (size_t r = 0; r < cells.size(); ++r) {
        size_t height = 1;
        for (size_t i = 0; i < n; ++i) height = std::max(height, cells[r][i].size());
        for (size_t k = 0; k < height; ++k) {
            std::vector<std::string> parts;
            std::vector<bool> continues;
            for (size_t i = 0; i < n; ++i) {
                const auto& ls = cells[r][i];
                // A NULL is left-aligned even in a numeric column (it is not a number).
                bool right = IsNumeric(result.columns[i].type) && i < result.rows[r].size() &&
                             !result.rows[r][i].is_null();
                parts.push_back(Pad(k < ls.size() ? ls[k] : "", width[i], right));
                continues.push_back(k + 1 < ls.size());
            }
            emit(parts, continues);
        }
    }
    out += fmt::format("({} row{})\n", result.rows.size(), result.rows.size() == 1 ? "" : "s");
    return out;
}

std::string FormatError(OutputFormat format, const SqlError& error, std::string_view statement) {
    if (format == OutputFormat::kJson) return "{\"error\": " + JsonString(error.message) + "}\n";
    std::string out = fmt::format("ERROR:  {}\nSQLSTATE: {}\n", error.message, SqlState(error.kind));
    if (!error.position || *error.position == 0) return out;
    size_t at = ByteOfCharacter(statement, *error.position);
    size_t line_begin = 0;  // The line holding `at` (a newline belongs to the line it ends).
    for (size_t i = 0; i < at; ++i) {
        if (statement[i] == '\n') line_begin = i + 1;
    }
    size_t line_end = statement.find('\n', line_begin);
    if (line_end == std::string_view::npos) line_end = statement.size();
    size_t line_number = 1 + static_cast<size_t>(std::count(statement.begin(),
                                                              statement.begin() + line_begin, '\n'));
    std::string prefix = fmt::format("LINE {}: ", line_number);
    std::string_view line = statement.substr(line_begin, line_end - line_begin);
    out += prefix + std::string(line) + "\n";
    // The caret's indent copies the tabs of the line, so it lines up however tabs are shown.
    std::string indent(prefix.size(), ' ');
    for (char c : statement.substr(line_begin, at - line_begin)) {
        if ((static_cast<unsigned char>(c) & 0xC0) == 0x80) continue;
        indent += c == '\t' ? '\t' : ' ';
    }
    out += indent + "^\n";
    return out;
}

}  // namespace orrery::sql::shell
