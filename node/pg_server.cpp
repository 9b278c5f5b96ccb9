// PgConnection: the PostgreSQL connection state machine. See pg_server.h.
#include "node/pg_server.h"

#include <fmt/format.h>

#include <cctype>
#include <utility>

#include "node/pg_catalog.h"
#include "sql/parser.h"

namespace orrery::node {
namespace {

std::string Lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// Calls f(i) for every index of `query` outside '...', "..." and comments.
template <typename F>
void ForEachUnquoted(std::string_view query, F f) {
    size_t i = 0;
    while (i < query.size()) {
        char c = query[i];
        if (c == '\'' || c == '"') {
            size_t end = query.find(c, i + 1);
            while (end != std::string_view::npos && end + 1 < query.size() && query[end + 1] == c) {
                end = query.find(c, end + 2);
            }
            i = end == std::string_view::npos ? query.size() : end + 1;
        } else if (query.substr(i, 2) == "--") {
            size_t nl = query.find('\n', i);
            i = nl == std::string_view::npos ? query.size() : nl + 1;
        } else if (query.substr(i, 2) == "/*") {
            size_t end = query.find("*/", i + 2);
            i = end == std::string_view::npos ? query.size() : end + 2;
        } else {
            f(i);
            ++i;
        }
    }
}

// The first keyword of a statement, lower case.
std::string FirstWord(std::string_view text) {
    size_t i = 0;
    while (i < text.size() && (std::isspace(static_cast<unsigned char>(text[i])) != 0 || text[i] == '(')) ++i;
    size_t j = i;
    while (j < text.size() && std::isalpha(static_cast<unsigned char>(text[j])) != 0) ++j;
    return Lower(text.substr(i, j - i));
}

bool ReturnsRows(std::string_view query) {
    std::string w = FirstWord(query);
    if (w == "select" || w == "values" || w == "with" || w == "show" || w == "explain" ||
        w == "describe" || w == "table") {
        return true;
    }
    std::string lower = Lower(query);
    return lower.find("returning") != std::string::npos;
}

sql::SqlError NotSupported(std::string message) {
    return sql::MakeSqlError(sql::ErrorKind::kFeatureNotSupported, std::move(message));
}

SqlOutcome Failed(sql::SqlError error, sql::TxnStatus txn) {
    SqlOutcome out;
    out.type = KvOutcome::Type::kFail;
    out.error = std::move(error);
    out.txn_status = txn;
    return out;
}

}  // namespace

uint32_t CountPgParameters(std::string_view query) {
    uint32_t max = 0;
    ForEachUnquoted(query, [&](size_t i) {
        if (query[i] != '$' || i + 1 >= query.size()) return;
        if (i > 0 && (std::isalnum(static_cast<unsigned char>(query[i - 1])) != 0 ||
                      query[i - 1] == '_')) {
            return;
        }
        uint64_t n = 0;
        size_t j = i + 1;
        while (j < query.size() && std::isdigit(static_cast<unsigned char>(query[j])) != 0 &&
               n <= UINT32_MAX) {
            n = n * 10 + static_cast<uint64_t>(query[j] - '0');
            ++j;
        }
        if (j > i + 1 && n <= pg::kMaxPgMessageBytes && n > max) max = static_cast<uint32_t>(n);
    });
    return max;
}

bool MentionsPgCatalog(std::string_view query) {
    bool found = false;
    std::string lower = Lower(query);
    ForEachUnquoted(lower, [&](size_t i) {
        if (found) return;
        if (i > 0 && (std::isalnum(static_cast<unsigned char>(lower[i - 1])) != 0 ||
                      lower[i - 1] == '_')) {
            return;
        }
        std::string_view rest = std::string_view(lower).substr(i);
        found = rest.substr(0, 3) == "pg_" || rest.substr(0, 18) == "information_schema";
    });
    return found;
}

PgConnection::PgConnection(PgBackend& backend, PgConnectionOptions options,
                           std::function<void(std::string_view)> write,
                           std::function<void()> close)
    : backend_(backend),
      options_(std::move(options)),
      write_(std::move(write)),
      close_(std::move(close)) {}

void PgConnection::Write(std::string_view bytes) {
    if (!closed_) write_(bytes);
}

void PgConnection::Fatal(std::string_view sqlstate, std::string_view message) {
    if (closed_) return;
    Write(pg::ErrorResponse(sqlstate, message, std::nullopt, /*fatal=*/true));
    closed_ = true;
    input_.clear();
    close_();
}

void PgConnection::Refuse(std::string_view sqlstate, std::string_view message) {
    Fatal(sqlstate, message);
}

bool PgConnection::Cancel(int32_t secret_key) {
    if (!started_ || closed_ || secret_key != options_.secret_key) return false;
    if (waiting_) backend_.Cancel();
    return true;
}

void PgConnection::OnBytes(std::string_view bytes) {
    if (closed_) return;
    input_.append(bytes);
    Pump();
}

// Cuts and handles frames until the input runs out, a statement is in flight, or the
// connection closed. While a statement runs the input only accumulates; a frame whose length
// is over its bound ends the connection at once, so the buffer holds at most one bounded frame
// plus what arrived with it.
void PgConnection::Pump() {
    if (pumping_) return;
    pumping_ = true;
    while (!closed_ && !waiting_) {
        size_t used = 0;
        auto cut = pg::CutFrame(input_, /*startup=*/!started_, &used);
        if (!cut.ok()) {
            Fatal("08P01", std::string(cut.status().message()));
            break;
        }
        if (!cut->has_value()) break;
        pg::Frame frame = std::move(**cut);
        input_.erase(0, used);
        HandleFrame(frame);
    }
    pumping_ = false;
}

bool PgConnection::HandleFrame(const pg::Frame& frame) {
    if (!started_) {
        HandleStartup(frame);
        return true;
    }
    if (skip_to_sync_ && frame.type != 'S' && frame.type != 'X') return true;
    switch (frame.type) {
        case 'Q': HandleQuery(frame.body); break;
        case 'P': HandleParse(frame.body); break;
        case 'B': HandleBind(frame.body); break;
        case 'D': HandleDescribe(frame.body); break;
        case 'E': HandleExecute(frame.body); break;
        case 'C': HandleClose(frame.body); break;
        case 'H': break;  // Flush: every message is written as soon as it is made.
        case 'S':
            skip_to_sync_ = false;
            Write(pg::ReadyForQuery(txn_));
            break;
        case 'X':  // Terminate.
            closed_ = true;
            input_.clear();
            close_();
            break;
        default:
            Fatal("08P01", fmt::format("unexpected message type 0x{:02x}",
                                       static_cast<unsigned char>(frame.type)));
    }
    return true;
}

void PgConnection::HandleStartup(const pg::Frame& frame) {
    auto packet = pg::ParseStartup(frame.body);
    if (!packet.ok()) {
        return Fatal(packet.status().code() == Code::kNotSupported ? "0A000" : "08P01",
                     std::string(packet.status().message()));
    }
    switch (packet->kind) {
        case pg::StartupPacket::Kind::kSslRequest:
        case pg::StartupPacket::Kind::kGssEncRequest:
            Write("N");  // No encryption: the client goes on with its StartupMessage.
            return;
        case pg::StartupPacket::Kind::kCancel:
            // A cancel connection gets no answer, whether or not the key named a connection.
            closed_ = true;
            input_.clear();
            if (options_.on_cancel) options_.on_cancel(packet->process_id, packet->secret_key);
            close_();
            return;
        case pg::StartupPacket::Kind::kStartup: break;
    }
    startup_ = packet->parameters;
    if (startup_.count("user") == 0) return Fatal("28000", "no PostgreSQL user name specified");
    started_ = true;
    Write(pg::AuthenticationOk());
    auto app = startup_.find("application_name");
    const std::pair<const char*, std::string> statuses[] = {
        {"server_version", options_.server_version},
        {"server_encoding", "UTF8"},
        {"client_encoding", "UTF8"},
        {"DateStyle", "ISO, MDY"},
        {"integer_datetimes", "on"},
        {"standard_conforming_strings", "on"},
        {"TimeZone", "UTC"},
        {"IntervalStyle", "postgres"},
        {"is_superuser", "off"},
        {"session_authorization", startup_["user"]},
        {"application_name", app == startup_.end() ? "" : app->second},
    };
    for (const auto& [name, value] : statuses) Write(pg::ParameterStatus(name, value));
    Write(pg::BackendKeyData(options_.process_id, options_.secret_key));
    Write(pg::ReadyForQuery(txn_));
}

void PgConnection::Execute(std::string text, std::vector<sql::Value> params,
                           std::function<void(const SqlOutcome&)> then) {
    ORRERY_ASSERT(!waiting_, "one backend call at a time");
    waiting_ = true;
    backend_.Execute(std::move(text), std::move(params),
                     [this, then = std::move(then)](const SqlOutcome& outcome) {
                         waiting_ = false;
                         if (closed_) return;
                         txn_ = outcome.txn_status;
                         then(outcome);
                         Pump();
                     });
}

// psql's describe queries are answered from SHOW CATALOG on this session (pg_catalog.h); any
// other catalog query is refused before the session sees it, so unlike PostgreSQL an open
// transaction stays usable after the error.
void PgConnection::RunStatement(std::string text, std::vector<sql::Value> params,
                                std::function<void(const SqlOutcome&)> then) {
    if (!MentionsPgCatalog(text)) {
        return Execute(std::move(text), std::move(params), std::move(then));
    }
    std::optional<pgcat::RecognizedQuery> query = pgcat::RecognizePsqlQuery(text);
    if (!query) {
        return then(Failed(NotSupported("this query of the PostgreSQL system catalogs (pg_catalog, "
                                        "information_schema) is not served: only psql 15's \\d, "
                                        "\\dt, \\di, \\d NAME and \\d+ NAME are; use SHOW "
                                        "TABLES and DESCRIBE t"),
                           txn_));
    }
    Execute(std::string(pgcat::kShowCatalog), {},
            [this, query = std::move(*query), then = std::move(then)](const SqlOutcome& catalog) {
                if (!catalog.ok() || !catalog.result) return then(catalog);
                auto user = startup_.find("user");
                auto answer = pgcat::AnswerPsqlQuery(
                    query, *catalog.result, user == startup_.end() ? "" : user->second);
                if (!answer.ok()) return then(Failed(answer.error(), catalog.txn_status));
                SqlOutcome out = catalog;
                out.result = std::move(answer).value();
                then(out);
            });
}

void PgConnection::SendError(const sql::SqlError& error) { Write(pg::ErrorResponse(error)); }

void PgConnection::ExtendedError(const sql::SqlError& error) {
    SendError(error);
    skip_to_sync_ = true;
}

void PgConnection::SendResultHead(const sql::StatementResult& result) {
    for (const std::string& notice : result.notices) Write(pg::NoticeResponse(notice));
}

void PgConnection::HandleQuery(std::string_view body) {
    auto query = pg::ParseQuery(body);
    if (!query.ok()) return Fatal("08P01", std::string(query.status().message()));
    script_.clear();
    for (const sql::StatementText& s : sql::SplitStatements(*query)) {
        script_.emplace_back(s.text);
    }
    if (script_.empty()) {
        Write(pg::EmptyQueryResponse());
        Write(pg::ReadyForQuery(txn_));
        return;
    }
    RunNextScriptStatement();
}

void PgConnection::RunNextScriptStatement() {
    if (script_.empty()) {
        Write(pg::ReadyForQuery(txn_));
        return;
    }
    std::string text = std::move(script_.front());
    script_.pop_front();
    RunStatement(std::move(text), {}, [this](const SqlOutcome& outcome) {
        if (outcome.ok() && outcome.result) {
            const sql::StatementResult& r = *outcome.result;
            SendResultHead(r);
            if (!r.columns.empty()) {
                Write(pg::RowDescription(r.columns));
                for (const sql::Row& row : r.rows) Write(pg::DataRow(row));
            }
            Write(pg::CommandComplete(pg::CommandTag(r)));
        } else {
            script_.clear();
            SendError(outcome.error ? *outcome.error
                                    : sql::MakeSqlError(sql::ErrorKind::kInternal,
                                                        "the statement ended without a result"));
        }
        RunNextScriptStatement();
    });
}

void PgConnection::HandleParse(std::string_view body) {
    auto m = pg::ParseParse(body);
    if (!m.ok()) return Fatal("08P01", std::string(m.status().message()));
    std::vector<sql::StatementText> pieces = sql::SplitStatements(m->query);
    if (pieces.size() > 1) {
        return ExtendedError(sql::MakeSqlError(
            sql::ErrorKind::kSyntax, "cannot insert multiple commands into a prepared statement"));
    }
    if (!m->statement.empty() && prepared_.count(m->statement) != 0) {
        return ExtendedError(sql::MakeSqlError(
            sql::ErrorKind::kDuplicateObject,
            fmt::format("prepared statement \"{}\" already exists", m->statement)));
    }
    Prepared p;
    p.query = pieces.empty() ? std::string() : std::string(pieces[0].text);
    p.parameter_count = std::max<uint32_t>(CountPgParameters(p.query),
                                           static_cast<uint32_t>(m->parameter_types.size()));
    p.types = m->parameter_types;
    p.types.resize(p.parameter_count, 0);
    prepared_[m->statement] = std::move(p);
    Write(pg::ParseComplete());
}

void PgConnection::HandleBind(std::string_view body) {
    auto m = pg::ParseBind(body);
    if (!m.ok()) return Fatal("08P01", std::string(m.status().message()));
    auto it = prepared_.find(m->statement);
    if (it == prepared_.end()) {
        return ExtendedError(sql::MakeSqlError(
            sql::ErrorKind::kUndefinedObject,
            fmt::format("prepared statement \"{}\" does not exist", m->statement)));
    }
    const Prepared& p = it->second;
    if (m->parameters.size() != p.parameter_count) {
        return ExtendedError(sql::MakeSqlError(
            sql::ErrorKind::kInvalidParameter,
            fmt::format("bind message supplies {} parameters, but prepared statement \"{}\" "
                        "requires {}", m->parameters.size(), m->statement, p.parameter_count)));
    }
    for (int16_t f : m->parameter_formats) {
        if (f != 0) return ExtendedError(NotSupported("binary parameter format is not supported"));
    }
    for (int16_t f : m->result_formats) {
        if (f != 0) return ExtendedError(NotSupported("binary result format is not supported"));
    }
    Portal portal;
    portal.query = p.query;
    for (size_t i = 0; i < m->parameters.size(); ++i) {
        if (!m->parameters[i]) {
            portal.params.push_back(sql::Value::Null());
            continue;
        }
        auto v = pg::ParameterValue(p.types[i], *m->parameters[i], i);
        if (!v.ok()) {
            return ExtendedError(sql::MakeSqlError(sql::ErrorKind::kInvalidText,
                                                   std::string(v.status().message())));
        }
        portal.params.push_back(std::move(v).value());
    }
    portals_[m->portal] = std::move(portal);
    Write(pg::BindComplete());
}

void PgConnection::RunPortal(const std::string& name, std::function<void()> then) {
    Portal& portal = portals_.at(name);
    if (portal.outcome) return then();
    if (portal.query.empty()) {
        SqlOutcome empty;
        portal.outcome = empty;
        return then();
    }
    RunStatement(portal.query, portal.params, [this, name, then](const SqlOutcome& outcome) {
        auto it = portals_.find(name);
        if (it == portals_.end()) return;
        it->second.outcome = outcome;
        then();
    });
}

void PgConnection::HandleDescribe(std::string_view body) {
    auto m = pg::ParseDescribe(body);
    if (!m.ok()) return Fatal("08P01", std::string(m.status().message()));
    if (m->what == 'S') {
        auto it = prepared_.find(m->name);
        if (it == prepared_.end()) {
            return ExtendedError(sql::MakeSqlError(
                sql::ErrorKind::kUndefinedObject,
                fmt::format("prepared statement \"{}\" does not exist", m->name)));
        }
        std::vector<int32_t> types;
        for (int32_t oid : it->second.types) types.push_back(oid == 0 ? pg::kOidText : oid);
        Write(pg::ParameterDescription(types));
        if (ReturnsRows(it->second.query)) {
            return ExtendedError(NotSupported(
                "Describe of a prepared statement that returns rows is not supported (its "
                "columns are known once it runs): describe the portal after Bind instead"));
        }
        Write(pg::NoData());
        return;
    }
    if (portals_.count(m->name) == 0) {
        return ExtendedError(sql::MakeSqlError(sql::ErrorKind::kUndefinedObject,
                                               fmt::format("portal \"{}\" does not exist", m->name)));
    }
    std::string name = m->name;
    RunPortal(name, [this, name] {
        const Portal& portal = portals_.at(name);
        const SqlOutcome& o = *portal.outcome;
        if (!o.ok()) {
            return ExtendedError(o.error ? *o.error
                                         : sql::MakeSqlError(sql::ErrorKind::kInternal, "no result"));
        }
        if (o.result && !o.result->columns.empty()) {
            Write(pg::RowDescription(o.result->columns));
        } else {
            Write(pg::NoData());
        }
    });
}

void PgConnection::SendRows(Portal& portal, int32_t max_rows) {
    const sql::StatementResult& r = *portal.outcome->result;
    size_t end = r.rows.size();
    if (max_rows > 0 && portal.sent_rows + static_cast<size_t>(max_rows) < end) {
        end = portal.sent_rows + static_cast<size_t>(max_rows);
    }
    if (portal.sent_rows == 0) SendResultHead(r);
    for (; portal.sent_rows < end; ++portal.sent_rows) Write(pg::DataRow(r.rows[portal.sent_rows]));
    if (portal.sent_rows < r.rows.size()) {
        Write(pg::PortalSuspended());
        return;
    }
    portal.done = true;
    Write(pg::CommandComplete(pg::CommandTag(r)));
}

void PgConnection::HandleExecute(std::string_view body) {
    auto m = pg::ParseExecute(body);
    if (!m.ok()) return Fatal("08P01", std::string(m.status().message()));
    if (portals_.count(m->portal) == 0) {
        return ExtendedError(sql::MakeSqlError(
            sql::ErrorKind::kUndefinedObject, fmt::format("portal \"{}\" does not exist", m->portal)));
    }
    std::string name = m->portal;
    int32_t max_rows = m->max_rows;
    RunPortal(name, [this, name, max_rows] {
        Portal& portal = portals_.at(name);
        const SqlOutcome& o = *portal.outcome;
        if (!o.ok()) {
            return ExtendedError(o.error ? *o.error
                                         : sql::MakeSqlError(sql::ErrorKind::kInternal, "no result"));
        }
        if (!o.result) {
            Write(pg::EmptyQueryResponse());
            return;
        }
        if (portal.done) {
            // Executing a finished portal again yields no more rows.
            Write(pg::CommandComplete(pg::CommandTag(*o.result)));
            return;
        }
        SendRows(portal, max_rows);
    });
}

void PgConnection::HandleClose(std::string_view body) {
    auto m = pg::ParseDescribe(body);
    if (!m.ok()) return Fatal("08P01", std::string(m.status().message()));
    if (m->what == 'S') {
        prepared_.erase(m->name);
    } else {
        portals_.erase(m->name);
    }
    Write(pg::CloseComplete());
}

}  // namespace orrery::node
