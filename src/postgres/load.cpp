#include "postgres/load.hpp"

#include "postgres/connection.hpp"
#include "postgres/sql.hpp"

#include "migrate/convert/copy_binary.hpp"

#include <pqxx/pqxx>
#include <pqxx/tablewriter>
#include <spdlog/spdlog.h>

#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <optional>
#include <string_view>

namespace migrate::target {
namespace {

bool is_upsert(LoadMode mode) {
  return mode == LoadMode::upsert || mode == LoadMode::upsert_keeping_edits;
}

// libpqxx 6.4's stream_to keeps its raw-line writer private and escapes field by field; tablewriter
// (deprecated there, but public) sends our ready COPY text as it is, one PQputCopyData per chunk.
std::unique_ptr<pqxx::tablewriter>
open_copy(pqxx::work& tx, const std::string& into, const TargetTable& table) {
  std::vector<std::string> columns;
  for (const auto& column : table.columns) {
    columns.push_back(quote_name(column.name));
  }
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  return std::make_unique<pqxx::tablewriter>(tx, into, columns.begin(), columns.end());
#pragma GCC diagnostic pop
}

// Sends `data` to a COPY in progress. libpq moves the unsent rest of its buffer to the front after
// every partial send, so one message of megabytes costs quadratic copying: slices of 64 KiB.
void put_copy_data(PGconn* connection, std::string_view data) {
  constexpr std::size_t k_slice = 64 * 1024;
  for (std::size_t start = 0; start < data.size(); start += k_slice) {
    const auto size = std::min(k_slice, data.size() - start);
    if (PQputCopyData(connection, data.data() + start, static_cast<int>(size)) != 1) {
      throw pqxx::broken_connection(std::string("COPY data not sent: ")
                                    + PQerrorMessage(connection));
    }
  }
}

// A COPY in binary format, through libpq itself: libpqxx 6.4's tablewriter speaks text only. It
// runs in the session's open transaction, which libpqxx does not know is busy: nothing else is
// sent on the connection until complete() or the destructor ends the COPY.
class BinaryCopy {
public:
  BinaryCopy(pqxx::connection_base& connection, std::string sql)
      : m_connection(raw_connection(connection))
      , m_sql(std::move(sql)) {
    check(PQexec(m_connection, m_sql.c_str()), PGRES_COPY_IN);
    put_copy_data(m_connection, convert::binary_copy_header());
  }
  ~BinaryCopy() {
    if (m_open) {
      try {
        end("the load stopped");        // the server ends the COPY with this error
      } catch (const std::exception&) { // expected: the error above, or a lost connection
      }
    }
  }
  BinaryCopy(const BinaryCopy&) = delete;
  BinaryCopy& operator=(const BinaryCopy&) = delete;

  void write(std::string_view rows) { put_copy_data(m_connection, rows); }

  void complete() {
    put_copy_data(m_connection, convert::binary_copy_trailer());
    end(nullptr);
  }

private:
  void end(const char* error) {
    m_open = false;
    if (PQputCopyEnd(m_connection, error) != 1) {
      throw pqxx::broken_connection(std::string("COPY not ended: ") + PQerrorMessage(m_connection));
    }
    check(PQgetResult(m_connection), PGRES_COMMAND_OK);
    while (PGresult* more = PQgetResult(m_connection)) {
      PQclear(more);
    }
  }

  // Frees `result`; throws what libpqxx would for a result of another status than `expected`.
  void check(PGresult* result, ExecStatusType expected) {
    const auto status = result == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(result);
    if (status == expected) {
      PQclear(result);
      return;
    }
    const std::string message =
        result == nullptr ? PQerrorMessage(m_connection) : PQresultErrorMessage(result);
    const char* field = result == nullptr ? nullptr : PQresultErrorField(result, PG_DIAG_SQLSTATE);
    const std::string sqlstate = field == nullptr ? "" : field;
    PQclear(result);
    if (PQstatus(m_connection) == CONNECTION_BAD) {
      throw pqxx::broken_connection(message);
    }
    throw pqxx::sql_error(message, m_sql, sqlstate.empty() ? nullptr : sqlstate.c_str());
  }

