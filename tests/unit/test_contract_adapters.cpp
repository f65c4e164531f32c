// The adapter contract on the in-memory fakes (tests/integration/test_contract_adapters.cpp runs
// the same cases on MariaDB and PostgreSQL).
#include "contract/adapter_contract.hpp"
#include "fakes/memory_source.hpp"
#include "fakes/memory_target.hpp"

#include <algorithm>
#include <cctype>

namespace migrate::contract {
namespace {

// The column as MySQL's information_schema describes it, for the types the cases use.
SourceColumn describe_column(const ColumnSpec& spec) {
  SourceColumn column;
  column.name = spec.name;
  column.data_type = spec.data_type;
  column.column_type = spec.mysql_type;
  std::transform(column.column_type.begin(),
                 column.column_type.end(),
                 column.column_type.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  column.nullable = spec.nullable;
  if (spec.data_type == "int") {
    column.numeric_precision = 10;
  } else if (spec.data_type == "varchar") {
    const auto open = spec.mysql_type.find('(');
    column.char_length = std::stoll(spec.mysql_type.substr(open + 1));
    column.charset = "utf8mb4";
  } else if (spec.data_type == "text") {
    column.charset = "utf8mb4";
  }
  return column;
}

// Integers by value, as ORDER BY sorts an integer column.
bool before(const Value& a, const Value& b) {
  if (a && b && a->size() != b->size() && std::all_of(a->begin(), a->end(), ::isdigit)
      && std::all_of(b->begin(), b->end(), ::isdigit)) {
    return a->size() < b->size();
  }
  return a < b;
}

class MemoryEnv : public ::testing::Test {
public:
  source::Source& source() { return m_source; }
  target::Target& target() { return m_target; }
  std::string schema() { return "public"; }
  bool binary_copy() const { return false; }

  void create_source(const SourceSpec& spec, const SourceKeys& keys = {}) {
    SourceTable shape;
    shape.name = spec.name;
    for (const auto& column : spec.columns) {
      shape.columns.push_back(describe_column(column));
    }
    shape.primary_key = spec.primary_key;
    m_source.put_table(shape, spec.rows);
    if (!keys.auto_increment.empty()) {
      m_source.set_auto_increment(spec.name, keys.auto_increment);
    }
    m_source.set_foreign_keys(spec.name, keys.foreign_keys);
  }

  void source_exec(const SourceChange& change) {
    if (change.kind == SourceChange::Kind::upsert) {
      m_source.upsert(change.table, change.row);
      return;
    }
    std::vector<std::string> key;
    for (const auto& value : change.row) {
      key.push_back(value.value_or(""));
    }
    m_source.erase(change.table, key);
  }

  // Changes made in the target by something other than migrate (see adapter_contract.hpp).
  void update_by_hand(const std::string& table,
                      const std::string& id,
                      const std::string& column,
                      const std::string& value) {
    const auto shape = *m_target.describe(schema(), table);
    const auto rows = m_target.rows(schema(), table);
    const auto at = std::find_if(shape.columns.begin(), shape.columns.end(), [&](const auto& c) {
      return c.name == column;
    });
    for (std::size_t r = 0; r < rows.size(); ++r) {
      if (rows[r][0] == id) {
        m_target.set_value(
            schema(), table, r, static_cast<std::size_t>(at - shape.columns.begin()), value);
      }
    }
  }

  void insert_by_hand(const std::string& table, const std::string& id, const std::string& name) {
    m_target.insert_by_hand(schema(), table, {{"id", id}, {"name", name}});
  }

  std::vector<TargetRow> target_rows(const std::string& table,
                                     const std::vector<std::string>& columns) {
    const auto shape = *m_target.describe(schema(), table);
    std::vector<TargetRow> out;
    for (const auto& row : m_target.rows(schema(), table)) {
      TargetRow projected;
      for (const auto& name : columns) {
        const auto at = std::find_if(shape.columns.begin(),
                                     shape.columns.end(),
                                     [&](const auto& c) { return c.name == name; });
        projected.push_back(row.at(static_cast<std::size_t>(at - shape.columns.begin())));
      }
      out.push_back(std::move(projected));
    }
    std::sort(out.begin(), out.end(), [](const TargetRow& a, const TargetRow& b) {
      return before(a[0], b[0]);
    });
    return out;
  }

private:
  fakes::MemorySource m_source;
  fakes::MemoryTarget m_target;
};

INSTANTIATE_TYPED_TEST_SUITE_P(Memory, SourceContract, MemoryEnv);
INSTANTIATE_TYPED_TEST_SUITE_P(Memory, TargetContract, MemoryEnv);
INSTANTIATE_TYPED_TEST_SUITE_P(Memory, PipelineContract, MemoryEnv);

} // namespace
} // namespace migrate::contract
