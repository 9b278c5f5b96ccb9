// The golden-script format, parsed and run without a test framework. See golden.h.
#include "testkit/golden_script.h"

#include <fmt/format.h>

#include <cstdlib>
#include <sstream>

namespace orrery::testkit {
namespace {

struct Block {
    std::vector<std::string> preamble;  // Comments and blank lines before the commands.
    std::vector<std::pair<std::string, int>> commands;
    std::string expected;
    bool has_separator = false;
};

std::vector<std::string> SplitLines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

bool IsBlank(const std::string& s) { return s.find_first_not_of(" \t\r") == std::string::npos; }

std::vector<Block> ParseBlocks(const std::vector<std::string>& lines, std::vector<std::string>* tail) {
    std::vector<Block> blocks;
    Block cur;
    size_t i = 0;
    while (i < lines.size()) {
        const std::string& line = lines[i];
        if (cur.commands.empty() && (IsBlank(line) || line[0] == '#')) {
            cur.preamble.push_back(line);
            ++i;
            continue;
        }
        if (line == "----") {
            cur.has_separator = true;
            ++i;
            while (i < lines.size() && !IsBlank(lines[i])) {
                cur.expected += lines[i] + "\n";
                ++i;
            }
            blocks.push_back(std::move(cur));
            cur = Block();
            continue;
        }
        if (line[0] != '#') cur.commands.emplace_back(line, static_cast<int>(i + 1));
        ++i;
    }
    *tail = cur.preamble;
    if (!cur.commands.empty()) {
        cur.has_separator = false;
        blocks.push_back(std::move(cur));
        tail->clear();
    }
    return blocks;
}

std::string RunBlock(const Block& block, const GoldenHandler& handler, const std::string& path,
                     std::vector<std::string>* problems) {
    std::string out;
    for (const auto& [line, number] : block.commands) {
        GoldenCommand cmd = ParseGoldenCommand(line, number);
        Result<std::string> r = handler(cmd);
        std::string text;
        if (r.ok()) {
            text = r.value();
            if (cmd.expect_error) {
                problems->push_back(fmt::format("{}:{}: expected an error from '{}'", path, number, line));
            }
        } else {
            text = "error: " + r.status().ToString();
            if (!cmd.expect_error) {
                problems->push_back(fmt::format("{}:{}: unexpected error from '{}': {}", path,
                                                number, line, r.status().ToString()));
            }
        }
        out += NormalizeGoldenOutput(text);
    }
    return out;
}

}  // namespace

std::string GoldenCommand::Get(const std::string& key, const std::string& fallback) const {
    auto it = kv.find(key);
    return it == kv.end() ? fallback : it->second;
}

int64_t GoldenCommand::GetInt(const std::string& key, int64_t fallback) const {
    auto it = kv.find(key);
    if (it == kv.end()) return fallback;
    char* end = nullptr;
    long long v = std::strtoll(it->second.c_str(), &end, 10);
    ORRERY_ASSERT(end && *end == '\0', "line {}: {}={} is not an integer", line_number, key, it->second);
    return v;
}

std::string GoldenCommand::Rest() const {
    size_t sp = line.find(' ');
    return sp == std::string::npos ? "" : line.substr(sp + 1);
}

GoldenCommand ParseGoldenCommand(const std::string& raw, int line_number) {
    GoldenCommand cmd;
    cmd.line_number = line_number;
    std::string line = raw;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty() && line[0] == '!') {
        cmd.expect_error = true;
        line.erase(0, 1);
    }
    cmd.line = line;
    std::istringstream in(line);
    in >> cmd.name;
    for (std::string word; in >> word;) {
        size_t eq = word.find('=');
        if (eq != std::string::npos && eq > 0) {
            cmd.kv[word.substr(0, eq)] = word.substr(eq + 1);
        } else {
            cmd.args.push_back(word);
        }
    }
    return cmd;
}


std::string NormalizeGoldenOutput(const std::string& text) {
    std::string out;
    for (const auto& l : SplitLines(text)) {
        if (!IsBlank(l)) out += l + "\n";
    }
    return out;
}

size_t GoldenScriptResult::mismatches() const {
    size_t n = 0;
    for (const GoldenBlockResult& b : blocks) n += (!b.has_separator || b.expected != b.actual);
    return n;
}

GoldenScriptResult RunGoldenScript(const std::string& text, const std::string& path,
                                   const GoldenHandler& handler) {
    std::vector<std::string> tail;
    std::vector<Block> blocks = ParseBlocks(SplitLines(text), &tail);
    GoldenScriptResult result;
    for (const Block& block : blocks) {
        GoldenBlockResult b;
        b.first_line = block.commands.empty() ? 0 : block.commands.front().second;
        for (const auto& c : block.commands) b.commands += c.first + "\n";
        b.expected = block.expected;
        b.has_separator = block.has_separator;
        b.actual = RunBlock(block, handler, path, &result.problems);
        for (const auto& l : block.preamble) result.rewritten += l + "\n";
        result.rewritten += b.commands + "----\n" + b.actual;
        result.blocks.push_back(std::move(b));
    }
    for (const auto& l : tail) result.rewritten += l + "\n";
    return result;
}

}  // namespace orrery::testkit
