// Optimizer: heuristic rewrite rules over a bound plan (plan/plan.h), applied in a fixed order,
// each one a function from a plan to an equivalent plan (same rows, same multiset, same order
// where the plan has a Sort). No statistics: the cost of a choice is judged from the estimated
// rows plan.h documents. docs/11-sql-planner.md lists every rule with its precondition and an
// EXPLAIN before and after.
//
// Equivalence is what the tests check: every statement of the golden files and the differential
// test runs on the optimized plan, and OptimizeOptions::disabled_rules lets a test compare a
// rule's output with the unoptimized plan's.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "sql/plan/plan.h"

namespace orrery::sql {

struct OptimizeOptions {
    // Rules (by name, as OptimizerRules() lists them) to skip.
    std::set<std::string> disabled_rules;
};

// The rules in the order they run.
std::vector<std::string> OptimizerRules();

// Rewrites `plan` (and the plans of its subqueries). The input may be modified in place; use the
// result.
PlanPtr Optimize(PlanPtr plan, const OptimizeOptions& options = {});

}  // namespace orrery::sql
