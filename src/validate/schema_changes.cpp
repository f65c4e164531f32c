#include "migrate/validate/schema_changes.hpp"

#include "migrate/validate/schema_drift.hpp"

#include <algorithm>

namespace migrate::validate {
namespace {

const TargetColumn* find_column(const TargetTable& table, const std::string& name) {
  for (const auto& column : table.columns) {
    if (column.name == name) {
      return &column;
    }
  }
  return nullptr;
}

// Labels MySQL has that PostgreSQL lacks. Only when PostgreSQL's list is known and holds every one
// of its labels still: a removed label is no addition.
std::vector<std::string> new_labels(const TargetColumn& want, const TargetColumn& have) {
  std::vector<std::string> added;
  if (have.allowed_values.empty() || want.allowed_values.empty()) {
    return added;
  }
  for (const auto& label : want.allowed_values) {
    if (std::find(have.allowed_values.begin(), have.allowed_values.end(), label)
        == have.allowed_values.end()) {
      added.push_back(label);
    }
  }
  return added;
}

} // namespace

bool SchemaChangePlan::adds_columns() const {
  return std::any_of(changes.begin(), changes.end(), [](const SchemaChange& change) {
    return change.kind == SchemaChange::Kind::add_column;
  });
}

SchemaChangePlan plan_schema_changes(const TargetTable& expected, const TargetTable& existing) {
  SchemaChangePlan plan;
  for (const auto& want : expected.columns) {
    const auto* have = find_column(existing, want.name);
    if (have == nullptr) {
      if (want.name != k_digest_column) { // ensure_tool_columns() adds it
        plan.changes.push_back({SchemaChange::Kind::add_column, want, {}, {}});
      }
      continue;
    }
    if (!can_hold(have->pg_type, want.pg_type) && can_hold(want.pg_type, have->pg_type)) {
      plan.changes.push_back({SchemaChange::Kind::widen_type, want, have->pg_type, {}});
    }
    for (const auto& label : new_labels(want, *have)) {
      plan.changes.push_back({SchemaChange::Kind::add_enum_label, want, {}, label});
    }
  }
  // What is left once the changes are made is refused.
  auto changed = existing;
  for (const auto& change : plan.changes) {
    const auto column =
        std::find_if(changed.columns.begin(), changed.columns.end(), [&](const TargetColumn& c) {
          return c.name == change.column.name;
        });
    if (column == changed.columns.end()) {
      auto added = change.column;
      added.not_null = false;
      changed.columns.push_back(added);
    } else if (change.kind == SchemaChange::Kind::widen_type) {
      column->pg_type = change.column.pg_type;
    } else {
      column->allowed_values.push_back(change.label);
    }
  }
  plan.refused = schema_drift(expected, changed);
  return plan;
}

} // namespace migrate::validate
