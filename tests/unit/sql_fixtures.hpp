// Inputs of the golden-text tests of the adapters' SQL (test_postgres_sql.cpp, test_mysql_sql.cpp,
// test_comparison_sql.cpp): small tables and plans whose statements a person can read and check.
#pragma once

#include "migrate/core/compare.hpp"
#include "migrate/core/schema.hpp"

#include <string>
#include <vector>

namespace migrate::sql_fixtures {

// A column of a comparison, with the same name on both sides.
inline HashColumn col(const std::string& name, HashKind kind, int width = 0) {
  HashColumn column;
  column.source_name = name;
  column.target_name = name;
  column.kind = kind;
  column.width = width;
  return column;
}

inline ComparePlan plan_range(const HashColumn& key, const std::string& width) {
  ComparePlan plan;
  plan.columns = {key};
  plan.key = key;
  plan.key_columns = {key};
  plan.chunking = {Chunking::Kind::range, width};
  return plan;
}

inline ComparePlan plan_hash(const std::vector<HashColumn>& keys, const std::string& buckets) {
  ComparePlan plan;
  plan.columns = keys;
  plan.key = keys.front();
  plan.key_columns = keys;
  plan.chunking = {Chunking::Kind::hash, buckets};
  return plan;
}

inline ComparePlan plan_whole() {
  ComparePlan plan;
  plan.columns = {col("id", HashKind::integer)};
  plan.chunking = {Chunking::Kind::whole, "1"};
  return plan;
}

// app.orders: id bigint NOT NULL (the key), name varchar(20) (indexed), status text with a CHECK.
inline TargetTable orders() {
  TargetTable table;
  table.schema = "app";
  table.name = "orders";
  table.columns = {{"id", "bigint", true, {}, false},
                   {"name", "varchar(20)", false, {}, false},
                   {"status", "text", false, {"new", "it's"}, false}};
  table.primary_key = {"id"};
  table.indexes = {SourceIndex{"idx_name", false, {"name"}}};
  return table;
}

} // namespace migrate::sql_fixtures
