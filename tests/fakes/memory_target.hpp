// An in-memory Target for unit tests: tables of rows as COPY text fields, merged by primary key.
// Each commit applies to a copy that replaces the table only when the whole group succeeded, as a
// PostgreSQL transaction does. Chunk digests use the stored row digests (_migrate_digest) of
// range and whole-table chunks; other comparisons throw. tests/contract runs the same cases
// against it and PostgresTarget.
#pragma once

#include "migrate/target/target.hpp"

#include <functional>
#include <map>
#include <vector>

namespace migrate::fakes {

// One row: a value (nullopt for NULL) per column of the table, in column order.
using TargetRow = std::vector<std::optional<std::string>>;

class MemoryTarget : public target::Target {
public:
  // The rows of schema.table (soft-deleted ones included), in key order when it has a key.
  std::vector<TargetRow> rows(const std::string& schema, const std::string& table) const;
  // Changes a value behind the tool's back, as a person with psql would.
  void set_value(const std::string& schema,
                 const std::string& table,
                 std::size_t row,
                 std::size_t column,
                 std::optional<std::string> value);
  // Inserts a row behind the tool's back: the named values, NULL elsewhere (no digest, no seal).
  void insert_by_hand(const std::string& schema,
                      const std::string& table,
                      const std::vector<std::pair<std::string, std::string>>& values);

  std::string encryption() const override { return "unencrypted"; }
  target::TargetServerInfo server_info() override;
  std::vector<std::string> missing_privileges(const TargetTable& table) override;
  std::optional<TargetTable> describe(const std::string& schema, const std::string& table) override;
  void create_table(const TargetTable& table) override;
  std::string create_table_sql(const TargetTable& table) const override;
  void build_keys(const TargetTable& table) override;
  // Rows are sealed on write.
  bool prepare_first_load(const TargetTable& /*table*/, bool /*client_seals*/) override {
    return false;
  }
  void relax_unique_indexes(const TargetTable& table) override;
  std::unique_ptr<target::LoadSession> begin_load(const TargetTable& table,
                                                  target::LoadMode mode) override;
  void ensure_tool_columns(const TargetTable& table) override;
  void alter_table(const TargetTable& table, const std::vector<SchemaChange>& changes) override;
  std::string alter_table_sql(const TargetTable& table,
                              const std::vector<SchemaChange>& changes) const override;
  std::uint64_t count_rows(const TargetTable& table) override;
  std::uint64_t count_null(const TargetTable& table, const std::string& column) override;
  std::vector<ChunkDigest> chunk_digests(const TargetTable& table,
                                         const ComparePlan& plan) override;
  bool is_empty(const TargetTable& table) override;
  std::string identity(const TargetTable& table) override;
  void drop_table(const TargetTable& table) override;
  std::vector<RowDigest> row_digests(const TargetTable& table, const ChunkFilter& chunk) override;
  // The catalog holds the sync's indexes (non-unique, after build_keys), what set_catalog put
  // there, and the serial column's highest value. execute() records statements and runs none:
  // executed() lists them; a statement holding a text given to fail_statements() throws.
  TargetCatalog catalog(const TargetTable& table, const std::string& serial_column) override;
  void execute(const TargetTable& table, const std::string& sql) override;
  std::vector<std::string> orphan_keys(const TargetForeignKey& key, std::size_t limit) override;

  void set_catalog(const TargetTable& table, TargetCatalog catalog);
  void fail_statements(std::string containing, std::string sqlstate);
  const std::vector<std::string>& executed() const { return m_executed; }

  struct Stored {
    TargetTable shape; // columns as created (tool columns included), key once built
    std::vector<TargetRow> rows;
    std::uint64_t oid = 0;
  };
  Stored& stored(const TargetTable& table);

private:
  void each_digest(
      const TargetTable& table,
      const ComparePlan& plan,
      const std::function<void(const TargetRow&, const std::string&, std::optional<std::uint64_t>)>&
          visit);

  std::map<std::string, Stored> m_tables; // by schema.table
  std::map<std::string, TargetCatalog> m_catalogs;
  std::vector<std::string> m_executed;
  std::vector<std::pair<std::string, std::string>> m_failing; // text, SQLSTATE
  std::uint64_t m_next_oid = 16384;
};

} // namespace migrate::fakes
