// `orrery version`: prints the build's version and which optional pieces it was built with.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace orrery::tools {

void Register_version(CLI::App& app) {
    auto* cmd = app.add_subcommand("version", "Print the version and build options");
    cmd->callback([] {
#ifdef ORRERY_HAVE_LEVELDB
        constexpr bool kLevelDb = true;
#else
        constexpr bool kLevelDb = false;
#endif
        fmt::print("orrery 0.1.0 (leveldb comparison: {})\n", kLevelDb ? "yes" : "no");
    });
}

}  // namespace orrery::tools
