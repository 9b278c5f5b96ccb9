// Small helpers shared by the subcommand files.
#pragma once

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/types.h"

namespace orrery::tools {

// Ends a command on bad input: says what is wrong on stderr as "orrery COMMAND: MESSAGE" and
// throws CLI::RuntimeError(status), whose status main() returns as it is (2, bad input, unless
// the command documents another). Each command file declares its own:
//     constexpr BadInputError BadInput{"sim"};
//     if (!ok) BadInput("bad --duration '30x'");
struct BadInputError {
    std::string_view command;
    int status = 2;

    [[noreturn]] void operator()(std::string_view message) const {
        fmt::print(stderr, "orrery {}: {}\n", command, message);
        throw CLI::RuntimeError(status);
    }
};

// Returns the `orrery bench` group, creating it on first use, so each benchmark file can add
// its own `orrery bench <name>` without a shared registration list.
inline CLI::App* BenchGroup(CLI::App& app) {
    for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
        if (sub->get_name() == "bench") return sub;
    }
    CLI::App* bench = app.add_subcommand("bench", "Benchmarks that print figures");
    bench->require_subcommand(1);
    return bench;
}

// Parses "30s", "250ms", "1500us", "2m" or a bare number of seconds. nullopt if malformed.
inline std::optional<Duration> ParseDuration(const std::string& text) {
    size_t pos = 0;
    double value = 0;
    try {
        value = std::stod(text, &pos);
    } catch (...) {
        return std::nullopt;
    }
    std::string unit = text.substr(pos);
    double us_per_unit = 0;
    if (unit.empty() || unit == "s") us_per_unit = 1e6;
    else if (unit == "ms") us_per_unit = 1e3;
    else if (unit == "us") us_per_unit = 1;
    else if (unit == "m") us_per_unit = 60e6;
    else return std::nullopt;
    if (value < 0) return std::nullopt;
    return Duration(static_cast<int64_t>(value * us_per_unit));
}

// Parses a decimal uint64 strictly: digits only (no sign, no spaces), and within range, so
// "-1" and "99999999999999999999999" are refused instead of wrapping. nullopt if malformed.
inline std::optional<uint64_t> ParseUint64(const std::string& text) {
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) {
        return std::nullopt;
    }
    uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

// A CLI11 check for seed options: the text must be a decimal uint64 (ParseUint64).
inline CLI::Validator SeedValidator() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            if (ParseUint64(text)) return "";
            return "a seed is a decimal integer in 0..18446744073709551615, got '" + text + "'";
        },
        "SEED");
}

}  // namespace orrery::tools
