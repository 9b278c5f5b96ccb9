// The SQL benchmark's phases (sql_bench.h). Each phase is one function that runs its statements
// and returns its op count and check value; RunSqlBench times them with the caller's clock.
#include "sql/bench/sql_bench.h"

#include <fmt/format.h>

#include "core/random.h"

namespace orrery::sql::bench {
namespace {

using slt::Cell;
using slt::Database;
using slt::ResultSet;

constexpr uint64_t kCountMax = 100'000'000;
constexpr uint64_t kGroups = 1000;
// Primes above kCountMax: id -> ((id - 1) * p) % n + 1 is then a permutation of 1..n.
constexpr uint64_t kPermutationA = 1'000'000'007;
constexpr uint64_t kPermutationB = 998'244'353;

struct PhaseOutput {
    uint64_t ops = 0;
    std::string check;
};

// v of row `id`: a seeded mix of the id, below 1,000,000 (SplitMix64's finaliser).
int64_t ValueOf(uint64_t id, uint64_t seed) {
    uint64_t z = id + seed * 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return static_cast<int64_t>((z ^ (z >> 31)) % 1'000'000);
}

int64_t AsInt(const Cell& c) {
    if (c.kind == Cell::Kind::kInteger) return c.integer;
    if (c.kind == Cell::Kind::kFloat) return static_cast<int64_t>(c.floating);
    return 0;
}

Status InPhase(const Status& s, const char* phase) {
    return s.ok() ? s : s.WithContext(phase);
}

Result<PhaseOutput> Insert(Database& db, const SqlBenchOptions& o) {
    ORRERY_RETURN_IF_ERROR(
        db.Run("CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, v INTEGER, s TEXT)").status());
    ORRERY_ASSIGN_OR_RETURN(uint32_t insert, db.Prepare("INSERT INTO t VALUES (?, ?, ?, ?)"));
    ORRERY_RETURN_IF_ERROR(db.Run("BEGIN").status());
    int64_t sum = 0;
    for (uint64_t id = 1; id <= o.rows; ++id) {
        int64_t v = ValueOf(id, o.seed);
        sum += v;
        std::vector<Cell> params{Cell::Integer(static_cast<int64_t>(id)),
                                 Cell::Integer(static_cast<int64_t>(id % kGroups)),
                                 Cell::Integer(v), Cell::Text(fmt::format("row-{}", id))};
        ORRERY_RETURN_IF_ERROR(db.RunPrepared(insert, params).status());
    }
    ORRERY_RETURN_IF_ERROR(db.Run("COMMIT").status());
    return PhaseOutput{o.rows, fmt::format("rows={} sum(v)={}", o.rows, sum)};
}

Result<PhaseOutput> PointSelects(Database& db, const SqlBenchOptions& o) {
    ORRERY_ASSIGN_OR_RETURN(uint32_t select, db.Prepare("SELECT v FROM t WHERE id = ?"));
    Random random(o.seed);
    int64_t sum = 0;
    for (uint64_t i = 0; i < o.point_selects; ++i) {
        auto id = static_cast<int64_t>(random.Uniform(o.rows) + 1);
        ORRERY_ASSIGN_OR_RETURN(ResultSet rs, db.RunPrepared(select, {Cell::Integer(id)}));
        if (rs.rows.size() != 1) {
            return Status::Corruption(fmt::format("id {} returned {} rows", id, rs.rows.size()));
        }
        sum += AsInt(rs.rows[0][0]);
    }
    return PhaseOutput{o.point_selects, fmt::format("sum(v)={}", sum)};
}

Result<PhaseOutput> RangeScans(Database& db, const SqlBenchOptions& o) {
    ORRERY_ASSIGN_OR_RETURN(uint32_t scan,
                            db.Prepare("SELECT id, v FROM t WHERE id >= ? AND id < ?"));
    Random random(o.seed + 1);
    uint64_t width = o.rows / 100;
    uint64_t rows = 0;
    int64_t sum = 0;
    for (uint64_t i = 0; i < o.range_scans; ++i) {
        auto lo = static_cast<int64_t>(random.Uniform(o.rows - width + 1) + 1);
        auto hi = lo + static_cast<int64_t>(width);
        ORRERY_ASSIGN_OR_RETURN(ResultSet rs,
                                db.RunPrepared(scan, {Cell::Integer(lo), Cell::Integer(hi)}));
        rows += rs.rows.size();
        for (const auto& row : rs.rows) sum += AsInt(row[1]);
    }
    return PhaseOutput{rows, fmt::format("rows={} sum(v)={}", rows, sum)};
}

Result<PhaseOutput> CountSum(Database& db, const SqlBenchOptions& o) {
    ORRERY_ASSIGN_OR_RETURN(ResultSet rs, db.Run("SELECT count(*), sum(v) FROM t"));
    if (rs.rows.size() != 1 || rs.columns != 2) return Status::Corruption("count/sum shape");
    return PhaseOutput{o.rows, fmt::format("count={} sum={}", AsInt(rs.rows[0][0]),
                                           AsInt(rs.rows[0][1]))};
}

Result<PhaseOutput> GroupBy(Database& db, const SqlBenchOptions& o) {
    ORRERY_ASSIGN_OR_RETURN(ResultSet rs, db.Run("SELECT k, count(*), sum(v) FROM t GROUP BY k"));
    // Folded order-independently: the engines may return groups in any order.
    int64_t fold = 0;
    for (const auto& row : rs.rows) {
        fold += AsInt(row[0]) * 1'000'003 + AsInt(row[1]) * 7 + AsInt(row[2]);
    }
    return PhaseOutput{o.rows, fmt::format("groups={} fold={}", rs.rows.size(), fold)};
}

Status LoadJoinTables(Database& db, const SqlBenchOptions& o) {
    for (auto [name, prime] : {std::pair{"a", kPermutationA}, std::pair{"b", kPermutationB}}) {
        ORRERY_RETURN_IF_ERROR(
            db.Run(fmt::format("CREATE TABLE {}(id INTEGER PRIMARY KEY, k INTEGER)", name))
                .status());
        ORRERY_ASSIGN_OR_RETURN(uint32_t insert,
                                db.Prepare(fmt::format("INSERT INTO {} VALUES (?, ?)", name)));
        ORRERY_RETURN_IF_ERROR(db.Run("BEGIN").status());
        for (uint64_t id = 1; id <= o.join_rows; ++id) {
            auto k = static_cast<int64_t>(((id - 1) * prime) % o.join_rows + 1);
            ORRERY_RETURN_IF_ERROR(
                db.RunPrepared(insert, {Cell::Integer(static_cast<int64_t>(id)), Cell::Integer(k)})
                    .status());
        }
        ORRERY_RETURN_IF_ERROR(db.Run("COMMIT").status());
    }
    return Status::Ok();
}

Result<PhaseOutput> Join(Database& db, const SqlBenchOptions& o) {
    ORRERY_ASSIGN_OR_RETURN(ResultSet rs,
                            db.Run("SELECT count(*), sum(b.id) FROM a JOIN b ON a.k = b.k"));
    if (rs.rows.size() != 1 || rs.columns != 2) return Status::Corruption("join shape");
    return PhaseOutput{2 * o.join_rows, fmt::format("count={} sum={}", AsInt(rs.rows[0][0]),
                                                    AsInt(rs.rows[0][1]))};
}

}  // namespace

SqlBenchOptions SqlBenchOptions::Scaled(uint64_t rows) {
    SqlBenchOptions o;
    o.rows = rows;
    o.point_selects = std::max<uint64_t>(1, rows / 10);
    o.join_rows = std::max<uint64_t>(1, rows / 10);
    return o;
}

Status ValidateSqlBench(const SqlBenchOptions& o) {
    if (o.rows < 100 || o.rows > kCountMax) {
        return Status::InvalidArgument(fmt::format("rows must be in [100, {}]", kCountMax));
    }
    for (uint64_t n : {o.point_selects, o.range_scans, o.join_rows}) {
        if (n < 1 || n > kCountMax) {
            return Status::InvalidArgument(
                fmt::format("point selects, range scans and join rows must be in [1, {}]",
                            kCountMax));
        }
    }
    return Status::Ok();
}

Result<std::vector<SqlBenchPhase>> RunSqlBench(Database& db, const SqlBenchOptions& o,
                                               const std::function<int64_t()>& now_us) {
    ORRERY_RETURN_IF_ERROR(ValidateSqlBench(o));
    using PhaseFn = Result<PhaseOutput> (*)(Database&, const SqlBenchOptions&);
    static constexpr std::pair<const char*, PhaseFn> kPhases[] = {
        {"insert", Insert},    {"point select", PointSelects}, {"range scan", RangeScans},
        {"count/sum", CountSum}, {"group by", GroupBy},        {"join", Join},
    };
    std::vector<SqlBenchPhase> phases;
    for (const auto& [name, fn] : kPhases) {
        if (fn == Join) ORRERY_RETURN_IF_ERROR(InPhase(LoadJoinTables(db, o), "join load"));
        int64_t start = now_us();
        Result<PhaseOutput> out = fn(db, o);
        int64_t elapsed = now_us() - start;
        if (!out.ok()) return InPhase(out.status(), name);
        phases.push_back({name, out->ops, elapsed, out->check});
    }
    return phases;
}

}  // namespace orrery::sql::bench