  PGconn* m_connection;
  std::string m_sql;
  bool m_open = true;
};

// Whether every column of `relation` has exactly the type binary rows are written for.
bool reads_binary(pqxx::transaction_base& tx,
                  const TargetTable& table,
                  const std::string& relation) {
  const auto rows = tx.exec_params(
      "SELECT a.attname, a.atttypid::bigint, t.typtype FROM pg_attribute a JOIN pg_type t ON "
      "t.oid = a.atttypid WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT "
      "a.attisdropped",
      relation);
  for (const auto& column : table.columns) {
    const auto type = convert::binary_type(column);
    const auto found = std::find_if(rows.begin(), rows.end(), [&](const pqxx::row& row) {
      return row[0].as<std::string>() == column.name;
    });
    if (!type || found == rows.end()
        || !convert::binary_accepts(
            *type, found->at(1).as<std::uint32_t>(), found->at(2).as<std::string>().front())) {
      spdlog::debug("table={} loads in COPY text: column {} is {}",
                    table.name,
                    column.name,
                    found == rows.end() ? "missing" : "of another type");
      return false;
    }
  }
  return true;
}

// Whether PostgreSQL hashes what `relation` stores as the client does (convert/row_seal): no enum
// (hashed by its OID), no nondeterministic collation (hashed by its sort key), and text stored as
// the UTF-8 it arrives in.
bool hashes_as_sent(pqxx::transaction_base& tx, const std::string& relation) {
  return tx
      .exec_params(
          "SELECT COALESCE(bool_and(t.typtype <> 'e' AND COALESCE(c.collisdeterministic, true)), "
          "true) AND (SELECT pg_encoding_to_char(encoding) IN ('UTF8', 'SQL_ASCII') FROM "
          "pg_database WHERE datname = current_database()) FROM pg_attribute a JOIN pg_type t ON "
          "t.oid = a.atttypid LEFT JOIN pg_collation c ON c.oid = a.attcollation WHERE "
          "a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped",
          relation)[0][0]
      .as<bool>();
}

// Whether the table's seal column is a plain one (prepare_first_load() let the client seal).
bool seal_is_plain(pqxx::transaction_base& tx, const std::string& relation) {
  const auto rows = tx.exec_params("SELECT attgenerated = '' FROM pg_attribute WHERE attrelid = "
                                   "$1::regclass AND attname = $2 AND NOT attisdropped",
                                   relation,
                                   std::string(k_seal_column));
  return !rows.empty() && rows[0][0].as<bool>();
}

} // namespace

bool client_can_seal(pqxx::transaction_base& tx,
                     const TargetTable& table,
                     const std::string& relation) {
  return reads_binary(tx, table, relation) && hashes_as_sent(tx, relation);
}

namespace {

class PostgresLoad final : public LoadSession {
public:
  PostgresLoad(pqxx::connection& connection, TargetTable table, LoadMode mode)
      : m_connection(connection)
      , m_table(std::move(table))
      , m_mode(mode) {
    static std::atomic<int> counter{0};
    m_staging = "migrate_stage_" + std::to_string(++counter);
    if (is_upsert(m_mode)) {
      m_upsert_sql = upsert_sql(m_table, m_staging, m_mode == LoadMode::upsert_keeping_edits);
    }
  }

  ~PostgresLoad() override {
    m_stream.reset();
    m_binary.reset();
    m_tx.reset();
    if (m_staged) {
      try {
        pqxx::nontransaction tx(m_connection);
        tx.exec("DROP TABLE IF EXISTS " + m_staging);
      } catch (const std::exception& e) {
        spdlog::warn(
            "table={} could not drop staging table {}: {}", m_table.name, m_staging, e.what());
      }
    }
  }

  PostgresLoad(const PostgresLoad&) = delete;
  PostgresLoad& operator=(const PostgresLoad&) = delete;

  CopyFormat choose_format(CopyFormat wanted) override {
    if (!m_format) {
      translate(m_connection, m_table.name, [&] {
        pqxx::nontransaction tx(m_connection);
        const auto relation = qualified(m_table);
        m_carry_seal = m_mode == LoadMode::direct && seal_is_plain(tx, relation);
        const bool binary = wanted == CopyFormat::binary && readable(tx, relation);
        if (m_carry_seal && !binary) {
          throw changed_during_load();
        }
        m_format = binary ? CopyFormat::binary : CopyFormat::text;
      });
    }
    return *m_format;
  }

  bool rows_carry_seal() const override { return m_carry_seal; }

  void write(std::string_view lines, std::size_t rows) override {
    if (lines.empty()) {
      return;
    }
    translate(m_connection, m_table.name, [&] {
      if (!m_tx) {
        create_staging();
        m_tx = std::make_unique<pqxx::work>(m_connection);
      }
      const auto into = m_mode == LoadMode::direct ? qualified(m_table) : m_staging;
      if (m_format == CopyFormat::binary) {
        if (!m_binary) {
          check_binary_types(into);
          m_binary = std::make_unique<BinaryCopy>(m_connection,
                                                  copy_binary_sql(m_table, into, m_carry_seal));
        }
        m_binary->write(lines);
        return;
      }
      if (!m_stream) {
        m_stream = open_copy(*m_tx, into, m_table);
      }
      put_copy_data(raw_connection(m_connection), lines);
    });
    m_rows += rows;
  }

  MergeCounts commit(const Reconcile* reconcile) override {
    if (!m_tx && reconcile == nullptr) {
      return {};
    }
    if (reconcile != nullptr && !is_upsert(m_mode)) {
      throw Error(ErrorArea::internal, "reconcile needs a staging table");
    }
    if (m_mode == LoadMode::replace) {
      throw Error(ErrorArea::internal, "a replacing load ends with replace(), not commit()");
    }
    if (!m_tx) {
      translate(m_connection, m_table.name, [&] { create_staging(); }); // an empty reconcile
    }
    return finish_transaction([&](MergeCounts& counts) {
      if (is_upsert(m_mode) && m_rows > 0) {
        const auto result = m_tx->exec(m_upsert_sql);
        counts.inserted = result[0][0].as<std::uint64_t>();
        counts.updated = result[0][1].as<std::uint64_t>();
        counts.unchanged = m_rows - counts.inserted - counts.updated;
      } else {
        counts.inserted = m_rows;
      }
      if (reconcile != nullptr) {
        counts.deleted = m_tx->exec(reconcile_sql(m_table, m_staging, *reconcile)).affected_rows();
      }
    });
  }

