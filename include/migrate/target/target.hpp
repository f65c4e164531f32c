// The target side of a sync: PostgreSQL, loaded through COPY and merged by primary key.
//
// Implementations: PostgresTarget (postgres/postgres_target.hpp). A Target and its LoadSession are
// used from one thread at a time.
#pragma once

#include "migrate/core/compare.hpp"
#include "migrate/core/copy_format.hpp"
#include "migrate/core/schema.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace migrate::target {

struct MergeCounts {
  std::uint64_t inserted = 0;
  std::uint64_t updated = 0;
  std::uint64_t unchanged = 0; // staged rows equal to the target's: no write
  std::uint64_t deleted = 0;   // rows deleted (or marked deleted) by a reconcile
};

// Deletes (or, with soft, marks) the target rows of a comparison chunk that were not staged in this
// commit: the source no longer has them. Only for a commit that staged the whole chunk.
struct Reconcile {
  ChunkFilter chunk;
  bool soft = false;
};

enum class LoadMode {
  upsert, // COPY into a staging table, then the merge (INSERT ... ON CONFLICT) into the target
  // upsert, leaving as they are the target rows changed by something other than migrate (their seal
  // broken): the cutover's final sync, whose checksum then names them.
  upsert_keeping_edits,
  direct, // COPY straight into the target: only when it held no rows when the load began
  // COPY into a staging table, then replace the target's whole content with it: replace().
  replace,
};

// One table's load, as a sequence of transactions ("commit groups").
class LoadSession {
public:
  virtual ~LoadSession() = default;
  // The COPY format of every write() of this session, chosen at the first call (later calls return
  // the same): `wanted`, or text where the table cannot read binary rows (a column whose type is
  // not exactly the one convert::binary_type() writes for it).
  virtual CopyFormat choose_format(CopyFormat wanted) = 0;
  // After choose_format(): whether each row ends with its seal after the digest
  // (convert::RowEncoder's append_seal()). True only for a LoadMode::direct session into a table
  // prepare_first_load() let the client seal, and then the format is binary.
  virtual bool rows_carry_seal() const = 0;
  // Sends whole COPY rows (RowEncoder's, in the chosen format; text before any choice) holding
  // `rows` rows; opens a transaction if none is open.
  virtual void write(std::string_view lines, std::size_t rows) = 0;
  // Ends the COPY, merges what was staged into the target, reconciles deletes when asked, and
  // commits. Returns what changed. Throws Error(area target) and rolls back on failure: then
  // nothing of this group is in the target.
  virtual MergeCounts commit(const Reconcile* reconcile = nullptr) = 0;
  // LoadMode::replace only. Ends the COPY and, in the transaction that staged the rows, checks
  // that the staging table holds `expected_rows` rows, deletes every target row and inserts the
  // staged ones (duplicates included), then commits: readers see the old or the new content,
  // never an empty table. Returns the rows inserted and deleted. Throws Error(area target) and
  // rolls back when the count differs or a statement fails: then the target is unchanged.
  virtual MergeCounts replace(std::uint64_t expected_rows) = 0;
};

// The server as `migrate check` reports it.
struct TargetServerInfo {
  std::string version; // server_version, e.g. "16.4"
  std::string role;    // current_user
  bool superuser = false;
  std::string tls;         // "TLSv1.3 TLS_AES_256_GCM_SHA384", empty when not encrypted
  std::string tls_subject; // the server certificate's subject, when encrypted
  std::string time_zone;   // the server's TimeZone setting (the session's is UTC)
  std::string utc_now;     // now() in UTC, 'YYYY-MM-DD HH:MM:SS.ffffff'
  std::string encoding;    // the database's encoding (server_encoding): "UTF8", "SQL_ASCII", ...
};

class Target {
public:
  virtual ~Target() = default;

  // How the connection is protected, for the log: "TLSv1.3 TLS_AES_256_GCM_SHA384" or
  // "unencrypted".
  virtual std::string encryption() const = 0;

  // Version, role, TLS, time zone and clock of the server. Changes nothing.
  virtual TargetServerInfo server_info() = 0;

  // The privileges the role lacks for a run on `table` (to create it when it does not exist, to
  // read, merge and alter it when it does), each as "CREATE on schema s"; empty when none lacks.
  virtual std::vector<std::string> missing_privileges(const TargetTable& table) = 0;

