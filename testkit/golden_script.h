// The golden-script format without a test framework: parse a script, run its blocks through a
// handler, and say where the output differs. testkit/golden.h reports through Catch2 on top of
// this; `orrery scenario` (tools/cmd_scenario.cpp) runs the same scripts from the command line.
// The format is golden.h's.
#pragma once

#include <string>
#include <vector>

#include "testkit/golden.h"

namespace orrery::testkit {

struct GoldenBlockResult {
    int first_line = 0;          // 1-based line of the block's first command.
    std::string commands;        // The block's command lines, one per line.
    std::string expected;        // What the script says (empty for a block without "----").
    std::string actual;          // What the handler printed (errors as "error: ...").
    bool has_separator = false;  // The block has its "----" line.
};

struct GoldenScriptResult {
    std::vector<GoldenBlockResult> blocks;
    // Commands that failed without '!' or succeeded with it: "PATH:LINE: ...".
    std::vector<std::string> problems;
    // The script with every expected output replaced by the actual one (UPDATE_GOLDEN's file).
    std::string rewritten;

    // Blocks whose expected output differs from the actual one, or that lack "----".
    size_t mismatches() const;
};

// Runs every block of `text` (named `path` in problems) through `handler`, in order.
GoldenScriptResult RunGoldenScript(const std::string& text, const std::string& path,
                                   const GoldenHandler& handler);

// Output lines that are not blank, each ending in '\n' (how expected output is compared).
std::string NormalizeGoldenOutput(const std::string& text);

}  // namespace orrery::testkit
