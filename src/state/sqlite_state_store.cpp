#include "migrate/state/sqlite_state_store.hpp"

#include "state/columns.hpp"

#include "migrate/core/error.hpp"
#include "migrate/core/log_text.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <fcntl.h>
#include <unistd.h>

#include <set>
#include <stdexcept>

namespace migrate::state {
namespace {

constexpr int k_schema_version = 1;

const char* const k_schema = R"sql(
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS table_state (
  table_name TEXT PRIMARY KEY,
  phase TEXT NOT NULL CHECK (phase IN ('initial', 'incremental')),
  cursor_timestamp TEXT,
  cursor_key TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  target_id TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  table_name TEXT NOT NULL,
  mode TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  outcome TEXT NOT NULL,
  rows_read INTEGER NOT NULL DEFAULT 0,
  rows_inserted INTEGER NOT NULL DEFAULT 0,
  rows_updated INTEGER NOT NULL DEFAULT 0,
  rows_unchanged INTEGER NOT NULL DEFAULT 0,
  rows_deleted INTEGER NOT NULL DEFAULT 0,
  zero_dates INTEGER NOT NULL DEFAULT 0,
  null_timestamps INTEGER NOT NULL DEFAULT 0,
  chunks_compared INTEGER NOT NULL DEFAULT 0,
  chunks_differing INTEGER NOT NULL DEFAULT 0,
  quarantined INTEGER NOT NULL DEFAULT 0,
  found_by_comparison INTEGER NOT NULL DEFAULT 0,
  retries INTEGER NOT NULL DEFAULT 0,
  duration_ms INTEGER NOT NULL DEFAULT 0,
  watermark TEXT,
  upper_bound TEXT,
  error TEXT, -- the message; the rest of the error in the error_* columns
  error_area TEXT,
  error_table TEXT,
  error_column TEXT,
  error_key TEXT,
  error_sql TEXT,
  error_sqlstate TEXT,
  error_transient INTEGER NOT NULL DEFAULT 0,
  invocation_id INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS runs_by_table ON runs (table_name, id);
CREATE TABLE IF NOT EXISTS invocations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  duration_ms INTEGER NOT NULL DEFAULT 0,
  host TEXT NOT NULL,
  pid INTEGER NOT NULL,
  options TEXT NOT NULL,
  exit_code INTEGER,
  notify_failures INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS quarantine (
  table_name TEXT NOT NULL,
  row_key TEXT NOT NULL,
  column_name TEXT NOT NULL,
  reason TEXT NOT NULL,
  raw_hex TEXT NOT NULL,
  run_id INTEGER NOT NULL,
  rejected_at TEXT NOT NULL,
  PRIMARY KEY (table_name, row_key, column_name)
);
CREATE TABLE IF NOT EXISTS validations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  table_name TEXT NOT NULL,
  checked_at TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('counts', 'checksum')),
  mysql_rows INTEGER NOT NULL,
  postgresql_rows INTEGER NOT NULL,
  behind INTEGER NOT NULL,
  quarantined INTEGER NOT NULL,
  unexplained INTEGER NOT NULL,
  chunks_compared INTEGER NOT NULL,
  chunks_differing INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  summary TEXT NOT NULL,
  error TEXT NOT NULL,
  repaired INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS validations_by_table ON validations (table_name, id);
CREATE TABLE IF NOT EXISTS validation_rows (
  validation_id INTEGER NOT NULL REFERENCES validations (id),
  row_key TEXT NOT NULL,
  difference TEXT NOT NULL,
  chunk TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS validation_rows_by_validation ON validation_rows (validation_id);
CREATE TABLE IF NOT EXISTS cutovers (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  table_name TEXT NOT NULL,
  invocation_id INTEGER NOT NULL,
  finished_at TEXT NOT NULL,
  by_whom TEXT NOT NULL,
  outcome TEXT NOT NULL,
  summary TEXT NOT NULL,
  reverted_at TEXT NOT NULL DEFAULT '',
  reverted_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS cutovers_by_table ON cutovers (table_name, id);
-- The successful runs retention removed, by table: successful_runs() counts them, so that the
-- cadences counted in runs (compare_every, verify_every, checksum_every) go on turning.
CREATE TABLE IF NOT EXISTS pruned_runs (
  table_name TEXT PRIMARY KEY,
  ok_runs INTEGER NOT NULL
);
)sql";

// A column as this store reads it back; SQLite keeps times as text already.
std::string read_expression(const columns::Column& column) {
  const std::string name(column.name);
  return column.kind == columns::Kind::nullable_text ? "coalesce(" + name + ", '')" : name;
}

const columns::SelectLists k_select = columns::select_lists(read_expression);

// Every row of `query`, each read by `read`.
template<typename Read>
auto read_all(SQLite::Statement& query, Read read) -> std::vector<decltype(read(query))> {
  std::vector<decltype(read(query))> out;
  while (query.executeStep()) {
    out.push_back(read(query));
  }
  return out;
}

// A run's error, field by field: `message` at `message_column`, the area and context from
// `first`, in the order of the runs table's error_* columns.
void bind_error(SQLite::Statement& statement,
                int message_column,
                int first,
                const std::optional<Error>& error) {
  if (!error) {
    for (int i = first; i < first + 6; ++i) {
      statement.bind(i); // NULL
    }
    statement.bind(first + 6, 0);
    statement.bind(message_column, std::string());
    return;
  }
  const auto& c = error->context();
  statement.bind(message_column, error->message());
  statement.bind(first, to_string(error->area()));
  statement.bind(first + 1, c.table);
  statement.bind(first + 2, c.column);
  statement.bind(first + 3, c.primary_key);
  statement.bind(first + 4, c.sql);
  statement.bind(first + 5, c.sqlstate);
  statement.bind(first + 6, c.transient ? 1 : 0);
}

// The error bind_error() stored; a state file's older rows hold only the message.
std::optional<Error> read_error(SQLite::Statement& query, int message_column, int first) {
  const auto message = query.getColumn(message_column).getString();
  const auto area = query.getColumn(first).getString();
  if (message.empty() && area.empty()) {
    return std::nullopt;
  }
  return Error(parse_error_area(area),
               message,
               ErrorContext{.table = query.getColumn(first + 1).getString(),
                            .column = query.getColumn(first + 2).getString(),
                            .primary_key = query.getColumn(first + 3).getString(),
                            .sql = query.getColumn(first + 4).getString(),
                            .sqlstate = query.getColumn(first + 5).getString(),
                            .transient = query.getColumn(first + 6).getInt() != 0});
}

template<typename Body>
auto translate(Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const SQLite::Exception& e) {
    throw Error(ErrorArea::state,
                std::string("state file: ") + e.what(),
                ErrorContext{.sqlstate = "sqlite-" + std::to_string(e.getErrorCode())});
  }
}

std::string now_text() {
  return format_utc(std::chrono::system_clock::now());
}

std::chrono::system_clock::time_point parse_utc(const std::string& text) {
  std::tm parts{};
  if (strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &parts) == nullptr) {
    return {};
  }
  return std::chrono::system_clock::from_time_t(timegm(&parts));
}

// SQLite creates a new database file with mode 0644 (less the umask); the file holds quarantined
// raw values, so it is created here first, for its owner only. SQLite gives its -wal and -shm files
// the database file's mode.
void create_private_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::close(fd);
  }
}

