// Tests of `orrery kv`'s command language: parsing lines into requests and rendering outcomes,
// as a golden script (testdata/kv_cli.txt), plus a property that quoting round-trips.
//
// Script commands:
//   parse LINE...            -> the request the line builds, or the parse error
//   render LINE outcome=ok|fail|info [code=..] [value=..] [error=..] [pairs=k:v,..]
//                            -> the line `orrery kv` prints and its exit status
#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <fmt/format.h>

#include "node/kv_cli.h"
#include "testkit/golden.h"

namespace orrery::node {
namespace {

Result<KvCliInvocation> ParseLine(const std::string& line) {
    ORRERY_ASSIGN_OR_RETURN(std::vector<std::string> words, SplitKvWords(line));
    if (words.empty()) return Status::InvalidArgument("empty line");
    return ParseKvCommand(words);
}

std::string DescribeInvocation(const KvCliInvocation& inv) {
    const ClientRequest& r = inv.request;
    return fmt::format("{} key={} value={} expected={} end={} limit={} target={}",
                       RequestOpName(r.op), QuoteKvWord(r.key), QuoteKvWord(r.value),
                       QuoteKvWord(r.expected), QuoteKvWord(r.end), r.limit, inv.target);
}

ReplyCode CodeNamed(const std::string& name) {
    if (name == "not-found") return ReplyCode::kNotFound;
    if (name == "cas-failed") return ReplyCode::kCasFailed;
    if (name == "error") return ReplyCode::kError;
    return ReplyCode::kOk;
}

KvOutcome OutcomeFrom(const testkit::GoldenCommand& c) {
    KvOutcome o;
    std::string type = c.Get("outcome", "ok");
    o.type = type == "ok" ? KvOutcome::Type::kOk
                          : (type == "fail" ? KvOutcome::Type::kFail : KvOutcome::Type::kInfo);
    o.code = CodeNamed(c.Get("code", "ok"));
    o.value = c.Get("value");
    o.error = c.Get("error");
    std::string pairs = c.Get("pairs");
    for (size_t pos = 0; !pairs.empty() && pos != std::string::npos;) {
        size_t comma = pairs.find(',', pos);
        std::string pair = pairs.substr(pos, comma == std::string::npos ? comma : comma - pos);
        size_t colon = pair.find(':');
        o.pairs.emplace_back(pair.substr(0, colon), pair.substr(colon + 1));
        pos = comma == std::string::npos ? comma : comma + 1;
    }
    if (c.kv.count("term") != 0) {
        o.status = ServerStatus{3, 7, 120, 118, 121, 2, 0xabcdef};
    }
    return o;
}

Result<std::string> RunCommand(const testkit::GoldenCommand& c) {
    std::string rest = c.Rest();
    if (c.name == "parse") {
        ORRERY_ASSIGN_OR_RETURN(KvCliInvocation inv, ParseLine(rest));
        return DescribeInvocation(inv);
    }
    if (c.name == "render") {
        // The line to parse is everything before the first key=value argument.
        size_t cut = rest.find(" outcome=");
        ORRERY_ASSIGN_OR_RETURN(KvCliInvocation inv, ParseLine(rest.substr(0, cut)));
        if (inv.target == 0) inv.target = 2;
        KvOutcome o = OutcomeFrom(c);
        return fmt::format("{}\nexit {}", RenderKvOutcome(inv, o), KvExitStatus(o));
    }
    if (c.name == "help") return KvCliHelp();
    return Status::InvalidArgument("unknown command " + c.name);
}

TEST_CASE("kv cli: the command language, golden", "[node]") {
    testkit::RunGoldenFile("testdata/kv_cli.txt", RunCommand);
}

TEST_CASE("kv cli: a quoted word reads back as itself", "[node]") {
    rc::prop("SplitKvWords(QuoteKvWord(v)) == {v}", [](const std::string& value) {
        RC_PRE(!value.empty());
        auto words = SplitKvWords("put k " + QuoteKvWord(value));
        RC_ASSERT(words.ok());
        RC_ASSERT(words->size() == 3u);
        RC_ASSERT((*words)[2] == value);
    });
}

TEST_CASE("kv cli: every command in the table parses with its minimum arguments", "[node]") {
    for (const KvCliCommand& c : KvCliCommands()) {
        std::vector<std::string> words = {std::string(c.name)};
        for (size_t i = 0; i < c.min_args; ++i) words.push_back(fmt::format("a{}", i));
        auto inv = ParseKvCommand(words);
        INFO(c.name);
        CHECK(inv.ok());
        words.resize(1 + c.max_args + 1, "x");
        CHECK_FALSE(ParseKvCommand(words).ok());
    }
}

}  // namespace
}  // namespace orrery::node
