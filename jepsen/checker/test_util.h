// Helpers shared by this folder's tests: load a testdata history and run a checker on it.
#pragma once

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>

#include "jepsen/checker/check.h"

namespace orrery::jepsen::checker {

// Reads a file relative to the test's working directory (this folder). Fails the test if the
// file cannot be read.
inline std::string ReadTestFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in.good());
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

// Parses and checks testdata/<name> with `model`. REQUIREs that the input is well formed.
inline CheckReport CheckFile(const std::string& model, const std::string& name,
                             const CheckOptions& options = {}) {
    SourceLines lines;
    Result<History> history = ParseHistoryText(ReadTestFile("testdata/" + name), lines);
    REQUIRE(history.ok());
    Result<CheckReport> report = CheckHistory(model, *history, lines, options);
    INFO(report.status().ToString());
    REQUIRE(report.ok());
    return *report;
}

}  // namespace orrery::jepsen::checker
