// KvCli: the command table, word splitting, parsing and rendering. See kv_cli.h.
#include "node/kv_cli.h"

#include <fmt/format.h>

#include <charconv>

#include "raft/raft.h"

namespace orrery::node {
namespace {

// The longest line SplitKvWords accepts (a named limit on the loop below).
constexpr size_t kMaxLineBytes = 1 << 20;

ClientRequest Request(RequestOp op, std::string key = {}) {
    ClientRequest r;
    r.op = op;
    r.key = std::move(key);
    return r;
}

Status CheckKey(const std::string& key) {
    if (key.empty()) return Status::InvalidArgument("the key must not be empty");
    return Status::Ok();
}

Result<uint32_t> ParseUint32(const std::string& word, std::string_view what) {
    uint32_t value = 0;
    auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), value);
    if (ec != std::errc() || end != word.data() + word.size()) {
        return Status::InvalidArgument(fmt::format("{} must be a number, not '{}'", what, word));
    }
    return value;
}

// --- builders: arguments -> request ---

Result<ClientRequest> BuildGet(const std::vector<std::string>& a) {
    ORRERY_RETURN_IF_ERROR(CheckKey(a[0]));
    return Request(RequestOp::kGet, a[0]);
}

Result<ClientRequest> BuildPut(const std::vector<std::string>& a) {
    ORRERY_RETURN_IF_ERROR(CheckKey(a[0]));
    ClientRequest r = Request(RequestOp::kPut, a[0]);
    r.value = a[1];
    return r;
}

Result<ClientRequest> BuildDelete(const std::vector<std::string>& a) {
    ORRERY_RETURN_IF_ERROR(CheckKey(a[0]));
    return Request(RequestOp::kDelete, a[0]);
}

Result<ClientRequest> BuildCas(const std::vector<std::string>& a) {
    ORRERY_RETURN_IF_ERROR(CheckKey(a[0]));
    ClientRequest r = Request(RequestOp::kCas, a[0]);
    r.expected = a[1];
    r.value = a[2];
    return r;
}

Result<ClientRequest> BuildScan(const std::vector<std::string>& a) {
    ClientRequest r = Request(RequestOp::kScan, a.size() > 0 ? a[0] : "");
    r.end = a.size() > 1 ? a[1] : "";
    r.limit = kKvCliDefaultScanLimit;
    if (a.size() > 2) {
        ORRERY_ASSIGN_OR_RETURN(r.limit, ParseUint32(a[2], "LIMIT"));
    }
    if (r.limit == 0 || r.limit > kMaxScanLimit) {
        return Status::InvalidArgument(fmt::format("LIMIT must be in [1, {}]", kMaxScanLimit));
    }
    if (!r.end.empty() && r.end <= r.key) {
        return Status::InvalidArgument("END must be after START (or \"\" for no end)");
    }
    return r;
}

Result<ClientRequest> BuildStatus(const std::vector<std::string>&) {
    return Request(RequestOp::kStatus);
}

// --- renderers: outcome -> line ---

std::string RenderNotOk(const KvOutcome& o) {
    return fmt::format("{} {}", OutcomeTypeName(o.type), o.error);
}

std::string RenderRead(const KvCliInvocation&, const KvOutcome& o) {
    if (o.type != KvOutcome::Type::kOk) return RenderNotOk(o);
    if (o.code == ReplyCode::kNotFound) return "not-found";
    return fmt::format("ok {}", QuoteKvWord(o.value));
}

std::string RenderWrite(const KvCliInvocation&, const KvOutcome& o) {
    if (o.type != KvOutcome::Type::kOk) return RenderNotOk(o);
    return "ok";
}

std::string RenderCas(const KvCliInvocation&, const KvOutcome& o) {
    if (o.type == KvOutcome::Type::kFail && o.code == ReplyCode::kCasFailed) {
        return fmt::format("fail cas-failed current={}", QuoteKvWord(o.value));
    }
    return RenderWrite({}, o);
}

std::string RenderScan(const KvCliInvocation&, const KvOutcome& o) {
    if (o.type != KvOutcome::Type::kOk) return RenderNotOk(o);
    std::string text = fmt::format("ok {} pairs", o.pairs.size());
    for (const auto& [k, v] : o.pairs) text += fmt::format("\n{} {}", QuoteKvWord(k), QuoteKvWord(v));
    return text;
}

std::string RenderStatus(const KvCliInvocation& inv, const KvOutcome& o) {
    std::string who = fmt::format("n{}", inv.target);
    if (o.type != KvOutcome::Type::kOk || !o.status) {
        return fmt::format("{} {}", who, RenderNotOk(o));
    }
    if (!o.message.empty()) {
        // A leaderless node has no Raft state: it describes itself ("n1 incarnation=0 period=7
        // hints=0", then its gossip table and ring). The first line, without its name, is the
        // summary; `orrery cluster status` prints the rest.
        std::string_view first = std::string_view(o.message).substr(0, o.message.find('\n'));
        first = first.substr(std::min(first.size(), first.find(' ') + 1));
        return fmt::format("{} ok leaderless {}", who, first);
    }
    const ServerStatus& s = *o.status;
    return fmt::format("{} ok role={} term={} commit={} applied={} last={} leader={} hash={:016x}",
                       who, raft::RoleName(static_cast<raft::Role>(s.role)), s.term, s.commit,
                       s.applied, s.last_index, s.leader == 0 ? "?" : fmt::format("n{}", s.leader),
                       s.state_hash);
}

