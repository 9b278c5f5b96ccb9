// Golden scripts: the one scripted-test format of the whole project.
//
// A script is plain text made of blocks. A block is one or more command lines, a line "----",
// and the expected output, which ends at the first blank line (or the end of the file):
//
//   # Comments start with '#'.
//   put a 1
//   get a
//   ----
//   a = 1
//
// A command line is a name and arguments separated by spaces: positional args, and key=value
// pairs. A command prefixed with '!' is expected to fail; its error is printed as
// "error: <code>: <message>". A command that fails without '!' (or succeeds with it) fails the
// test. Empty output lines are dropped, so expected output never contains a blank line.
//
// UPDATE_GOLDEN=1 in the environment rewrites each file's expected output in place, so a
// reviewer reads a behaviour change as a diff.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"

namespace orrery::testkit {

struct GoldenCommand {
    std::string line;                        // The raw line, without a leading '!'.
    std::string name;                        // The first word.
    std::vector<std::string> args;           // Positional arguments (no '=' in them).
    std::map<std::string, std::string> kv;   // key=value arguments.
    bool expect_error = false;               // The line began with '!'.
    int line_number = 0;                     // 1-based, in the script file.

    // Returns the value of key=..., or `fallback` when absent.
    std::string Get(const std::string& key, const std::string& fallback = "") const;
    // Returns key=... parsed as an integer, or `fallback`; asserts on malformed numbers.
    int64_t GetInt(const std::string& key, int64_t fallback) const;
    // Returns the raw text after the command name.
    std::string Rest() const;
};

// Runs one command and returns its output (may be multi-line, may be empty) or an error.
using GoldenHandler = std::function<Result<std::string>(const GoldenCommand&)>;

// Runs every block of the script at `path` through handler. Reports mismatches through Catch2
// (one CHECK per block, with expected and actual output), or rewrites the file when
// UPDATE_GOLDEN=1.
void RunGoldenFile(const std::string& path, const GoldenHandler& handler);

// Lists the files in `dir` ending in `suffix` (default any), sorted by name.
std::vector<std::string> ListGoldenFiles(const std::string& dir, const std::string& suffix = "");

// Parses one command line (exposed for components that feed commands from elsewhere).
GoldenCommand ParseGoldenCommand(const std::string& line, int line_number);

}  // namespace orrery::testkit
