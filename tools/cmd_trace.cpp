// `orrery trace show FILE`, `orrery trace step FILE` and `orrery trace html FILE [-o OUT]`:
// traces rendered for people (as lines, as a stepping session, as a self-contained web page).
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <unistd.h>

#include "trace/trace_html.h"
#include "tools/cli_util.h"
#include "tools/trace_page.h"
#include "tools/trace_render.h"
#include "tools/trace_step.h"

namespace orrery::tools {
namespace {

constexpr BadInputError BadInput{"trace"};

struct TraceArgs {
    std::string file;
    std::vector<std::string> nodes;
    std::vector<std::string> kinds;
    std::vector<std::string> messages;
    std::string from;
    std::string to;
};

// Reads and parses the trace, or prints a clear error and exits with status 2.
std::vector<TraceEvent> LoadOrExit(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        BadInput(fmt::format("'{}' is a directory, not a trace file", path));
    }
    std::ifstream in(path);
    if (!in) {
        BadInput(fmt::format("cannot read '{}'", path));
    }
    std::stringstream buf;
    buf << in.rdbuf();
    auto events = ParseTrace(buf.str());
    if (!events.ok()) {
        BadInput(fmt::format("{}: {}", path, events.status().message()));
    }
    if (events->empty()) {
        BadInput(fmt::format("'{}' holds no trace events", path));
    }
    NameDroppedMessages(*events);  // "✗ c1001 Reply c1001#13 ok", not a bare hash.
    return std::move(events).value();
}

TraceFilter FilterOrExit(const TraceArgs& a) {
    TraceFilter filter;
    std::vector<std::string> words;
    if (!a.nodes.empty()) {
        std::string joined;
        for (const auto& n : a.nodes) joined += (joined.empty() ? "" : ",") + n;
        words.push_back("node=" + joined);
    }
    if (!a.kinds.empty()) {
        std::string joined;
        for (const auto& k : a.kinds) joined += (joined.empty() ? "" : ",") + k;
        words.push_back("kind=" + joined);
    }
    if (!a.messages.empty()) {
        std::string joined;
        for (const auto& m : a.messages) joined += (joined.empty() ? "" : ",") + m;
        words.push_back("msg=" + joined);
    }
    if (!a.from.empty()) words.push_back("from=" + a.from);
    if (!a.to.empty()) words.push_back("to=" + a.to);
    for (const auto& w : words) {
        if (Status s = filter.ParseWord(w); !s.ok()) {
            BadInput(s.message());
        }
    }
    return filter;
}

void AddFilterOptions(CLI::App* cmd, TraceArgs* a) {
    cmd->add_option("FILE", a->file, "Trace file (JSON Lines)")->required();
    cmd->add_option("--node", a->nodes, "Only events on or to/from these nodes (1 or n1)");
    cmd->add_option("--kind", a->kinds, "Only these kinds (send, deliver, role, commit, ...)");
    cmd->add_option("--msg", a->messages,
                    "Only network events carrying these message types (Append, Vote, Get, ...)");
    cmd->add_option("--from", a->from, "Only events at or after this time (e.g. 1.5s)");
    cmd->add_option("--to", a->to, "Only events at or before this time");
}

// The filter options as a stepper "f" command, e.g. "f node=1,2 kind=send from=1s".
std::string FilterCommand(const TraceArgs& a) {
    auto join = [](const std::vector<std::string>& v) {
        std::string out;
        for (const auto& x : v) out += (out.empty() ? "" : ",") + x;
        return out;
    };
    std::string cmd = "f";
    if (!a.nodes.empty()) cmd += " node=" + join(a.nodes);
    if (!a.kinds.empty()) cmd += " kind=" + join(a.kinds);
    if (!a.messages.empty()) cmd += " msg=" + join(a.messages);
    if (!a.from.empty()) cmd += " from=" + a.from;
    if (!a.to.empty()) cmd += " to=" + a.to;
    return cmd;
}

void RunStep(const TraceArgs& a) {
    TraceStepper stepper(LoadOrExit(a.file));
    auto first = stepper.Handle(FilterCommand(a));
    if (!first.ok()) {
        BadInput(first.status().message());
    }
    fmt::print("{}\n(h for help, q to quit)\n", first.value());
    bool interactive = isatty(STDIN_FILENO);
    constexpr long kMaxCommands = 1000000;
    for (long i = 0; i < kMaxCommands && !stepper.done(); ++i) {
        if (interactive) fmt::print("step> ");
        std::fflush(stdout);
        std::string line;
        if (!std::getline(std::cin, line)) break;
        auto out = stepper.Handle(line);
        std::string text = out.ok() ? out.value() : out.status().message();
        if (!text.empty()) fmt::print("{}\n", text);
    }
}

void WriteFileOrExit(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
        BadInput(fmt::format("cannot write '{}'", path));
    }
}

