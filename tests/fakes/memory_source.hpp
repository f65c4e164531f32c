// An in-memory Source for unit tests: tables of rows held as the MySQL text protocol sends them.
// It answers what the pipeline asks of a source for tables with integer keys: reads in key or
// (timestamp, key) order with the position, bound and NULL-timestamp filters, range and whole-table
// chunks, and chunk digests of MySQL's row digests. Anything else (hash chunks, a `where`
// condition, digests of normalised values) throws, so a test cannot silently rely on it.
// tests/contract runs the same cases against it and MysqlSource.
#pragma once

#include "migrate/source/source.hpp"

#include <functional>
#include <map>

namespace migrate::fakes {

using Row = std::vector<std::optional<std::string>>;

class MemorySource : public source::Source {
public:
  MemorySource();

  // Creates or replaces a table; rows hold one value per column, in column order.
  void put_table(SourceTable shape, std::vector<Row> rows = {});
  // Inserts the row, or replaces the row with the same primary key.
  void upsert(const std::string& table, Row row);
  void erase(const std::string& table, const std::vector<std::string>& key);
  const std::vector<Row>& rows(const std::string& table) const;
  // Numbers `column` with AUTO_INCREMENT: the counter is past the highest value, as InnoDB's is
  // after rows inserted with their values, or at `next` when that is higher.
  void
  set_auto_increment(const std::string& table, const std::string& column, std::uint64_t next = 1);
  void set_foreign_keys(const std::string& table, std::vector<SourceForeignKey> keys);
  void set_checks(const std::string& table, std::vector<SourceCheck> checks);
  void set_other_objects(std::vector<std::string> objects) { m_other = std::move(objects); }
  // NOW(6) of the server, 'YYYY-MM-DD HH:MM:SS.ffffff'.
  void set_now(std::string now) { m_now = std::move(now); }

  std::string encryption() const override { return "unencrypted"; }
  const ServerVersion& server_version() const override { return m_version; }
  source::SourceServerInfo server_info() override;
  std::vector<std::string> table_names() override;
  SourceTable describe(const std::string& table) override;
  source::ServerClock server_clock(std::chrono::seconds lag, const std::string& zone) override;
  std::optional<std::string> newest_timestamp(const std::string& table,
                                              const std::string& column,
                                              const std::string& until) override;
  std::unique_ptr<source::RowReader> read(const source::ReadRequest& request) override;
  std::uint64_t count_rows(const source::ReadRequest& request) override;
  KeyRange key_range(const std::string& table,
                     const std::string& key_column,
                     const std::string& where) override;
  std::vector<ChunkDigest> chunk_digests(const std::string& table,
                                         const ComparePlan& plan) override;
  std::vector<RowDigest> row_digests(const std::string& table, const ChunkFilter& chunk) override;
  // The parts are the client's own (the fake has no SQL): the contract suite pins them, and the
  // real servers' SQL, to the same texts.
  std::vector<DigestSample>
  digest_samples(const std::string& table, const ChunkFilter& chunk, std::size_t limit) override;
  std::optional<AutoIncrement> auto_increment(const std::string& table) override;
  std::vector<SourceForeignKey> foreign_keys(const std::string& table) override;
  std::vector<SourceCheck> check_constraints(const std::string& table) override;
  std::vector<std::string> other_objects() override { return m_other; }

private:
  struct Table {
    SourceTable shape;
    std::vector<Row> rows;
    std::optional<AutoIncrement> counter;
    std::vector<SourceForeignKey> foreign_keys;
    std::vector<SourceCheck> checks;
  };
  const Table& table(const std::string& name) const;
  std::size_t column_index(const Table& table, const std::string& column) const;
  std::vector<const Row*> selected(const Table& table, const std::string& where) const;
  std::vector<const Row*> matching(const source::ReadRequest& request) const;
  void each_digest(
      const std::string& table,
      const ComparePlan& plan,
      const std::function<void(const Row&, const std::string&, std::uint64_t)>& visit) const;

  ServerVersion m_version;
  std::string m_now = "2026-11-29 02:00:00.000000";
  std::map<std::string, Table> m_tables;
  std::vector<std::string> m_other;
};

// MySQL's order of two values of a column: integers by value, temporal text by its instant
// (fractions padded), the rest bytewise (as a binary collation).
int compare_source_values(const std::string& a, const std::string& b, const SourceColumn& column);

} // namespace migrate::fakes