std::int64_t as_int(std::uint64_t value) {
  return static_cast<std::int64_t>(value);
}

std::uint64_t as_count(const SQLite::Column& column) {
  return static_cast<std::uint64_t>(column.getInt64());
}

class SqliteStateStore final : public StateStore {
public:
  explicit SqliteStateStore(const std::filesystem::path& path)
      : m_db(translate([&] {
        return SQLite::Database(path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
      })) {
    translate([&] {
      m_db.exec("PRAGMA busy_timeout = 10000");
      // Readers (status, quarantine, validate) then never block the run's writes nor wait for
      // them; the mode is stored in the file, and ":memory:" stays "memory".
      m_db.exec("PRAGMA journal_mode = WAL");
      // The position must survive a power cut once PostgreSQL has the rows.
      m_db.exec("PRAGMA synchronous = FULL");
      SQLite::Transaction tx(m_db);
      m_db.exec(k_schema);
      add_missing_columns();
      SQLite::Statement version(m_db, "SELECT max(version) FROM schema_version");
      version.executeStep();
      if (version.getColumn(0).isNull()) {
        m_db.exec("INSERT INTO schema_version VALUES (" + std::to_string(k_schema_version) + ")");
      } else if (version.getColumn(0).getInt() > k_schema_version) {
        throw Error(ErrorArea::state,
                    "state file " + path.string() + " has schema version "
                        + std::to_string(version.getColumn(0).getInt())
                        + ", newer than this migrate understands ("
                        + std::to_string(k_schema_version) + ")");
      }
      tx.commit();
    });
  }

  std::optional<Position> position(const std::string& table) override {
    return translate([&]() -> std::optional<Position> {
      namespace col = columns::position;
      SQLite::Statement query(
          m_db, "SELECT " + k_select.positions + " FROM table_state WHERE table_name = ?");
      query.bind(1, table);
      if (!query.executeStep()) {
        return std::nullopt;
      }
      Position out;
      out.phase = parse_phase(query.getColumn(col::phase).getString());
      if (!query.getColumn(col::cursor_timestamp).isNull()) {
        out.timestamp = query.getColumn(col::cursor_timestamp).getString();
      }
      out.key = decode_key(query.getColumn(col::cursor_key).getString());
      out.target_id = query.getColumn(col::target_id).getString();
      return out;
    });
  }

  void save_position(const std::string& table, const Position& position) override {
    translate([&] {
      SQLite::Statement upsert(
          m_db,
          "INSERT INTO table_state (" + columns::name_list(columns::k_positions)
              + ") VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (table_name) DO UPDATE SET "
                "phase = excluded.phase, cursor_timestamp = excluded.cursor_timestamp, "
                "cursor_key = excluded.cursor_key, updated_at = excluded.updated_at, "
                "target_id = excluded.target_id");
      upsert.bind(1, table);
      upsert.bind(2, phase_text(position.phase));
      if (position.timestamp) {
        upsert.bind(3, *position.timestamp);
      } else {
        upsert.bind(3);
      }
      upsert.bind(4, encode_key(position.key));
      upsert.bind(5, now_text());
      upsert.bind(6, position.target_id);
      upsert.exec();
    });
  }

  void clear_position(const std::string& table) override {
    translate([&] {
      SQLite::Statement remove(m_db, "DELETE FROM table_state WHERE table_name = ?");
      remove.bind(1, table);
      remove.exec();
    });
  }

  std::int64_t begin_run(const std::string& table) override {
    return translate([&] {
      SQLite::Statement insert(
          m_db,
          "INSERT INTO runs (table_name, mode, started_at, outcome, invocation_id) VALUES (?, "
          "'none', ?, 'running', ?)");
      insert.bind(1, table);
      insert.bind(2, now_text());
      insert.bind(3, m_invocation);
      insert.exec();
      return m_db.getLastInsertRowid();
    });
  }

  void finish_run(std::int64_t id, const TableResult& result) override {
    translate([&] {
      SQLite::Statement update(
          m_db,
          "UPDATE runs SET mode = ?, finished_at = ?, outcome = ?, rows_read = ?, rows_inserted = "
          "?, "
          "rows_updated = ?, rows_unchanged = ?, rows_deleted = ?, zero_dates = ?, null_timestamps "
          "= ?, "
          "chunks_compared = ?, chunks_differing = ?, quarantined = ?, duration_ms = ?, "
          "watermark = ?, upper_bound = ?, error = ?, found_by_comparison = ?, retries = ?, "
          "error_area = ?, error_table = ?, error_column = ?, error_key = ?, error_sql = ?, "
          "error_sqlstate = ?, error_transient = ?, schema_changes = ?, held_back = ? WHERE id = "
          "?");
      const auto& c = result.counts;
      update.bind(1, to_string(result.mode));
      update.bind(2, format_utc(result.finished));
      update.bind(3, to_string(result.outcome));
      update.bind(4, as_int(c.rows_read));
      update.bind(5, as_int(c.inserted));
      update.bind(6, as_int(c.updated));
      update.bind(7, as_int(c.unchanged));
      update.bind(8, as_int(c.deleted));
      update.bind(9, as_int(c.zero_dates));
      update.bind(10, as_int(c.null_timestamps));
      update.bind(11, as_int(c.chunks_compared));
      update.bind(12, as_int(c.chunks_differing));
      update.bind(13, as_int(c.quarantined));
      update.bind(14, static_cast<std::int64_t>(result.seconds() * 1000.0));
      update.bind(15, result.position);
      update.bind(16, result.upper_bound);
      update.bind(18, as_int(c.found_by_comparison));
      update.bind(19, as_int(c.retries));
      bind_error(update, 17, 20, result.error);
      update.bind(27, join_text(result.schema_changes, "\n"));
      update.bind(28, result.held_back);
      update.bind(29, id);
      update.exec();
    });
  }

  void quarantine(const std::vector<QuarantineEntry>& entries) override {
    if (entries.empty()) {
      return;
    }
    translate([&] {
      SQLite::Transaction tx(m_db);
      SQLite::Statement upsert(
          m_db,
          "INSERT INTO quarantine (" + columns::name_list(columns::k_quarantine)
              + ") VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (table_name, row_key, column_name) "
                "DO UPDATE SET reason = excluded.reason, raw_hex = excluded.raw_hex, "
                "run_id = excluded.run_id, rejected_at = excluded.rejected_at");
      const auto now = now_text();
      for (const auto& entry : entries) {
        upsert.bind(1, entry.table);
        upsert.bind(2, entry.key);
        upsert.bind(3, entry.column);
        upsert.bind(4, entry.reason);
        upsert.bind(5, entry.raw_hex);
        upsert.bind(6, entry.table_run_id);
        upsert.bind(7, now);
        upsert.exec();
        upsert.reset();
      }
      tx.commit();
    });
  }

  void release(const std::string& table, const std::vector<std::string>& keys) override {
    if (keys.empty()) {
      return;
    }
    translate([&] {
      SQLite::Transaction tx(m_db);
      SQLite::Statement remove(m_db, "DELETE FROM quarantine WHERE table_name = ? AND row_key = ?");
      for (const auto& key : keys) {
        remove.bind(1, table);
        remove.bind(2, key);
        remove.exec();
        remove.reset();
      }
      tx.commit();
    });
  }

  std::vector<QuarantineEntry> quarantined(const std::string& table) override {
    return translate([&] {
      SQLite::Statement query(m_db,
                              "SELECT " + k_select.quarantine
                                  + " FROM quarantine WHERE ? = '' OR table_name = ? ORDER BY "
                                    "table_name, rejected_at, row_key");
      query.bind(1, table);
      query.bind(2, table);
      std::vector<QuarantineEntry> out;
      while (query.executeStep()) {
        namespace col = columns::quarantine;
        out.push_back(QuarantineEntry{query.getColumn(col::table_name).getString(),
                                      query.getColumn(col::row_key).getString(),
                                      query.getColumn(col::column_name).getString(),
                                      query.getColumn(col::reason).getString(),
                                      query.getColumn(col::raw_hex).getString(),
                                      query.getColumn(col::run_id).getInt64(),
                                      query.getColumn(col::rejected_at).getString()});
      }
      return out;
    });
  }

  std::uint64_t successful_runs(const std::string& table) override {
    return translate([&] {
      SQLite::Statement query(
          m_db,
          "SELECT (SELECT count(*) FROM runs WHERE table_name = ?1 AND outcome = 'ok') + "
          "coalesce((SELECT ok_runs FROM pruned_runs WHERE table_name = ?1), 0)");
      query.bind(1, table);
      query.executeStep();
      return as_count(query.getColumn(0));
    });
  }

  std::vector<RunRecord> latest_runs() override {
    return translate([&] {
      SQLite::Statement query(m_db,
                              "SELECT " + k_select.runs
                                  + " FROM runs WHERE id IN (SELECT max(id) FROM runs GROUP BY "
                                    "table_name) ORDER BY table_name");
      return read_all(query, read_run);
    });
  }

  std::vector<RunRecord> runs(const std::string& table, std::size_t last) override {
    return translate([&] {
      SQLite::Statement query(m_db,
                              "SELECT * FROM (SELECT " + k_select.runs
                                  + " FROM runs WHERE table_name = ? ORDER BY id DESC LIMIT ?) "
                                    "ORDER BY id");
      query.bind(1, table);
      query.bind(2, static_cast<std::int64_t>(last));
      return read_all(query, read_run);
    });
  }

  std::int64_t record_validation(const ValidationRecord& r) override {
    return translate([&] {
      SQLite::Transaction tx(m_db);
      const auto id = insert_validation(r, false);
      tx.commit();
      return id;
    });
  }

  std::vector<ValidationRecord>
  validations(const std::string& table, std::size_t last, bool with_rows) override {
    return translate([&] {
      SQLite::Statement query(m_db,
                              "SELECT * FROM (SELECT " + k_select.validations
                                  + " FROM validations WHERE table_name = ? ORDER BY id DESC "
                                    "LIMIT ?) ORDER BY id");
      query.bind(1, table);
      query.bind(2, static_cast<std::int64_t>(last));
      std::vector<ValidationRecord> out;
      while (query.executeStep()) {
        out.push_back(read_validation(query));
        if (with_rows) {
          out.back().rows = differing_rows(out.back().id);
        }
      }
      return out;
    });
  }

  std::optional<RunRecord> last_successful_run(const std::string& table) override {
    return translate([&]() -> std::optional<RunRecord> {
      SQLite::Statement query(m_db,
                              "SELECT " + k_select.runs
                                  + " FROM runs WHERE table_name = ? AND outcome = 'ok' ORDER BY "
                                    "id DESC LIMIT 1");
      query.bind(1, table);
      if (!query.executeStep()) {
        return std::nullopt;
      }
      return read_run(query);
    });
  }

  std::int64_t record_cutover(const CutoverRecord& record) override {
    return translate([&] { return insert_cutover(record, false); });
  }

  std::optional<CutoverRecord> cutover_in_force(const std::string& table) override {
    return translate([&]() -> std::optional<CutoverRecord> {
      SQLite::Statement query(m_db,
                              "SELECT " + k_select.cutovers
                                  + " FROM cutovers WHERE table_name = ? AND outcome = 'done' "
                                    "ORDER BY id DESC LIMIT 1");
      query.bind(1, table);
      if (!query.executeStep()) {
        return std::nullopt;
      }
      auto record = read_cutover(query);
      return record.in_force() ? std::optional(record) : std::nullopt;
    });
  }

  bool revert_cutover(const std::string& table, const std::string& by) override {
    const auto record = cutover_in_force(table);
    if (!record) {
      return false;
    }
    return translate([&] {
      SQLite::Statement update(m_db,
                               "UPDATE cutovers SET reverted_at = ?, reverted_by = ? WHERE id = ?");
      update.bind(1, now_text());
      update.bind(2, by);
      update.bind(3, record->id);
      return update.exec() == 1;
    });
  }

  std::vector<CutoverRecord> cutovers(std::size_t last) override {
    return translate([&] {
      SQLite::Statement query(
          m_db, "SELECT " + k_select.cutovers + " FROM cutovers ORDER BY id DESC LIMIT ?");
      query.bind(1, static_cast<std::int64_t>(last));
      return read_all(query, read_cutover);
    });
  }

  PruneCounts prune(const PruneCutoffs& cutoffs) override {
    return translate([&] {
      SQLite::Transaction tx(m_db);
      PruneCounts counts;
      const auto apply = [&](const std::optional<std::chrono::system_clock::time_point>& cutoff,
                             const char* sql) -> std::uint64_t {
        if (!cutoff) {
          return 0;
        }
        SQLite::Statement statement(m_db, sql);
        statement.bind(1, format_utc(*cutoff));
        return static_cast<std::uint64_t>(statement.exec());
      };
      apply(cutoffs.history,
            "INSERT INTO pruned_runs (table_name, ok_runs) SELECT table_name, count(*) FROM runs "
            "WHERE started_at < ? AND outcome = 'ok' AND id NOT IN (SELECT MAX(id) FROM runs "
            "GROUP BY table_name) GROUP BY table_name ON CONFLICT (table_name) DO UPDATE SET "
            "ok_runs = ok_runs + excluded.ok_runs");
      counts.runs = apply(cutoffs.history,
                          "DELETE FROM runs WHERE started_at < ? AND id NOT IN "
                          "(SELECT MAX(id) FROM runs GROUP BY table_name)");
      counts.invocations = apply(cutoffs.history,
                                 "DELETE FROM invocations WHERE started_at < ? AND id NOT IN "
                                 "(SELECT invocation_id FROM runs)");
      apply(cutoffs.validations,
            "DELETE FROM validation_rows WHERE validation_id IN (SELECT id FROM validations "
            "WHERE checked_at < ? AND id NOT IN (SELECT MAX(id) FROM validations GROUP BY "
            "table_name))");
      counts.validations = apply(cutoffs.validations,
                                 "DELETE FROM validations WHERE checked_at < ? AND id NOT IN "
                                 "(SELECT MAX(id) FROM validations GROUP BY table_name)");
      counts.quarantine_values = apply(cutoffs.quarantine_values,
                                       "UPDATE quarantine SET raw_hex = '' WHERE rejected_at < ? "
                                       "AND raw_hex <> ''");
      tx.commit();
      return counts;
    });
  }

  std::int64_t begin_invocation(const InvocationStart& start) override {
    return translate([&] {
      SQLite::Statement insert(
          m_db, "INSERT INTO invocations (started_at, host, pid, options) VALUES (?, ?, ?, ?)");
      insert.bind(1, now_text());
      insert.bind(2, start.host);
      insert.bind(3, start.pid);
      insert.bind(4, start.options);
      insert.exec();
      m_invocation = m_db.getLastInsertRowid();
      m_invocation_started = std::chrono::steady_clock::now();
      return m_invocation;
    });
  }

  void finish_invocation(std::int64_t id, int exit_code, std::uint64_t notify_failures) override {
    translate([&] {
      SQLite::Statement update(m_db,
                               "UPDATE invocations SET finished_at = ?, duration_ms = ?, "
                               "exit_code = ?, notify_failures = ? WHERE id = ?");
      const auto took = std::chrono::steady_clock::now() - m_invocation_started;
      update.bind(1, now_text());
      update.bind(2,
                  static_cast<std::int64_t>(
                      std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));
      update.bind(3, exit_code);
      update.bind(4, as_int(notify_failures));
      update.bind(5, id);
      update.exec();
      if (id == m_invocation) {
        m_invocation = 0;
      }
    });
  }

  std::vector<Invocation> invocations(std::size_t last) override {
    return translate([&] {
      // A run still marked running when its invocation is over did not finish: failed.
      SQLite::Statement query(
          m_db,
          "SELECT i.id, i.started_at, i.duration_ms, i.host, i.pid, i.options, i.exit_code, "
          "i.notify_failures, "
          "coalesce(sum(r.outcome = 'ok'), 0), coalesce(sum(r.outcome <> 'ok'), 0), "
          "coalesce(sum(r.rows_inserted + r.rows_updated + r.rows_deleted), 0), "
          "coalesce(sum(r.quarantined), 0) "
          "FROM invocations i LEFT JOIN runs r ON r.invocation_id = i.id "
          "GROUP BY i.id ORDER BY i.id DESC LIMIT ?");
      query.bind(1, static_cast<std::int64_t>(last));
      std::vector<Invocation> out;
      while (query.executeStep()) {
        Invocation item;
        item.id = query.getColumn(0).getInt64();
        item.started = parse_utc(query.getColumn(1).getString());
        item.finished = item.started + std::chrono::milliseconds(query.getColumn(2).getInt64());
        item.start.host = query.getColumn(3).getString();
        item.start.pid = query.getColumn(4).getInt64();
        item.start.options = query.getColumn(5).getString();
        if (!query.getColumn(6).isNull()) {
          item.exit_code = query.getColumn(6).getInt();
        }
        item.notify_failures = as_count(query.getColumn(7));
        item.tables_ok = as_count(query.getColumn(8));
        item.tables_failed = as_count(query.getColumn(9));
        item.rows_moved = as_count(query.getColumn(10));
        item.quarantined = as_count(query.getColumn(11));
        out.push_back(std::move(item));
      }
      return out;
    });
  }

  void restore(const StateSnapshot& snapshot) override {
    translate([&] {
      SQLite::Transaction tx(m_db);
      SQLite::Statement used(m_db,
                             "SELECT EXISTS (SELECT 1 FROM runs) OR EXISTS (SELECT 1 FROM "
                             "invocations) OR EXISTS (SELECT 1 FROM validations)");
      used.executeStep();
      if (used.getColumn(0).getInt() != 0) {
        throw Error(ErrorArea::state,
                    "the state file already holds runs, invocations or validations: copy into "
                    "an empty one");
      }
      for (const auto& invocation : snapshot.invocations) {
        restore_invocation(invocation);
      }
      for (const auto& record : snapshot.runs) {
        SQLite::Statement insert(m_db,
                                 "INSERT INTO runs (id, table_name, mode, started_at, outcome, "
                                 "invocation_id) VALUES (?, ?, 'none', ?, 'running', ?)");
        insert.bind(1, record.id);
        insert.bind(2, record.result.table);
        insert.bind(3, format_utc(record.result.started));
        insert.bind(4, record.invocation_id);
        insert.exec();
        if (!record.unfinished) {
          finish_run(record.id, record.result);
        }
      }
      for (const auto& validation : snapshot.validations) {
        restore_validation(validation);
      }
      for (const auto& [table, position] : snapshot.positions) {
        save_position(table, position);
      }
      restore_quarantine(snapshot.quarantine);
      for (const auto& cutover : snapshot.cutovers) {
        insert_cutover(cutover, true);
      }
      tx.commit();
    });
  }

private:
  static RunRecord read_run(SQLite::Statement& query) {
    namespace col = columns::run;
    const auto count = [&](col::Index index) {
      return as_count(query.getColumn(index));
    };
    RunRecord record;
    record.id = query.getColumn(col::id).getInt64();
    auto& r = record.result;
    r.table = query.getColumn(col::table_name).getString();
    r.mode = parse_run_mode(query.getColumn(col::mode).getString());
    r.started = parse_utc(query.getColumn(col::started_at).getString());
    r.finished =
        r.started + std::chrono::milliseconds(query.getColumn(col::duration_ms).getInt64());
    const auto outcome = query.getColumn(col::outcome).getString();
    r.outcome = outcome == "ok" ? Outcome::ok : Outcome::failed;
    r.counts.rows_read = count(col::rows_read);
    r.counts.inserted = count(col::rows_inserted);
    r.counts.updated = count(col::rows_updated);
    r.counts.unchanged = count(col::rows_unchanged);
    r.counts.deleted = count(col::rows_deleted);
    r.counts.zero_dates = count(col::zero_dates);
    r.counts.null_timestamps = count(col::null_timestamps);
    r.counts.chunks_compared = count(col::chunks_compared);
    r.counts.chunks_differing = count(col::chunks_differing);
    r.counts.quarantined = count(col::quarantined);
    r.counts.found_by_comparison = count(col::found_by_comparison);
    r.counts.retries = count(col::retries);
    r.position = query.getColumn(col::watermark).getString();
    r.upper_bound = query.getColumn(col::upper_bound).getString();
    record.unfinished = outcome == "running";
    record.invocation_id = query.getColumn(col::invocation_id).getInt64();
    r.schema_changes = split_lines(query.getColumn(col::schema_changes).getString());
    r.held_back = query.getColumn(col::held_back).getString();
    r.error = record.unfinished
                  ? Error(ErrorArea::internal, "did not finish (process ended during the run)")
                  : read_error(query, col::error, col::error_area);
    return record;
  }

  static ValidationRecord read_validation(SQLite::Statement& query) {
    namespace col = columns::validation;
    const auto count = [&](col::Index index) {
      return as_count(query.getColumn(index));
    };
    ValidationRecord r;
    r.id = query.getColumn(col::id).getInt64();
    r.table = query.getColumn(col::table_name).getString();
    r.at = query.getColumn(col::checked_at).getString();
    r.checksum = query.getColumn(col::kind).getString() == "checksum";
    r.source_rows = count(col::mysql_rows);
    r.target_rows = count(col::postgresql_rows);
    r.behind = count(col::behind);
    r.quarantined = count(col::quarantined);
    r.unexplained = count(col::unexplained);
    r.chunks_compared = count(col::chunks_compared);
    r.chunks_differing = count(col::chunks_differing);
    r.outcome = parse_agreement(query.getColumn(col::outcome).getString());
    r.summary = query.getColumn(col::summary).getString();
    r.error = query.getColumn(col::error).getString();
    r.repaired = query.getColumn(col::repaired).getInt() != 0;
    return r;
  }

  std::vector<DifferingRow> differing_rows(std::int64_t validation_id) {
    SQLite::Statement query(m_db,
                            "SELECT row_key, difference, chunk FROM validation_rows WHERE "
                            "validation_id = ? ORDER BY rowid");
    query.bind(1, validation_id);
    std::vector<DifferingRow> out;
    while (query.executeStep()) {
      out.push_back(DifferingRow{query.getColumn(0).getString(),
                                 query.getColumn(1).getString(),
                                 query.getColumn(2).getString()});
    }
    return out;
  }

  void restore_invocation(const Invocation& i) {
    SQLite::Statement insert(m_db,
                             "INSERT INTO invocations ("
                                 + columns::name_list(columns::k_invocations)
                                 + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, i.id);
    insert.bind(2, format_utc(i.started));
    if (i.exit_code) {
      insert.bind(3, format_utc(i.finished));
      insert.bind(8, *i.exit_code);
    } else {
      insert.bind(3);
      insert.bind(8);
    }
    insert.bind(4, static_cast<std::int64_t>(i.seconds() * 1000.0));
    insert.bind(5, i.start.host);
    insert.bind(6, i.start.pid);
    insert.bind(7, i.start.options);
    insert.bind(9, as_int(i.notify_failures));
    insert.exec();
  }

  void restore_validation(const ValidationRecord& r) { insert_validation(r, true); }

  // Stores a cutover record; `keep_id`: with its id (a copy of another store).
  std::int64_t insert_cutover(const CutoverRecord& r, bool keep_id) {
    SQLite::Statement insert(m_db,
                             "INSERT INTO cutovers (" + columns::name_list(columns::k_cutovers)
                                 + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (keep_id) {
      insert.bind(1, r.id);
    } // else NULL: the next id
    insert.bind(2, r.table);
    insert.bind(3, r.invocation_id);
    insert.bind(4, r.at.empty() ? now_text() : r.at);
    insert.bind(5, r.by);
    insert.bind(6, r.outcome);
    insert.bind(7, r.summary);
    insert.bind(8, r.reverted_at);
    insert.bind(9, r.reverted_by);
    insert.exec();
    return m_db.getLastInsertRowid();
  }

  static CutoverRecord read_cutover(SQLite::Statement& query) {
    namespace col = columns::cutover;
    CutoverRecord out;
    out.id = query.getColumn(col::id).getInt64();
    out.table = query.getColumn(col::table_name).getString();
    out.invocation_id = query.getColumn(col::invocation_id).getInt64();
    out.at = query.getColumn(col::finished_at).getString();
    out.by = query.getColumn(col::by_whom).getString();
    out.outcome = query.getColumn(col::outcome).getString();
    out.summary = query.getColumn(col::summary).getString();
    out.reverted_at = query.getColumn(col::reverted_at).getString();
    out.reverted_by = query.getColumn(col::reverted_by).getString();
    return out;
  }

  // A validation and its rows; with `keep_id` under the record's id (a restore), else a new one.
  std::int64_t insert_validation(const ValidationRecord& r, bool keep_id) {
    SQLite::Statement insert(m_db,
                             "INSERT INTO validations ("
                                 + columns::name_list(columns::k_validations)
                                 + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    keep_id ? insert.bind(1, r.id) : insert.bind(1); // NULL: the next id
    insert.bind(2, r.table);
    insert.bind(3, r.at.empty() ? now_text() : r.at);
    insert.bind(4, r.checksum ? "checksum" : "counts");
    int column = 5;
    for (const auto count : {r.source_rows,
                             r.target_rows,
                             r.behind,
                             r.quarantined,
                             r.unexplained,
                             r.chunks_compared,
                             r.chunks_differing}) {
      insert.bind(column++, as_int(count));
    }
    insert.bind(12, to_string(r.outcome));
    insert.bind(13, r.summary);
    insert.bind(14, r.error);
    insert.bind(15, r.repaired ? 1 : 0);
    insert.exec();
    const auto id = m_db.getLastInsertRowid();
    SQLite::Statement row(m_db,
                          "INSERT INTO validation_rows ("
                              + columns::name_list(columns::k_validation_rows)
                              + ") VALUES (?, ?, ?, ?)");
    for (const auto& differing : r.rows) {
      row.bind(1, id);
      row.bind(2, differing.key);
      row.bind(3, differing.difference);
      row.bind(4, differing.chunk);
      row.exec();
      row.reset();
    }
    return id;
  }

  // The entries as they were, rejected when they were (now when that is not known).
  void restore_quarantine(const std::vector<QuarantineEntry>& entries) {
    SQLite::Statement insert(m_db,
                             "INSERT OR REPLACE INTO quarantine ("
                                 + columns::name_list(columns::k_quarantine)
                                 + ") VALUES (?, ?, ?, ?, ?, ?, ?)");
    for (const auto& entry : entries) {
      insert.bind(1, entry.table);
      insert.bind(2, entry.key);
      insert.bind(3, entry.column);
      insert.bind(4, entry.reason);
      insert.bind(5, entry.raw_hex);
      insert.bind(6, entry.table_run_id);
      insert.bind(7, entry.at.empty() ? now_text() : entry.at);
      insert.exec();
      insert.reset();
    }
  }

  // Counters added to `runs` after a state file was created are added to it, defaulting to 0.
  // Columns added since the first release, for state files written by an older migrate.
  void add_missing_columns() {
    for (const char* name : {"null_timestamps",
                             "chunks_compared",
                             "chunks_differing",
                             "quarantined",
                             "found_by_comparison",
                             "retries"}) {
      add_column_if_missing("runs", name, "INTEGER NOT NULL DEFAULT 0");
    }
    for (const char* name : {"error_area",
                             "error_table",
                             "error_column",
                             "error_key",
                             "error_sql",
                             "error_sqlstate"}) {
      add_column_if_missing("runs", name, "TEXT");
    }
    add_column_if_missing("runs", "error_transient", "INTEGER NOT NULL DEFAULT 0");
    add_column_if_missing("table_state", "target_id", "TEXT NOT NULL DEFAULT ''");
    add_column_if_missing("runs", "invocation_id", "INTEGER NOT NULL DEFAULT 0");
    add_column_if_missing("runs", "schema_changes", "TEXT NOT NULL DEFAULT ''");
    add_column_if_missing("runs", "held_back", "TEXT NOT NULL DEFAULT ''");
    m_db.exec("CREATE INDEX IF NOT EXISTS runs_by_invocation ON runs (invocation_id)");
  }

  void add_column_if_missing(const std::string& table,
                             const std::string& column,
                             const std::string& definition) {
    SQLite::Statement table_info(m_db, "PRAGMA table_info(" + table + ")");
    while (table_info.executeStep()) {
      if (table_info.getColumn(1).getString() == column) {
        return;
      }
    }
    m_db.exec("ALTER TABLE " + table + " ADD COLUMN " + column + " " + definition);
  }

  SQLite::Database m_db;
  std::int64_t m_invocation = 0; // the invocation new runs belong to; 0: none
  std::chrono::steady_clock::time_point m_invocation_started;
};

} // namespace

std::unique_ptr<StateStore> open_sqlite_state(const std::filesystem::path& path) {
  if (path != ":memory:") {
    if (path.has_parent_path()) {
      std::error_code ignored;
      std::filesystem::create_directories(path.parent_path(), ignored);
    }
    create_private_file(path);
  }
  return std::make_unique<SqliteStateStore>(path);
}

} // namespace migrate::state