// "run.jsonl" -> "run.html"; anything else gets ".html" appended.
std::string DefaultHtmlPath(const std::string& trace) {
    std::filesystem::path p(trace);
    if (p.extension() == ".jsonl" || p.extension() == ".json") p.replace_extension(".html");
    else p += ".html";
    return p.string();
}

}  // namespace

// Shared with `orrery sim --html`: renders the trace at `trace_path` into `html_path`, and
// says what it wrote on stdout.
void WriteTraceHtml(const std::string& trace_path, const std::string& html_path) {
    auto model = trace::BuildTraceModel(LoadOrExit(trace_path));
    std::string title = std::filesystem::path(trace_path).filename().string();
    WriteFileOrExit(html_path, trace::RenderTraceHtml(model, title));
    fmt::print("wrote {} ({} events, {} lanes, {} messages)\n", html_path, model.events.size(),
               model.lanes.size(), model.messages.size());
}

void Register_trace(CLI::App& app) {
    auto* trace = app.add_subcommand("trace", "Render and step through traces");
    trace->require_subcommand(1);

    auto show_args = std::make_shared<TraceArgs>();
    auto* show = trace->add_subcommand("show", "Print a trace, one human line per event");
    AddFilterOptions(show, show_args.get());
    show->callback([show_args] {
        auto events = LoadOrExit(show_args->file);
        TraceFilter filter = FilterOrExit(*show_args);
        std::string out;
        size_t shown = 0;
        for (const auto& e : events) {
            if (!filter.Matches(e)) continue;
            out += RenderEvent(e) + "\n";
            ++shown;
        }
        fmt::print("{}", out);
        std::fflush(stdout);
        // Said on stderr, so a pipe of the events stays clean: an empty output is a filter
        // that matched nothing, not an empty trace; a kind or message type the trace lacks is
        // named (--kind Append is a message type, --msg Append).
        for (const std::string& w : filter.Unmatched(events)) {
            fmt::print(stderr, "orrery trace: warning: {}\n", w);
        }
        if (shown == 0) {
            fmt::print(stderr, "none of the trace's {} events matches the filter\n",
                       events.size());
        }
    });

    auto step_args = std::make_shared<TraceArgs>();
    auto* step = trace->add_subcommand("step", "Step through a trace interactively");
    AddFilterOptions(step, step_args.get());
    step->callback([step_args] { RunStep(*step_args); });

    auto html_file = std::make_shared<std::string>();
    auto html_out = std::make_shared<std::string>();
    auto* html = trace->add_subcommand(
        "html", "Write a self-contained HTML page that draws the trace (lanes, messages, logs)");
    html->add_option("FILE", *html_file, "Trace file (JSON Lines)")->required();
    html->add_option("-o,--output", *html_out, "Page to write (default: FILE with .html)");
    html->callback([html_file, html_out] {
        WriteTraceHtml(*html_file, html_out->empty() ? DefaultHtmlPath(*html_file) : *html_out);
    });
}

}  // namespace orrery::tools
