// The `orrery` command line: one binary, one subcommand per file (cmd_<name>.cpp).
//
// Exit status: 0 on success, 1 when a run or check found a problem (a failed checker, a
// determinism mismatch), 2 on bad input (unknown option, unreadable file).
#include <CLI/CLI.hpp>

#include "commands.inc"

int main(int argc, char** argv) {
    CLI::App app{"Orrery: a distributed SQL database built to be watched"};
    app.require_subcommand(1);
    app.set_help_all_flag("--help-all", "Show help for every subcommand");
    orrery::tools::RegisterAll(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // A command's own verdict (CLI::RuntimeError(1) for a found problem) passes through;
        // every other parse error is bad input.
        if (dynamic_cast<const CLI::RuntimeError*>(&e) != nullptr) return e.get_exit_code();
        int code = app.exit(e);
        return code == 0 ? 0 : 2;
    }
    return 0;
}
