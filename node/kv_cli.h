// KvCli: the command language of `orrery kv`, as pure functions over words and outcomes.
//
// `orrery kv get k1`, a REPL line `put k1 "hello world"`, and a script piped into the REPL all
// go through the same three steps, and only the first and the last live here:
//
//   words --ParseKvCommand--> KvCliCommand + ClientRequest --(KvClient, tools/)--> KvOutcome
//         --RenderKvOutcome--> one line of text and an exit status
//
// Every command is ONE entry of the table in kv_cli.cpp: its name, usage, arity, a function
// that builds the request from the arguments, and a function that renders the outcome. Adding
// a command (e.g. the transaction commands) is adding a row; nothing else dispatches on names.
//
// Output lines start with the outcome so scripts and tests can parse them: "ok ...",
// "not-found", "fail <why>", "info <why>". Values that are not plain words are printed quoted,
// in the syntax SplitKvWords reads back. Exit statuses: 0 ok (including not-found), 1 the
// operation failed or no server answered, 2 bad input, 3 indeterminate (a write that may or
// may not have been applied: info, never reported as a failure).
//
// No I/O, no clocks: the CLI in tools/ does the talking; the golden test drives these directly.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "node/client_protocol.h"
#include "node/kv_client.h"

namespace orrery::node {

// Exit statuses of `orrery kv` (see above).
inline constexpr int kKvExitOk = 0;
inline constexpr int kKvExitFailed = 1;
inline constexpr int kKvExitBadInput = 2;
inline constexpr int kKvExitIndeterminate = 3;

// The default and the largest number of pairs a `scan` asks for.
inline constexpr uint32_t kKvCliDefaultScanLimit = 100;

struct KvCliInvocation;

// One row of the command table.
struct KvCliCommand {
    std::string_view name;   // The first word: "get".
    std::string_view usage;  // The arguments: "KEY".
    std::string_view help;   // One sentence.
    size_t min_args = 0;
    size_t max_args = 0;
    // Builds the request from the arguments (arity already checked); kInvalidArgument if bad.
    Result<ClientRequest> (*build)(const std::vector<std::string>& args) = nullptr;
    // Renders a finished operation as one line (possibly several for scans, joined by '\n').
    std::string (*render)(const KvCliInvocation& invocation, const KvOutcome& outcome) = nullptr;
};

// The command table, in the order `help` lists it.
const std::vector<KvCliCommand>& KvCliCommands();

// A parsed command line.
struct KvCliInvocation {
    const KvCliCommand* command = nullptr;  // Points into KvCliCommands().
    ClientRequest request;                  // client_id and seq are filled in by KvClient.
    uint32_t target = 0;                    // status N: only server N; 0 = every server.
};

// Splits a line into words: whitespace separates, "double quotes" group, and inside quotes
// \" \\ \n \t escape. kInvalidArgument on an unterminated quote or a bad escape.
Result<std::vector<std::string>> SplitKvWords(std::string_view line);

// Looks the first word up in the table and builds the request. kInvalidArgument with the usage
// when the command is unknown or its arguments are wrong. REQUIRES: !words.empty().
Result<KvCliInvocation> ParseKvCommand(const std::vector<std::string>& words);

// Renders an outcome with its command's renderer.
std::string RenderKvOutcome(const KvCliInvocation& invocation, const KvOutcome& outcome);

// The exit status for an outcome (kKvExitOk, kKvExitFailed or kKvExitIndeterminate).
int KvExitStatus(const KvOutcome& outcome);

// Renders a value as a word SplitKvWords reads back: bare if it is a plain word, else quoted.
std::string QuoteKvWord(std::string_view value);

// The help text: one line per command, "  get KEY   Reads ...".
std::string KvCliHelp();

}  // namespace orrery::node
