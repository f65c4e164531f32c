// The source side of a sync: a MySQL-compatible database, read as a stream.
//
// Implementations: MysqlSource (mysql/mysql_source.hpp). Tests may wrap it to inject faults.
// A Source is used from one thread at a time; each RowReader owns its own connection, so a reader
// may stream on another thread while the Source answers other calls.
#pragma once

#include "migrate/core/compare.hpp"
#include "migrate/core/row.hpp"
#include "migrate/core/schema.hpp"
#include "migrate/core/server_version.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace migrate::source {

class RowReader {
public:
  virtual ~RowReader() = default;
  // Fetches the next row into `row`, valid until the next call; false at the end of the rows.
  // Throws Error(area source) when the stream breaks: the end of the rows is never a guess.
  virtual bool next(RowView& row) = 0;
};

enum class ReadOrder {
  by_key,               // primary key order: a full pass
  by_timestamp_then_key // (timestamp, key) order: an incremental pass
};

// What to read. Values are compared as MySQL compares them (numbers unquoted, the rest as
// literals).
struct ReadRequest {
  std::string table;
  std::vector<SourceColumn> columns; // the select list, in this order
  std::vector<SourceColumn> key;     // primary key columns, in key order
  std::optional<SourceColumn> timestamp;
  ReadOrder order = ReadOrder::by_key;

  // Rows strictly after this position: (timestamp, key) for by_timestamp_then_key, (key) for
  // by_key. An empty after_key with after_timestamp set means "timestamp > after_timestamp".
  std::optional<std::string> after_timestamp;
  std::vector<std::string> after_key;
  // Rows whose timestamp is at or below this bound only (by_timestamp_then_key).
  std::optional<std::string> until_timestamp;
  // Rows whose timestamp column is NULL or the zero date only (by_key): no cursor passes a NULL,
  // and nothing orders below the zero date, so a cursor standing on it never reads the rows
  // stamped with it later.
  bool only_null_or_zero_timestamp = false;
  // Rows of this comparison chunk only.
  std::optional<ChunkFilter> chunk;
  // An extra condition from the mapping (a data-quality rule), in MySQL's SQL.
  std::string where;
};

// The server's clock as a run reads it to bound its timestamp read.
struct ServerClock {
  std::string now; // NOW(6) minus the lag, 'YYYY-MM-DD HH:MM:SS.ffffff'
  // trx_started of the oldest InnoDB transaction still open (not the tool's own), in the same time
  // zone as `now`; nullopt when none is open or when they cannot be seen.
  std::optional<std::string> oldest_transaction;
  std::string oldest_transaction_thread;               // its connection id, for the log
  std::chrono::microseconds oldest_transaction_age{0}; // how long it has been open
};

// The server as `migrate check` reports it.
struct SourceServerInfo {
  ServerVersion version;
  ServerProbes probes;          // what the server answered at connect
  std::string account;          // CURRENT_USER(): the account the server matched, 'user'@'host'
  std::string tls_cipher;       // empty when the connection is not encrypted
  std::string tls_subject;      // the server certificate's subject, when encrypted
  std::string time_zone;        // @@GLOBAL.time_zone
  std::string system_time_zone; // @@system_time_zone, what 'SYSTEM' means
  std::string utc_now;          // UTC_TIMESTAMP(6), 'YYYY-MM-DD HH:MM:SS.ffffff'
  bool transactions_visible = false; // information_schema.INNODB_TRX readable (PROCESS)
};

// Source::server_clock's zone: MySQL's global time_zone.
inline constexpr const char* k_server_zone = "@@GLOBAL.time_zone";

class Source {
public:
  virtual ~Source() = default;

  // How the connection is protected, for the log: "TLSv1.3 TLS_AES_256_GCM_SHA384" or
  // "unencrypted".
  virtual std::string encryption() const = 0;

  // Flavour and version, detected once when the source connected.
  virtual const ServerVersion& server_version() const = 0;

  // Account, TLS, time zones and clock of the server. Changes nothing.
  virtual SourceServerInfo server_info() = 0;

  // The names of the base tables (not views) of the source database, sorted. Changes nothing.
  virtual std::vector<std::string> table_names() = 0;

  // Columns, types and primary key from information_schema. Throws Error(area source) when the
  // table does not exist, or names the privilege and account when the account cannot read it.
  virtual SourceTable describe(const std::string& table) = 0;

  // The server's clock minus `lag` and the start of its oldest open transaction, in the time zone
  // `zone`: empty for UTC, the frame of TIMESTAMP columns; k_server_zone for the server's global
  // time_zone, the frame in which DATETIME columns are usually written; else a time_zone value
  // MySQL takes ("+03:00", "Europe/Istanbul"), the writers' (Error(area config) naming it when
  // MySQL refuses it).
  virtual ServerClock server_clock(std::chrono::seconds lag, const std::string& zone) = 0;

  // The newest value of `column` up to `until` (the column's text, as a read gives it); nullopt
  // when no row has one. Changes nothing.
  virtual std::optional<std::string> newest_timestamp(const std::string& table,
                                                      const std::string& column,
                                                      const std::string& until) = 0;

  // Starts a streaming read (rows are not buffered in memory).
  virtual std::unique_ptr<RowReader> read(const ReadRequest& request) = 0;

  // How many rows read(request) would return (its columns and order aside).
  virtual std::uint64_t count_rows(const ReadRequest& request) = 0;

  // The server's estimate of the table's row count, for progress only; nullopt when it has none.
  virtual std::optional<std::uint64_t> estimated_rows(const std::string& /*table*/) {
    return std::nullopt;
  }

  // Row count and the smallest and largest value of a key column, over the rows `where` selects.
  virtual KeyRange
  key_range(const std::string& table, const std::string& key_column, const std::string& where) = 0;

  // The digest of every non-empty chunk of the table, computed by the server.
  virtual std::vector<ChunkDigest> chunk_digests(const std::string& table,
                                                 const ComparePlan& plan) = 0;

  // Each row of one chunk with the digest chunk_digests() folds into the chunk's, in no order.
  virtual std::vector<RowDigest> row_digests(const std::string& table,
                                             const ChunkFilter& chunk) = 0;

  // Up to `limit` rows of one chunk of a plan with a digest column, each with what the server's
  // SQL makes of it (DigestSample), for `migrate check --sample`. Changes nothing.
  virtual std::vector<DigestSample>
  digest_samples(const std::string& table, const ChunkFilter& chunk, std::size_t limit) = 0;

  // The table's AUTO_INCREMENT column and the counter's next value, read fresh (not from cached
  // statistics); nullopt when no column has AUTO_INCREMENT. Changes nothing.
  virtual std::optional<AutoIncrement> auto_increment(const std::string& table) = 0;

  // The foreign keys the table holds (it is the referencing side), sorted by name, each with its
  // columns in key order. Changes nothing.
  virtual std::vector<SourceForeignKey> foreign_keys(const std::string& table) = 0;

  // The CHECK constraints MySQL enforces on the table, sorted by name: none before MySQL 8.0.16,
  // which parses CHECK and ignores it; an unenforced one (MySQL's NOT ENFORCED) is left out.
  // Changes nothing.
  virtual std::vector<SourceCheck> check_constraints(const std::string& table) = 0;

  // What the database holds beside its tables and the cutover does not move, one line each:
  // "view v_orders", "trigger orders_bi on orders", "procedure close_month", "event purge".
  // Objects the account may not see are not listed. Changes nothing.
  virtual std::vector<std::string> other_objects() = 0;
};

} // namespace migrate::source
