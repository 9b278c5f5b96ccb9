// The golden-script runner for tests: golden_script.h runs the script, this file reports each
// block through Catch2 or rewrites the file (UPDATE_GOLDEN=1). See golden.h for the format.
#include "testkit/golden.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "testkit/golden_script.h"

namespace orrery::testkit {

void RunGoldenFile(const std::string& path, const GoldenHandler& handler) {
    std::ifstream in(path);
    REQUIRE(in.good());
    std::stringstream buf;
    buf << in.rdbuf();
    const char* update_env = std::getenv("UPDATE_GOLDEN");
    bool update = update_env != nullptr && std::string(update_env) == "1";

    GoldenScriptResult result = RunGoldenScript(buf.str(), path, handler);
    if (!update) {
        for (const GoldenBlockResult& block : result.blocks) {
            INFO(fmt::format("{}:{}", path, block.first_line));
            CHECK(block.has_separator);
            CHECK(block.expected == block.actual);
        }
    }
    for (const auto& p : result.problems) FAIL_CHECK(p);
    if (update) {
        std::ofstream out(path, std::ios::trunc);
        out << result.rewritten;
    }
}

std::vector<std::string> ListGoldenFiles(const std::string& dir, const std::string& suffix) {
    std::vector<std::string> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        std::string name = entry.path().string();
        if (!entry.is_regular_file()) continue;
        if (!suffix.empty() && (name.size() < suffix.size() ||
                                name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)) {
            continue;
        }
        files.push_back(name);
    }
    std::sort(files.begin(), files.end());
    return files;
}

}  // namespace orrery::testkit
