// OrreryDatabase (orrery_database.h): the Session step protocol run to the end, and results
// converted to cells.
#include "sql/slt/orrery_database.h"

#include <fmt/format.h>

namespace orrery::sql::slt {
namespace {

Status ToStatus(const SqlError& e) {
    return Status::InvalidArgument(fmt::format("{}: {}", SqlState(e.kind), e.message));
}

Result<ResultSet> ToResultSet(const StatementOutcome& outcome) {
    if (!outcome.ok()) return ToStatus(outcome.error());
    const StatementResult& r = outcome.value();
    ResultSet rs;
    rs.columns = r.columns.size();
    rs.rows.reserve(r.rows.size());
    for (const Row& row : r.rows) {
        CellRow cells;
        cells.reserve(row.size());
        for (const Value& v : row) cells.push_back(OrreryDatabase::ToCell(v));
        rs.rows.push_back(std::move(cells));
    }
    return rs;
}

}  // namespace

Cell OrreryDatabase::ToCell(const Value& v) {
    switch (v.type()) {
        case DataType::kNull: return Cell::Null();
        case DataType::kBoolean: return Cell::Integer(v.boolean() ? 1 : 0);
        case DataType::kInteger: return Cell::Integer(v.integer());
        case DataType::kFloat: return Cell::Float(v.floating());
        case DataType::kString: return Cell::Text(v.string());
        case DataType::kTimestamp:
        case DataType::kBlob: return Cell::Text(v.ToString());
    }
    return Cell::Null();
}

Value OrreryDatabase::ToValue(const Cell& c) {
    switch (c.kind) {
        case Cell::Kind::kNull: return Value::Null();
        case Cell::Kind::kInteger: return Value::Integer(c.integer);
        case Cell::Kind::kFloat: return Value::Float(c.floating);
        case Cell::Kind::kText: return Value::String(c.text);
    }
    return Value::Null();
}

Result<ResultSet> OrreryDatabase::Run(std::string_view sql) {
    return ToResultSet(session_.Execute(sql, commit_));
}

Result<uint32_t> OrreryDatabase::Prepare(std::string_view sql) {
    SqlResult<PreparedInfo> info = session_.Prepare(sql);
    if (!info.ok()) return ToStatus(info.error());
    return info.value().id;
}

Result<ResultSet> OrreryDatabase::RunPrepared(uint32_t id, const std::vector<Cell>& params) {
    std::vector<Value> values;
    values.reserve(params.size());
    for (const Cell& c : params) values.push_back(ToValue(c));
    session_.StartPrepared(id, std::move(values));
    return ToResultSet(Finish());
}

StatementOutcome OrreryDatabase::Finish() {
    for (;;) {
        switch (session_.Step()) {
            case Session::StepState::kYield: break;
            case Session::StepState::kNeedsCommit:
                session_.CommitDecided(commit_(session_.pending_commit()));
                break;
            case Session::StepState::kDone: return session_.TakeOutcome();
        }
    }
}

}  // namespace orrery::sql::slt