bool IsPlainWord(std::string_view word) {
    if (word.empty()) return false;
    for (char c : word) {
        auto u = static_cast<unsigned char>(c);
        if (u <= ' ' || u >= 0x7f || c == '"' || c == '\\') return false;
    }
    return true;
}

}  // namespace

const std::vector<KvCliCommand>& KvCliCommands() {
    // One row per command. To add one (say `begin`), add a row and its build/render functions.
    static const std::vector<KvCliCommand> kCommands = {
        {"get", "KEY", "Reads KEY (linearizable: ReadIndex at the leader).", 1, 1, BuildGet,
         RenderRead},
        {"put", "KEY VALUE", "Sets KEY to VALUE.", 2, 2, BuildPut, RenderWrite},
        {"delete", "KEY", "Removes KEY (ok whether or not it existed).", 1, 1, BuildDelete,
         RenderWrite},
        {"cas", "KEY OLD NEW", "Sets KEY to NEW iff it holds OLD.", 3, 3, BuildCas, RenderCas},
        {"scan", "[START [END [LIMIT]]]",
         "Lists up to LIMIT (default 100) pairs with START <= key < END (\"\" = no end).", 0, 3,
         BuildScan, RenderScan},
        {"status", "[N]", "Shows node N's Raft state and state hash (every node without N).", 0,
         1, BuildStatus, RenderStatus},
    };
    return kCommands;
}

Result<std::vector<std::string>> SplitKvWords(std::string_view line) {
    if (line.size() > kMaxLineBytes) return Status::InvalidArgument("line too long");
    std::vector<std::string> words;
    size_t i = 0;
    while (i < line.size()) {
        if (line[i] == ' ' || line[i] == '\t' || line[i] == '\r' || line[i] == '\n') {
            ++i;
            continue;
        }
        std::string word;
        if (line[i] != '"') {
            while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r' &&
                   line[i] != '\n') {
                word.push_back(line[i++]);
            }
            words.push_back(std::move(word));
            continue;
        }
        ++i;  // The opening quote.
        bool closed = false;
        while (i < line.size() && !closed) {
            char c = line[i++];
            if (c == '"') {
                closed = true;
            } else if (c != '\\') {
                word.push_back(c);
            } else {
                if (i == line.size()) return Status::InvalidArgument("unterminated quote");
                char e = line[i++];
                if (e == 'n') word.push_back('\n');
                else if (e == 't') word.push_back('\t');
                else if (e == '"' || e == '\\') word.push_back(e);
                else return Status::InvalidArgument(fmt::format("bad escape \\{}", e));
            }
        }
        if (!closed) return Status::InvalidArgument("unterminated quote");
        words.push_back(std::move(word));
    }
    return words;
}

Result<KvCliInvocation> ParseKvCommand(const std::vector<std::string>& words) {
    ORRERY_ASSERT(!words.empty(), "ParseKvCommand needs a command word");
    const KvCliCommand* command = nullptr;
    for (const KvCliCommand& c : KvCliCommands()) {
        if (c.name == words[0]) command = &c;
    }
    if (command == nullptr) {
        return Status::InvalidArgument(fmt::format("unknown command '{}' (try help)", words[0]));
    }
    std::vector<std::string> args(words.begin() + 1, words.end());
    if (args.size() < command->min_args || args.size() > command->max_args) {
        return Status::InvalidArgument(fmt::format("usage: {} {}", command->name, command->usage));
    }
    KvCliInvocation inv;
    inv.command = command;
    auto request = command->build(args);
    if (!request.ok()) {
        return Status::InvalidArgument(fmt::format("{}: {}", command->name,
                                                   request.status().message()));
    }
    inv.request = std::move(request).value();
    if (inv.request.op == RequestOp::kStatus && !args.empty()) {
        auto target = ParseUint32(args[0], "N");
        if (!target.ok() || *target == 0 || *target >= kFirstClientId) {
            return Status::InvalidArgument(fmt::format("status: bad node id '{}'", args[0]));
        }
        inv.target = *target;
    }
    return inv;
}

std::string RenderKvOutcome(const KvCliInvocation& invocation, const KvOutcome& outcome) {
    ORRERY_ASSERT(invocation.command != nullptr);
    return invocation.command->render(invocation, outcome);
}

int KvExitStatus(const KvOutcome& outcome) {
    switch (outcome.type) {
        case KvOutcome::Type::kOk: return kKvExitOk;
        case KvOutcome::Type::kFail: return kKvExitFailed;
        case KvOutcome::Type::kInfo: return kKvExitIndeterminate;
    }
    return kKvExitFailed;
}

std::string QuoteKvWord(std::string_view value) {
    if (IsPlainWord(value)) return std::string(value);
    std::string out = "\"";
    for (char c : value) {
        if (c == '"' || c == '\\') out += fmt::format("\\{}", c);
        else if (c == '\n') out += "\\n";
        else if (c == '\t') out += "\\t";
        else out.push_back(c);
    }
    out.push_back('"');
    return out;
}

std::string KvCliHelp() {
    std::string text;
    for (const KvCliCommand& c : KvCliCommands()) {
        text += fmt::format("  {:<34} {}\n", fmt::format("{} {}", c.name, c.usage), c.help);
    }
    return text;
}

}  // namespace orrery::node