  // The table as PostgreSQL has it, or nullopt when it does not exist.
  virtual std::optional<TargetTable> describe(const std::string& schema,
                                              const std::string& table) = 0;
  // CREATE TABLE with columns, NOT NULL and CHECKs (and the schema if needed). The primary key
  // and indexes come later, from build_keys(): building them after a bulk load is about twice as
  // fast as loading into an indexed table.
  virtual void create_table(const TargetTable& table) = 0;
  // The DDL create_table() and build_keys() run, together.
  virtual std::string create_table_sql(const TargetTable& table) const = 0;
  // Adds the primary key and the secondary indexes the table lacks. Secondary indexes are built
  // without UNIQUE: a sync passes through states MySQL never shows (docs/configuration.md,
  // `indexes`).
  virtual void build_keys(const TargetTable& table) = 0;
  // The table is empty and a first load is about to copy rows straight in (LoadMode::direct): have
  // each row sealed as it arrives, until build_keys() ends the first load. `client_seals`: the
  // rows can carry their seal (convert::seal_kinds()); returns whether they must, which is when the
  // table's catalog stores every value exactly as sent. Otherwise the target seals each row itself.
  virtual bool prepare_first_load(const TargetTable& table, bool client_seals) = 0;
  // Rebuilds without UNIQUE the table's secondary indexes that have it.
  virtual void relax_unique_indexes(const TargetTable& table) = 0;

  virtual std::unique_ptr<LoadSession> begin_load(const TargetTable& table, LoadMode mode) = 0;

  // Adds the columns the tool keeps in a target that lacks them (made by an older version, or
  // soft deletes switched on since): the row digest column, and the soft_delete_column if set.
  virtual void ensure_tool_columns(const TargetTable& table) = 0;

  // Applies additive changes (validate::plan_schema_changes) in one transaction: columns added as
  // nullable, types widened, ENUM labels added to the CHECK constraint or the enum type. Each needs
  // only the table's (and its enum types') owner. Throws Error(area target); then nothing changed.
  virtual void alter_table(const TargetTable& table, const std::vector<SchemaChange>& changes) = 0;
  // The DDL alter_table() runs, for a person to read.
  virtual std::string alter_table_sql(const TargetTable& table,
                                      const std::vector<SchemaChange>& changes) const = 0;

  // Rows, not counting soft-deleted ones.
  virtual std::uint64_t count_rows(const TargetTable& table) = 0;
  // Rows whose `column` is NULL, not counting soft-deleted ones.
  virtual std::uint64_t count_null(const TargetTable& table, const std::string& column) = 0;

  // The digest of every non-empty chunk, soft-deleted rows left out; the same normalisation as the
  // source's, so equal data gives equal digests.
  virtual std::vector<ChunkDigest> chunk_digests(const TargetTable& table,
                                                 const ComparePlan& plan) = 0;
  // Each row of one chunk with the digest chunk_digests() folds into the chunk's, soft-deleted rows
  // left out, in no order.
  virtual std::vector<RowDigest> row_digests(const TargetTable& table,
                                             const ChunkFilter& chunk) = 0;
  virtual bool is_empty(const TargetTable& table) = 0;

  // What tells this table apart from one of the same name dropped and created again (its OID): a
  // stored position is only valid for the table it was taken on.
  virtual std::string identity(const TargetTable& table) = 0;

  // What the cutover needs to know of the table from pg_catalog: its indexes and constraints and,
  // when `serial_column` is not empty, that column's identity, default, sequence and highest
  // value. Changes nothing.
  virtual TargetCatalog catalog(const TargetTable& table, const std::string& serial_column) = 0;
  // Runs one cutover statement (DDL) in a transaction of its own. Throws
  // Error(area target) with the statement and SQLSTATE; then the statement changed nothing.
  virtual void execute(const TargetTable& table, const std::string& sql) = 0;
  // The rows of the referencing table that break `key` (every column set, no referenced row with
  // those values), at most `limit` of them, each as "col=value,col2=value". Changes nothing.
  virtual std::vector<std::string> orphan_keys(const TargetForeignKey& key, std::size_t limit) = 0;

  // Drops a table this run created, and the enum types made with it, when its first load could not
  // be finished into a usable table.
  virtual void drop_table(const TargetTable& table) = 0;
};

} // namespace migrate::target