  MergeCounts replace(std::uint64_t expected_rows) override {
    if (m_mode != LoadMode::replace) {
      throw Error(ErrorArea::internal, "replace() needs a replacing load");
    }
    if (!m_tx) {
      translate(m_connection, m_table.name, [&] { create_staging(); }); // no row to stage
    }
    return finish_transaction([&](MergeCounts& counts) {
      const auto staged = m_tx->exec("SELECT count(*) FROM " + m_staging)[0][0].as<std::uint64_t>();
      if (staged != expected_rows) {
        throw Error(ErrorArea::target,
                    "staged " + std::to_string(staged) + " rows but "
                        + std::to_string(expected_rows)
                        + " were read and not quarantined: the replacement was rolled back",
                    ErrorContext{.table = m_table.name});
      }
      // DELETE, not TRUNCATE: TRUNCATE takes an ACCESS EXCLUSIVE lock and is not MVCC-safe, so
      // concurrent readers could see an empty table.
      counts.deleted = m_tx->exec("DELETE FROM " + qualified(m_table)).affected_rows();
      counts.inserted = m_tx->exec(replace_insert_sql(m_table, m_staging)).affected_rows();
    });
  }

private:
  // Whether `relation` reads this session's binary rows: their types (a staging table is made
  // LIKE the target, so it has them too) and, when they carry their seal, its hashing.
  bool readable(pqxx::transaction_base& tx, const std::string& relation) const {
    return reads_binary(tx, m_table, relation) && (!m_carry_seal || hashes_as_sent(tx, relation));
  }

  Error changed_during_load() const {
    return Error(ErrorArea::target,
                 "the column types of " + m_table.qualified_name()
                     + " changed during the load: the retry loads in COPY text",
                 ErrorContext{.table = m_table.name, .transient = true});
  }

  // choose_format() looked before the first write, but a first load commits for hours, and a
  // column changed by hand between two commits would misread binary values (an integer's four
  // bytes are a valid real). So each COPY into the target looks again, under the lock the COPY
  // takes anyway (an ALTER waits for it); a staging table, made LIKE the target, once.
  void check_binary_types(const std::string& into) {
    if (m_mode != LoadMode::direct && m_staging_checked) {
      return;
    }
    if (m_mode == LoadMode::direct) {
      m_tx->exec("LOCK TABLE " + into + " IN ROW EXCLUSIVE MODE");
    }
    if (!readable(*m_tx, into)) {
      throw changed_during_load();
    }
    m_staging_checked = true;
  }

  // The staging table is made when the first row or an empty reconcile needs it (outside the
  // group's transaction): a run that finds nothing to merge costs no CREATE and no DROP.
  void create_staging() {
    if (m_mode == LoadMode::direct || m_staged) {
      return;
    }
    pqxx::nontransaction tx(m_connection);
    tx.exec(create_staging_sql(m_table, m_staging));
    m_staged = true;
  }

  // Ends the COPY, runs `body` in the group's transaction and commits; on any failure the
  // transaction rolls back and the session is ready for the next group.
  template<typename Body>
  MergeCounts finish_transaction(Body&& body) {
    MergeCounts counts;
    try {
      translate(m_connection, m_table.name, [&] {
        if (!m_tx) {
          m_tx = std::make_unique<pqxx::work>(m_connection);
        }
        if (m_stream) {
          m_stream->complete();
          m_stream.reset();
        }
        if (m_binary) {
          m_binary->complete();
          m_binary.reset();
        }
        body(counts);
        m_tx->commit();
      });
    } catch (...) {
      m_stream.reset();
      m_binary.reset();
      m_tx.reset();
      m_rows = 0;
      throw;
    }
    m_tx.reset();
    m_rows = 0;
    return counts;
  }

  pqxx::connection& m_connection;
  TargetTable m_table;
  LoadMode m_mode;
  std::string m_staging;
  bool m_staged = false; // the TEMP table exists
  std::string m_upsert_sql;
  std::unique_ptr<pqxx::work> m_tx;
  std::unique_ptr<pqxx::tablewriter> m_stream; // a text COPY in progress
  std::unique_ptr<BinaryCopy> m_binary;        // a binary one
  bool m_staging_checked = false;              // its types read binary rows (check_binary_types)
  std::optional<CopyFormat> m_format;          // chosen by choose_format(); text until then
  bool m_carry_seal = false;                   // rows end with their seal (choose_format)
  std::uint64_t m_rows = 0;
};

} // namespace

std::unique_ptr<LoadSession>
make_load(pqxx::connection& connection, TargetTable table, LoadMode mode) {
  return std::make_unique<PostgresLoad>(connection, std::move(table), mode);
}

} // namespace migrate::target
