#include "migrate/postgres/postgres_target.hpp"

#include "postgres/error_class.hpp"

#include "migrate/config/tls.hpp"
#include "migrate/convert/copy_binary.hpp"
#include "migrate/core/error.hpp"
#include "migrate/core/socket_watchdog.hpp"

#include <pqxx/pqxx>
#include <pqxx/tablewriter>
#include <pqxx/version>
#include <spdlog/spdlog.h>

#include <libpq-fe.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <vector>

namespace migrate::target {
namespace {

std::string quote_name(const std::string& name) {
  return quote_identifier(name);
}

std::string quote_literal(const std::string& value) {
  std::string out = "'";
  for (const char c : value) {
    out += c;
    if (c == '\'') {
      out += '\'';
    }
  }
  return out + "'";
}

std::string qualified(const TargetTable& table) {
  return quote_name(table.schema) + "." + quote_name(table.name);
}

std::string live_rows(const TargetTable& table) {
  return table.soft_delete_column.empty()
             ? std::string()
             : " WHERE " + quote_name(table.soft_delete_column) + " IS NULL";
}

std::string column_list(const TargetTable& table, const std::string& prefix = {}) {
  std::string out;
  for (const auto& column : table.columns) {
    out += (out.empty() ? "" : ", ") + prefix + quote_name(column.name);
  }
  return out;
}

bool is_key(const TargetTable& table, const std::string& name) {
  for (const auto& key : table.primary_key) {
    if (key == name) {
      return true;
    }
  }
  return false;
}

PGconn* raw_connection(pqxx::connection_base& connection); // below: libpqxx keeps it private

// Runs `body`, translating libpqxx's exceptions into migrate::Error.
template<typename Body>
auto translate_errors(pqxx::connection_base& connection, const std::string& table, Body&& body)
    -> decltype(body()) {
  try {
    return body();
  } catch (const pqxx::sql_error& e) {
    // 55P03 names neither the table nor the setting: say both.
    const std::string lock =
        e.sqlstate() == "55P03"
            ? "could not lock table " + table + " within lock_timeout (another session holds it): "
            : "";
    // A missing grant names what to grant, on what, to whom, instead of a bare SQLSTATE.
    // libpqxx 6.4 leaves sqlstate() empty here; the exception's class still says which it is.
    const bool denied =
        e.sqlstate() == "42501" || dynamic_cast<const pqxx::insufficient_privilege*>(&e) != nullptr;
    throw Error(ErrorArea::target,
                denied ? missing_privilege_message(
                    "'" + std::string(connection.username()) + "'", e.query(), e.what())
                       : lock + e.what(),
                ErrorContext{.table = table,
                             .sql = e.query(),
                             .sqlstate = denied ? std::string("42501") : e.sqlstate(),
                             .transient = is_transient_sqlstate(e.sqlstate())});
  } catch (const pqxx::in_doubt_error& e) {
    // The commit may or may not have happened. Retrying the commit blindly could do either; the
    // run's retry instead reads again from the position stored after the last known commit, and
    // the idempotent merge makes both outcomes end equal.
    throw Error(ErrorArea::target,
                e.what(),
                ErrorContext{.table = table, .sqlstate = "08007", .transient = true});
  } catch (const pqxx::broken_connection& e) {
    throw Error(ErrorArea::target,
                e.what(),
                ErrorContext{.table = table, .sqlstate = "08006", .transient = true});
  } catch (const pqxx::failure& e) {
    // libpqxx reports a connection lost during a COPY as a plain failure ("Write to table
    // failed: server closed the connection unexpectedly"): the connection's state decides.
    const bool lost = PQstatus(raw_connection(connection)) == CONNECTION_BAD;
    throw Error(ErrorArea::target,
                e.what(),
                ErrorContext{.table = table,
                             .sqlstate = lost ? std::string("08006") : std::string(),
                             .transient = lost});
  }
}

// How long a call waits for PostgreSQL's answer (read_timeout) before its socket is shut: one
// endpoint per process, set when a target is made.
std::atomic<std::int64_t> g_answer_limit_ms{0};

// Server sessions whose client this process abandoned for silence: a stalled proxy keeps them,
// and their locks, alive (a backend waiting for COPY data never times out), so the next connection
// ends them before the retry meets their locks.
std::mutex g_abandoned_mutex;
std::vector<int> g_abandoned;

void abandon(int backend_pid) {
  const std::lock_guard lock(g_abandoned_mutex);
  g_abandoned.push_back(backend_pid);
}

// Ends the abandoned sessions, as their own role may (no superuser needed); best effort.
void end_abandoned(pqxx::connection_base& connection) {
  std::vector<int> pids;
  {
    const std::lock_guard lock(g_abandoned_mutex);
    pids.swap(g_abandoned);
  }
  for (const int pid : pids) {
    try {
      pqxx::nontransaction tx(connection);
      // Only a session of this role and tool: the process id may have been reused since.
      const auto ended = tx.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                                 "pid = "
                                 + std::to_string(pid)
                                 + " AND usename = current_user AND application_name = 'migrate'");
      if (!ended.empty()) {
        spdlog::warn("postgresql: ended session {} that stopped answering (it held its locks)",
                     pid);
      }
    } catch (const std::exception& e) {
      spdlog::warn(
          "postgresql: could not end session {} that stopped answering: {}", pid, e.what());
    }
  }
}

// translate_errors(), under a client-side bound: a peer that stays connected but stops answering
// (a stalled proxy or pooler) fails the call as a lost connection, retried by the run.
template<typename Body>
auto translate(pqxx::connection_base& connection, const std::string& table, Body&& body)
    -> decltype(body()) {
  const int backend = connection.backendpid(); // 0 once the connection is given up
  bool silent = false;
  std::optional<Error> failure;
  {
    // Watched only while the call runs: its socket's number is not reused before the watch ends.
    const SocketWatch watch(connection.sock(), std::chrono::milliseconds(g_answer_limit_ms.load()));
    try {
      return translate_errors(connection, table, std::forward<Body>(body));
    } catch (const Error& e) {
      silent = watch.fired();
      failure = e;
    }
  }
  const auto& e = *failure;
  if (e.context().sqlstate == "25006") {
    // A read-only server: after an Aurora failover the cluster endpoint answers from a reader for
    // a while. The next call connects again (the endpoint's DNS moves to the new writer).
    connection.disconnect();
  }
  if (!silent) {
    throw e;
  }
  {
    abandon(backend);
    throw Error(
        ErrorArea::target,
        "PostgreSQL sent no answer for " + std::to_string(g_answer_limit_ms.load() / 1000)
            + " s (read_timeout): the connection was closed to try again (" + e.message() + ")",
        ErrorContext{
            .table = table, .sql = e.context().sql, .sqlstate = "08006", .transient = true});
  }
}

// ---- comparison SQL: must print exactly what mysql_source.cpp prints for the same value ----

// `prefix` qualifies the column ("t.") where the statement names the table twice.
std::string hash_text(const HashColumn& column, const std::string& prefix = {}) {
  const auto c = prefix + quote_name(column.target_name);
  switch (column.kind) {
  case HashKind::integer:
  case HashKind::decimal:
  case HashKind::bits:
  case HashKind::text:
  case HashKind::geometry:
    return c + "::text";
  case HashKind::boolean:
    return "(" + c + "::int)::text";
  case HashKind::inet:
    return "host(" + c + ")"; // inet's text() adds /32 to a host; MySQL prints the bare address
  case HashKind::set:
    return "array_to_string(" + c + ", ',')";
  case HashKind::bytes:
    return c; // hashed as the bytes themselves (hash_part)
  case HashKind::date:
    return "to_char(" + c + ", 'YYYY-MM-DD')";
  case HashKind::datetime:
    return "to_char(" + c + ", 'YYYY-MM-DD HH24:MI:SS.US')";
  case HashKind::time:
    return "CAST(EXTRACT(EPOCH FROM " + c + ") AS numeric(20,6))::text";
  case HashKind::float_value:
  case HashKind::presence:
    return "CASE WHEN " + c + " IS NULL THEN NULL ELSE 'v' END";
  }
  return c;
}

// SHA-256 in lower-case hex, as MySQL's SHA2(x, 256) prints it: of the UTF-8 text, or of the
// bytes of a bytea.
std::string sha256_hex(const std::string& value, bool bytes) {
  return "encode(sha256(" + (bytes ? value : "convert_to(" + value + ", 'UTF8')") + "), 'hex')";
}

std::string hash_part(const HashColumn& column, const std::string& prefix = {}) {
  const auto text = hash_text(column, prefix);
  if (!hashed_alone(column.kind)) {
    return "COALESCE(" + text + ", 'N')";
  }
  return "COALESCE(" + sha256_hex(text, column.kind == HashKind::bytes) + ", 'N')";
}

std::string chunk_id_sql(const ComparePlan& plan, const std::string& prefix = {}) {
  const auto& n = plan.chunking.width_or_buckets;
  if (plan.chunking.kind == Chunking::Kind::whole) {
    return "0";
  }
  if (plan.chunking.kind == Chunking::Kind::range) {
    return "div(" + prefix + quote_name(plan.key.target_name) + "::numeric, " + n + ")";
  }
  std::string key;
  for (const auto& column : plan.key_columns) {
    key += (key.empty() ? "" : " || ") + hash_part(column, prefix);
  }
  return "(('x' || lpad(substr(" + sha256_hex(key, false) + ", 1, 8), 16, '0'))::bit(64)::bigint % "
         + n + ")";
}

std::string chunk_condition_sql(const ChunkFilter& chunk, const std::string& prefix) {
  const auto& plan = *chunk.plan;
  if (plan.chunking.kind == Chunking::Kind::whole) {
    return "TRUE";
  }
  if (plan.chunking.kind == Chunking::Kind::hash) {
    return chunk_id_sql(plan, prefix) + " = " + chunk.id;
  }
  const auto bounds = range_bounds(chunk.id, plan.chunking.width_or_buckets);
  const auto key = prefix + quote_name(plan.key.target_name);
  return "(" + key + (bounds.low_inclusive ? " >= " : " > ") + bounds.low + " AND " + key
         + (bounds.high_inclusive ? " <= " : " < ") + bounds.high + ")";
}

std::uint64_t as_bits(const pqxx::field& field) {
  return static_cast<std::uint64_t>(field.is_null() ? 0 : field.as<std::int64_t>());
}

// True for the types whose values hash_record_extended() can hash (those with a hash operator
// class); the others (json, bit, bit varying, anything unknown) are hashed as their text.
bool has_extended_hash(const TargetColumn& column) {
  if (column.enum_type) {
    return true;
  }
  static const char* const k_hashable[] = {"bigint",
                                           "integer",
                                           "smallint",
                                           "numeric",
                                           "boolean",
                                           "text",
                                           "varchar",
                                           "character",
                                           "char",
                                           "bytea",
                                           "date",
                                           "timestamp",
                                           "time",
                                           "interval",
                                           "jsonb",
                                           "inet",
                                           "uuid",
                                           "double precision",
                                           "real"};
  for (const char* type : k_hashable) {
    const std::string_view name(type);
    if (column.pg_type.compare(0, name.size(), name) == 0
        && (column.pg_type.size() == name.size() || column.pg_type[name.size()] == '('
            || column.pg_type[name.size()] == ' ' || column.pg_type[name.size()] == '[')) {
      return true;
    }
  }
  return false;
}

// The row's seal: PostgreSQL's own 64-bit hash of the row's target values, each hashed by its
// type's hash function (equal values hash equal: a wider varchar, an int widened to bigint or a
// numeric of higher precision keep the seal). `prefix` qualifies the columns ("t.").
std::string seal_sql(const TargetTable& table, const std::string& prefix = {}) {
  std::string values;
  for (const auto& column : table.columns) {
    if (is_tool_column(column.name)) {
      continue;
    }
    const auto c = prefix + quote_name(column.name);
    values += (values.empty() ? "" : ", ") + (has_extended_hash(column) ? c : c + "::text");
  }
  return "hash_record_extended(ROW(" + values + "), 0)";
}

std::string merge_sql(const TargetTable& table, const std::string& staging, bool keep_edits) {
  std::string keys;
  for (const auto& key : table.primary_key) {
    keys += (keys.empty() ? "" : ", ") + quote_name(key);
  }
  std::string set;
  std::string current;
  std::string incoming;
  for (const auto& column : table.columns) {
    if (is_key(table, column.name)) {
      continue;
    }
    const auto name = quote_name(column.name);
    set += (set.empty() ? "" : ", ") + name + " = EXCLUDED." + name;
    current += (current.empty() ? "" : ", ") + std::string("t.") + name;
    incoming += (incoming.empty() ? "" : ", ") + std::string("EXCLUDED.") + name;
  }
  // The seal is written with the row, so a row whose seal no longer matches is written again.
  const auto seal = quote_name(k_seal_column);
  set += (set.empty() ? "" : ", ") + seal + " = EXCLUDED." + seal;
  current += (current.empty() ? "" : ", ") + std::string("t.") + seal;
  incoming += (incoming.empty() ? "" : ", ") + std::string("EXCLUDED.") + seal;
  std::string changed = "ROW(" + current + ") IS DISTINCT FROM ROW(" + incoming + ")";
  if (!table.soft_delete_column.empty()) {
    // A row back in the source is no longer deleted.
    const auto soft = quote_name(table.soft_delete_column);
    set += (set.empty() ? "" : ", ") + soft + " = NULL";
    changed = "(" + changed + " OR t." + soft + " IS NOT NULL)";
  }
  if (keep_edits) {
    changed += " AND t." + seal + " IS NOT DISTINCT FROM " + seal_sql(table, "t.");
  }
  // Rows equal to the target's are not written: no dead tuple, no WAL, counted as unchanged.
  const auto conflict = " ON CONFLICT (" + keys + ") DO UPDATE SET " + set + " WHERE " + changed;
  return "WITH merged AS (INSERT INTO " + qualified(table) + " AS t (" + column_list(table) + ", "
         + seal + ") SELECT " + column_list(table) + ", " + seal_sql(table) + " FROM " + staging
         + conflict
         + " RETURNING (xmax = 0) AS inserted) "
           "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM "
           "merged";
}

bool is_merge(LoadMode mode) {
  return mode == LoadMode::merge || mode == LoadMode::merge_keeping_edits;
}

std::string
reconcile_sql(const TargetTable& table, const std::string& staging, const Reconcile& reconcile) {
  std::string match;
  for (const auto& key : table.primary_key) {
    match += (match.empty() ? "" : " AND ") + std::string("s.") + quote_name(key) + " = t."
             + quote_name(key);
  }
  const auto missing = chunk_condition_sql(reconcile.chunk, "t.")
                       + " AND NOT EXISTS (SELECT 1 FROM " + staging + " s WHERE " + match + ")";
  if (reconcile.soft) {
    const auto soft = quote_name(table.soft_delete_column);
    return "UPDATE " + qualified(table) + " AS t SET " + soft + " = now() WHERE " + soft
           + " IS NULL AND " + missing;
  }
  return "DELETE FROM " + qualified(table) + " AS t WHERE " + missing;
}

// libpqxx 6.4 sends COPY data one whole line per message and copies each line twice on the way
// (tablewriter::write_raw_line, connection_base::write_copy_line), and libpq then grows its
// buffer to hold the message: a row with a 50 MB blob cost about ten times its size. PostgreSQL
// does not need messages to follow rows (protocol-flow.html, "COPY Operations"), so the data goes
// to PQputCopyData in slices straight from the batch buffer. libpqxx keeps the PGconn private; an
// explicit instantiation may name a private member ([temp.spec]/6), which is how it is reached.
static_assert(PQXX_VERSION_MAJOR == 6, "raw_connection() access is written for libpqxx 6");
using RawConnection = pqxx::internal::pq::PGconn* (pqxx::connection_base::*)() const;
RawConnection raw_connection_member();
template<RawConnection Member>
struct RawConnectionAccess {
  friend RawConnection raw_connection_member() { return Member; }
};
template struct RawConnectionAccess<&pqxx::connection_base::raw_connection>;

PGconn* raw_connection(pqxx::connection_base& connection) {
  return (connection.*raw_connection_member())();
}

// The subject of the server's certificate, from libpq's OpenSSL session; "" without one.
std::string certificate_subject(PGconn* connection) {
  auto* tls = static_cast<SSL*>(PQsslStruct(connection, "OpenSSL"));
  if (tls == nullptr) {
    return {};
  }
  const std::unique_ptr<X509, decltype(&X509_free)> certificate(SSL_get1_peer_certificate(tls),
                                                                X509_free);
  if (!certificate) {
    return {};
  }
  std::array<char, 512> subject{};
  X509_NAME_oneline(X509_get_subject_name(certificate.get()), subject.data(), subject.size());
  return subject.data();
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

class PostgresLoad final : public LoadSession {
public:
  PostgresLoad(pqxx::connection& connection, TargetTable table, LoadMode mode)
      : m_connection(connection)
      , m_table(std::move(table))
      , m_mode(mode) {
    static std::atomic<int> counter{0};
    m_staging = "migrate_stage_" + std::to_string(++counter);
    if (is_merge(m_mode)) {
      m_merge_sql = merge_sql(m_table, m_staging, m_mode == LoadMode::merge_keeping_edits);
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
      m_format =
          wanted == CopyFormat::binary && reads_binary() ? CopyFormat::binary : CopyFormat::text;
    }
    return *m_format;
  }

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
          m_binary = std::make_unique<BinaryCopy>(m_connection,
                                                  "COPY " + into + " (" + column_list(m_table)
                                                      + ") FROM STDIN WITH (FORMAT binary)");
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
    if (reconcile != nullptr && !is_merge(m_mode)) {
      throw Error(ErrorArea::internal, "reconcile needs a staging table");
    }
    if (m_mode == LoadMode::replace) {
      throw Error(ErrorArea::internal, "a replacing load ends with replace(), not commit()");
    }
    if (!m_tx) {
      translate(m_connection, m_table.name, [&] { create_staging(); }); // an empty reconcile
    }
    return finish_transaction([&](MergeCounts& counts) {
      if (is_merge(m_mode) && m_rows > 0) {
        const auto result = m_tx->exec(m_merge_sql);
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
      counts.inserted =
          m_tx->exec("INSERT INTO " + qualified(m_table) + " (" + column_list(m_table) + ", "
                     + quote_name(k_seal_column) + ") SELECT " + column_list(m_table) + ", "
                     + seal_sql(m_table) + " FROM " + m_staging)
              .affected_rows();
    });
  }

private:
  // Whether every column of the target has exactly the type binary rows are written for (a
  // staging table is made LIKE the target, so it has them too).
  bool reads_binary() {
    return translate(m_connection, m_table.name, [&] {
      pqxx::nontransaction tx(m_connection);
      const auto rows = tx.exec_params(
          "SELECT a.attname, a.atttypid::bigint, t.typtype FROM pg_attribute a JOIN pg_type t ON "
          "t.oid = a.atttypid WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT "
          "a.attisdropped",
          qualified(m_table));
      for (const auto& column : m_table.columns) {
        const auto type = convert::binary_type(column);
        const auto found = std::find_if(rows.begin(), rows.end(), [&](const pqxx::row& row) {
          return row[0].as<std::string>() == column.name;
        });
        if (!type || found == rows.end()
            || !convert::binary_accepts(
                *type, found->at(1).as<std::uint32_t>(), found->at(2).as<std::string>().front())) {
          spdlog::debug("table={} loads in COPY text: column {} is {}",
                        m_table.name,
                        column.name,
                        found == rows.end() ? "missing" : "of another type");
          return false;
        }
      }
      return true;
    });
  }

  // The staging table is made when the first row or an empty reconcile needs it (outside the
  // group's transaction): a run that finds nothing to merge costs no CREATE and no DROP.
  void create_staging() {
    if (m_mode == LoadMode::direct || m_staged) {
      return;
    }
    pqxx::nontransaction tx(m_connection);
    tx.exec("CREATE TEMP TABLE " + m_staging + " (LIKE " + qualified(m_table)
            + " INCLUDING DEFAULTS) ON COMMIT DELETE ROWS");
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
  std::string m_merge_sql;
  std::unique_ptr<pqxx::work> m_tx;
  std::unique_ptr<pqxx::tablewriter> m_stream; // a text COPY in progress
  std::unique_ptr<BinaryCopy> m_binary;        // a binary one
  std::optional<CopyFormat> m_format;          // chosen by choose_format(); text until then
  std::uint64_t m_rows = 0;
};

std::string describe_encryption(pqxx::connection& connection) {
  PGconn* raw = raw_connection(connection);
  if (PQsslInUse(raw) == 0) {
    return config::describe_encryption("", "");
  }
  const char* version = PQsslAttribute(raw, "protocol");
  const char* cipher = PQsslAttribute(raw, "cipher");
  return config::describe_encryption(version == nullptr ? "" : version,
                                     cipher == nullptr ? "unknown cipher" : cipher);
}

// libpq enforces the ssl_mode itself (connection_string() passes it); this only warns about plain
// text leaving the machine, once per process.
void check_encryption(pqxx::connection& connection, const config::Endpoint& endpoint) {
  static std::atomic<bool> warned{false};
  const bool encrypted = PQsslInUse(raw_connection(connection)) != 0;
  if (config::warn_unencrypted(endpoint.host, encrypted) && !warned.exchange(true)) {
    spdlog::warn("the PostgreSQL connection to {} is not encrypted: set ssl_mode: verify-full and "
                 "ssl_ca in database.yaml",
                 endpoint.describe());
  }
}

class PostgresTarget final : public Target {
public:
  explicit PostgresTarget(const config::PostgresEndpoint& endpoint)
      : m_endpoint(endpoint)
      , m_connection(connect(endpoint)) {
    g_answer_limit_ms = std::chrono::milliseconds(endpoint.read_timeout).count();
  }

  std::string encryption() const override { return describe_encryption(*m_connection); }

  std::optional<TargetTable> describe(const std::string& schema, const std::string& name) override {
    return translate(connection(), name, [&]() -> std::optional<TargetTable> {
      // Catalog reads in autocommit: a read-only transaction would cost two more round trips,
      // which a WAN link makes the larger part of a run with nothing to do.
      pqxx::nontransaction tx(connection());
      const auto columns =
          tx.exec_params("SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull "
                         "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                         "JOIN pg_namespace n ON n.oid = c.relnamespace "
                         "WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p') "
                         "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
                         schema,
                         name);
      if (columns.empty()) {
        return std::nullopt;
      }
      TargetTable table{schema, name, {}, {}};
      for (const auto& row : columns) {
        table.columns.push_back(TargetColumn{
            row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<bool>(), {}, false});
      }
      const auto keys = tx.exec_params(
          "SELECT a.attname FROM pg_index i "
          "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
          "WHERE i.indrelid = $1::regclass AND i.indisprimary "
          "ORDER BY array_position(i.indkey::int2[], a.attnum)",
          qualified(table));
      for (const auto& row : keys) {
        table.primary_key.push_back(row[0].as<std::string>());
      }
      read_allowed_values(tx, table);
      return table;
    });
  }

  TargetServerInfo server_info() override {
    return translate(connection(), {}, [&] {
      pqxx::read_transaction tx(connection());
      const auto row =
          tx.exec("SELECT current_setting('server_version'), current_user::text, "
                  "(SELECT rolsuper FROM pg_roles WHERE rolname = current_user), "
                  "coalesce((SELECT version || ' ' || cipher FROM pg_stat_ssl WHERE pid = "
                  "pg_backend_pid() AND ssl), ''), "
                  "(SELECT reset_val FROM pg_settings WHERE name = 'TimeZone'), "
                  "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'), "
                  "current_setting('server_encoding')")[0];
      TargetServerInfo info;
      info.version = row[0].as<std::string>();
      info.role = row[1].as<std::string>();
      info.superuser = row[2].as<bool>(false);
      info.tls = row[3].as<std::string>();
      if (!info.tls.empty()) {
        info.tls_subject = certificate_subject(raw_connection(connection()));
      }
      info.time_zone = row[4].as<std::string>();
      info.utc_now = row[5].as<std::string>();
      info.encoding = row[6].as<std::string>();
      return info;
    });
  }

  std::vector<std::string> missing_privileges(const TargetTable& table) override {
    return translate(connection(), table.name, [&] {
      pqxx::read_transaction tx(connection());
      std::vector<std::string> out;
      // Merges stage their rows in a temporary table.
      if (!tx.exec("SELECT has_database_privilege(current_database(), 'TEMPORARY')")[0][0]
               .as<bool>()) {
        out.push_back(std::string("TEMPORARY on database ") + tx.conn().dbname());
      }
      const auto schema =
          tx.exec_params("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1), "
                         "has_database_privilege(current_database(), 'CREATE'), "
                         "CASE WHEN EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) THEN "
                         "has_schema_privilege($1, 'CREATE') END, "
                         "CASE WHEN EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) THEN "
                         "has_schema_privilege($1, 'USAGE') END",
                         table.schema)[0];
      if (!schema[0].as<bool>()) {
        if (!schema[1].as<bool>()) {
          out.push_back(std::string("CREATE on database ") + tx.conn().dbname()
                        + " (to create schema " + table.schema + ")");
        }
        return out;
      }
      if (!schema[3].as<bool>()) {
        out.push_back("USAGE on schema " + table.schema);
      }
      const auto owned = tx.exec_params(
          "SELECT pg_has_role(c.relowner, 'USAGE'), "
          "has_table_privilege(c.oid, 'SELECT'), has_table_privilege(c.oid, 'INSERT'), "
          "has_table_privilege(c.oid, 'UPDATE'), has_table_privilege(c.oid, 'DELETE') "
          "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
          "WHERE n.nspname = $1 AND c.relname = $2",
          table.schema,
          table.name);
      if (owned.empty()) {
        if (!schema[2].as<bool>()) {
          out.push_back("CREATE on schema " + table.schema);
        }
        return out;
      }
      // ALTER (tool columns, keys) and TRUNCATE-free replacement need the table's owner role.
      const char* const k_privileges[] = {"ownership", "SELECT", "INSERT", "UPDATE", "DELETE"};
      for (int i = 0; i < 5; ++i) {
        if (!owned[0][i].as<bool>()) {
          out.push_back(std::string(k_privileges[i]) + " on table " + table.qualified_name());
        }
      }
      return out;
    });
  }

  std::string create_table_sql(const TargetTable& table) const override {
    const auto keys = keys_sql(table);
    return create_sql(table) + (keys.empty() ? "" : ";\n" + keys);
  }

  void build_keys(const TargetTable& table) override {
    translate(connection(), table.name, [&] {
      pqxx::work tx(connection());
      const auto existing = tx.exec_params(
          "SELECT EXISTS (SELECT 1 FROM pg_index WHERE indrelid = $1::regclass AND indisprimary), "
          "EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = $1::regclass AND attname = $2 "
          "AND attgenerated <> '')",
          qualified(table),
          std::string(k_seal_column));
      auto sql = keys_sql(table, existing[0][0].as<bool>());
      if (existing[0][1].as<bool>()) {
        // The first load is over: from now on the merge writes each row's seal, and a change
        // made by anything else leaves the seal as it was.
        sql = "ALTER TABLE " + qualified(table) + " ALTER COLUMN " + quote_name(k_seal_column)
              + " DROP EXPRESSION" + (sql.empty() ? "" : ";\n" + sql);
      }
      if (!sql.empty()) {
        tx.exec(sql);
      }
      tx.commit();
    });
  }

  // create_table() makes the seal a generated column; a table emptied since (or made by a run
  // that loaded nothing) has a plain one, which is made generated again while the table is empty.
  void prepare_first_load(const TargetTable& table) override {
    translate(connection(), table.name, [&] {
      pqxx::work tx(connection());
      const auto generated = tx.exec_params(
          "SELECT attgenerated <> '' FROM pg_attribute WHERE attrelid = $1::regclass AND "
          "attname = $2 AND NOT attisdropped",
          qualified(table),
          std::string(k_seal_column));
      if (generated.empty() || !generated[0][0].as<bool>()) {
        const auto seal = quote_name(k_seal_column);
        tx.exec("ALTER TABLE " + qualified(table)
                + (generated.empty() ? "" : " DROP COLUMN " + seal + ",") + " ADD COLUMN " + seal
                + " bigint GENERATED ALWAYS AS (" + seal_sql(table) + ") STORED");
      }
      tx.commit();
    });
  }

  static std::string keys_sql(const TargetTable& table, bool has_primary_key = false) {
    std::string keys;
    for (const auto& key : table.primary_key) {
      keys += (keys.empty() ? "" : ", ") + quote_name(key);
    }
    std::string sql;
    if (!has_primary_key && !table.primary_key.empty()) {
      sql += "ALTER TABLE " + qualified(table) + " ADD PRIMARY KEY (" + keys + ")";
    }
    for (const auto& index : table.indexes) {
      sql += std::string(sql.empty() ? "" : ";\n") + index_sql(table, index);
    }
    return sql;
  }

  // Secondary indexes are never unique during the sync, even where MySQL's are: MySQL applies a
  // swap of two values in one transaction, and a batch that merges one row before the other, or a
  // soft-deleted row beside its re-inserted twin, would violate the constraint on every run.
  // Uniqueness is MySQL's to enforce until the cutover.
  static std::string index_sql(const TargetTable& table, const SourceIndex& index) {
    std::string columns;
    for (const auto& column : index.columns) {
      columns += (columns.empty() ? "" : ", ") + quote_name(column);
    }
    return "CREATE INDEX IF NOT EXISTS " + quote_name(index_name(table, index)) + " ON "
           + qualified(table) + " (" + columns + ")";
  }

  static std::string index_name(const TargetTable& table, const SourceIndex& index) {
    return fit_identifier(table.name + "_" + index.name);
  }

  // An index an older version built as UNIQUE is built again without the constraint.
  void relax_unique_indexes(const TargetTable& table) override {
    translate(connection(), table.name, [&] {
      pqxx::work tx(connection());
      for (const auto& index : table.indexes) {
        const auto name = index_name(table, index);
        const auto unique = tx.exec_params(
            "SELECT EXISTS (SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = $1::regclass AND c.relname = $2 AND i.indisunique AND NOT "
            "i.indisprimary)",
            qualified(table),
            name);
        if (unique[0][0].as<bool>()) {
          spdlog::info("table={} index {} rebuilt without UNIQUE: uniqueness is checked at the "
                       "cutover",
                       table.name,
                       name);
          tx.exec("DROP INDEX " + quote_name(table.schema) + "." + quote_name(name));
          tx.exec(index_sql(table, index));
        }
      }
      tx.commit();
    });
  }

  static std::string create_sql(const TargetTable& table) {
    std::string sql;
    for (const auto& column : table.columns) {
      if (column.enum_type) {
        std::string labels;
        for (const auto& value : column.allowed_values) {
          labels += (labels.empty() ? "" : ", ") + quote_literal(value);
        }
        sql += "CREATE TYPE " + column.pg_type + " AS ENUM (" + labels + ");\n";
      }
    }
    sql += "CREATE TABLE " + qualified(table) + " (\n";
    for (const auto& column : table.columns) {
      sql += "  " + quote_name(column.name) + " " + column.pg_type;
      if (column.not_null) {
        sql += " NOT NULL";
      }
      if (!column.allowed_values.empty() && !column.enum_type) {
        std::string values;
        for (const auto& value : column.allowed_values) {
          values += (values.empty() ? "" : ", ") + quote_literal(value);
        }
        sql += " CHECK (" + quote_name(column.name) + " IN (" + values + "))";
      }
      sql += ",\n";
    }
    if (!table.soft_delete_column.empty()) {
      sql += "  " + quote_name(table.soft_delete_column) + " timestamp with time zone,\n";
    }
    // A first load copies rows straight in: PostgreSQL seals each as it arrives (at no measurable
    // cost to the COPY), and build_keys() makes the seal a plain column before anything else
    // writes. A table without a key is only ever replaced, which seals in its INSERT.
    sql += "  " + quote_name(k_seal_column) + " bigint";
    if (!table.primary_key.empty()) {
      sql += " GENERATED ALWAYS AS (" + seal_sql(table) + ") STORED";
    }
    sql += ",\n";
    sql.resize(sql.size() - 2); // the last ",\n"
    return sql + "\n)";
  }

  void create_table(const TargetTable& table) override {
    translate(connection(), table.name, [&] {
      pqxx::work tx(connection());
      // CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the schema exists,
      // which a role that only owns its schema (as on Aurora) lacks.
      const auto schema_exists = tx.exec_params(
          "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", table.schema);
      if (!schema_exists[0][0].as<bool>()) {
        tx.exec("CREATE SCHEMA " + quote_name(table.schema));
      }
      tx.exec(create_sql(table));
      tx.commit();
    });
  }

  std::unique_ptr<LoadSession> begin_load(const TargetTable& table, LoadMode mode) override {
    return std::make_unique<PostgresLoad>(connection(), table, mode);
  }

  // The labels of each ENUM column: its enum type's, or the quoted literals of the one-column CHECK
  // the tool wrote (pg_get_constraintdef prints it as "= ANY (ARRAY['a'::text, ...])").
  static void read_allowed_values(pqxx::transaction_base& tx, TargetTable& table) {
    const auto labels = tx.exec_params(
        // enumlabel is a `name`: uncast, it would make the UNION's column a `name` too, and cut
        // the CHECK's text at 63 bytes, losing the labels after it.
        "SELECT a.attname, e.enumlabel::text, true FROM pg_attribute a "
        "JOIN pg_enum e ON e.enumtypid = a.atttypid WHERE a.attrelid = $1::regclass "
        "AND a.attnum > 0 AND NOT a.attisdropped "
        "UNION ALL SELECT a.attname, pg_get_constraintdef(c.oid), false FROM pg_constraint c "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
        "WHERE c.conrelid = $1::regclass AND c.contype = 'c' AND cardinality(c.conkey) = 1 "
        "ORDER BY 1",
        qualified(table));
    for (const auto& row : labels) {
      for (auto& column : table.columns) {
        if (column.name != row[0].as<std::string>()) {
          continue;
        }
        if (row[2].as<bool>()) {
          column.enum_type = true;
          column.allowed_values.push_back(row[1].as<std::string>());
        } else {
          column.allowed_values = quoted_literals(row[1].as<std::string>());
        }
      }
    }
  }

  static std::vector<std::string> quoted_literals(const std::string& text) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] != '\'') {
        continue;
      }
      std::string value;
      for (++i; i < text.size(); ++i) {
        if (text[i] == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
          value += '\'';
          ++i;
        } else if (text[i] == '\'') {
          break;
        } else {
          value += text[i];
        }
      }
      out.push_back(value);
    }
    return out;
  }

  // `check_name`: the constraint holding the column's labels (PostgreSQL names an inline CHECK
  // <table>_<column>_check).
  static std::string
  change_sql(const TargetTable& table, const SchemaChange& change, const std::string& check_name) {
    const auto& column = change.column;
    const auto alter = "ALTER TABLE " + qualified(table) + " ";
    switch (change.kind) {
    case SchemaChange::Kind::add_column:
      // Nullable even where MySQL has NOT NULL: the existing rows get their values from the
      // re-read that follows.
      return alter + "ADD COLUMN IF NOT EXISTS " + quote_name(column.name) + " " + column.pg_type;
    case SchemaChange::Kind::widen_type:
      return alter + "ALTER COLUMN " + quote_name(column.name) + " TYPE " + column.pg_type;
    case SchemaChange::Kind::add_enum_label:
      if (column.enum_type) {
        // PostgreSQL 12+ takes ADD VALUE in a transaction; the label is usable once it commits.
        return "ALTER TYPE " + column.pg_type + " ADD VALUE IF NOT EXISTS "
               + quote_literal(change.label);
      }
      std::string values;
      for (const auto& value : column.allowed_values) {
        values += (values.empty() ? "" : ", ") + quote_literal(value);
      }
      return alter + "DROP CONSTRAINT " + quote_name(check_name) + ", ADD CONSTRAINT "
             + quote_name(check_name) + " CHECK (" + quote_name(column.name) + " IN (" + values
             + "))";
    }
    return {};
  }

  std::string alter_table_sql(const TargetTable& table,
                              const std::vector<SchemaChange>& changes) const override {
    std::string sql;
    for (const auto& change : changes) {
      sql += change_sql(table, change, table.name + "_" + change.column.name + "_check") + ";\n";
    }
    return sql;
  }

  void alter_table(const TargetTable& table, const std::vector<SchemaChange>& changes) override {
    translate(connection(), table.name, [&] {
      pqxx::work tx(connection());
      for (const auto& change : changes) {
        std::string check_name;
        if (change.kind == SchemaChange::Kind::add_enum_label && !change.column.enum_type) {
          const auto found = tx.exec_params(
              "SELECT c.conname FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = "
              "c.conrelid AND a.attnum = c.conkey[1] WHERE c.conrelid = $1::regclass AND "
              "c.contype = 'c' AND cardinality(c.conkey) = 1 AND a.attname = $2",
              qualified(table),
              change.column.name);
          check_name = found.empty() ? table.name + "_" + change.column.name + "_check"
                                     : found[0][0].as<std::string>();
        }
        tx.exec(change_sql(table, change, check_name));
      }
      tx.commit();
    });
  }

  void ensure_tool_columns(const TargetTable& table) override {
    translate(connection(), table.name, [&] {
      pqxx::work tx(connection());
      const auto present = [&](const std::string& column) {
        return tx
            .exec_params("SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = $1::regclass "
                         "AND attname = $2 AND NOT attisdropped)",
                         qualified(table),
                         column)[0][0]
            .as<bool>();
      };
      // Checked first: ALTER TABLE takes an exclusive lock even when IF NOT EXISTS finds the
      // column, and a reader of the table would wait for it every run.
      // The rows a target made before a column existed have none: their chunks differ once, and
      // the comparison reads them again and writes the column.
      for (const char* column : {k_digest_column, k_seal_column}) {
        if (!present(column)) {
          spdlog::info("table={} adding column {}: the next comparison reads the rows written "
                       "before it once to fill it",
                       table.name,
                       column);
          tx.exec("ALTER TABLE " + qualified(table) + " ADD COLUMN " + quote_name(column)
                  + " bigint");
        }
      }
      if (!table.soft_delete_column.empty() && !present(table.soft_delete_column)) {
        tx.exec("ALTER TABLE " + qualified(table) + " ADD COLUMN "
                + quote_name(table.soft_delete_column) + " timestamp with time zone");
      }
      tx.commit();
    });
  }

  std::uint64_t count_rows(const TargetTable& table) override {
    return translate(connection(), table.name, [&] {
      pqxx::nontransaction tx(connection());
      return tx.exec("SELECT count(*) FROM " + qualified(table) + live_rows(table))[0][0]
          .as<std::uint64_t>();
    });
  }

  std::uint64_t count_null(const TargetTable& table, const std::string& column) override {
    return translate(connection(), table.name, [&] {
      pqxx::read_transaction tx(connection());
      const auto live = live_rows(table);
      return tx
          .exec("SELECT count(*) FROM " + qualified(table)
                + (live.empty() ? " WHERE " : live + " AND ") + quote_name(column)
                + " IS NULL")[0][0]
          .as<std::uint64_t>();
    });
  }

  // One row's 64 bits, as chunk_digests() folds them and row_digests() lists them: the digest
  // stored with the row while its seal holds (NULL otherwise: a row changed or inserted by
  // something else, or written before seals existed), or the first 64 bits of the SHA-256 of its
  // normalised values.
  static std::string row_hash_sql(const TargetTable& table, const ComparePlan& plan) {
    if (!plan.digest_column.empty()) {
      return "CASE WHEN " + quote_name(k_seal_column) + " = " + seal_sql(table) + " THEN "
             + quote_name(plan.digest_column) + " END";
    }
    std::vector<std::string> parts;
    for (const auto& column : plan.columns) {
      parts.push_back(hash_part(column));
    }
    return "('x' || substr(" + sha256_hex(joined_row_sql(parts), false)
           + ", 1, 16))::bit(64)::bigint";
  }

  // The plan's slice, continuing the WHERE clause live_rows() may have begun.
  static std::string slice_sql(const TargetTable& table, const ComparePlan& plan) {
    const auto slice =
        migrate::slice_sql(plan, quote_name(plan.key.target_name), chunk_id_sql(plan));
    return slice.empty() ? slice : (live_rows(table).empty() ? " WHERE " : " AND ") + slice;
  }

  std::vector<ChunkDigest> chunk_digests(const TargetTable& table,
                                         const ComparePlan& plan) override {
    std::string floats;
    std::string float_columns;
    std::size_t float_count = 0;
    for (const auto& column : plan.columns) {
      if (column.kind == HashKind::float_value && plan.digest_column.empty()) {
        const auto name = quote_name(column.target_name);
        floats += ", COALESCE(sum(" + name + "::float8), 0)";
        float_columns += ", " + name;
        ++float_count;
      }
    }
    const auto h = row_hash_sql(table, plan);
    // h is the signed reading of the 64 bits MySQL sums unsigned.
    const bool whole = plan.chunking.kind == Chunking::Kind::whole;
    const std::string sum =
        whole ? ", COALESCE(sum(CASE WHEN h < 0 THEN h::numeric + 18446744073709551616 ELSE "
                "h::numeric END), 0)::text"
              : "";
    const std::string sql = "SELECT chunk_id::text, count(*), bit_xor(h)" + floats + sum
                            + ", count(*) FILTER (WHERE h IS NULL) FROM (SELECT "
                            + chunk_id_sql(plan) + " AS chunk_id, " + h + " AS h" + float_columns
                            + " FROM " + qualified(table) + live_rows(table)
                            + slice_sql(table, plan) + ") AS rows_hashed GROUP BY chunk_id";
    return translate(connection(), table.name, [&] {
      pqxx::read_transaction tx(connection());
      std::vector<ChunkDigest> out;
      for (const auto& r : tx.exec(sql)) {
        ChunkDigest digest;
        digest.id = r[0].as<std::string>();
        digest.rows = r[1].as<std::uint64_t>();
        digest.hash = as_bits(r[2]);
        for (std::size_t i = 0; i < float_count; ++i) {
          digest.float_sums.push_back(r[static_cast<int>(3 + i)].as<double>());
        }
        if (whole) {
          digest.hash_sum = r[static_cast<int>(3 + float_count)].as<std::string>();
        }
        digest.rows_unsealed = r[r.size() - 1].as<std::uint64_t>();
        out.push_back(std::move(digest));
      }
      return out;
    });
  }

  std::vector<RowDigest> row_digests(const TargetTable& table, const ChunkFilter& chunk) override {
    const auto& plan = *chunk.plan;
    std::string sql =
        "SELECT " + row_hash_sql(table, plan) + ", "
        + (plan.digest_column.empty() ? "TRUE" : quote_name(plan.digest_column) + " IS NOT NULL");
    for (const auto& key : plan.key_columns) {
      sql += ", " + hash_text(key);
    }
    const auto live = live_rows(table);
    sql += " FROM " + qualified(table) + (live.empty() ? " WHERE " : live + " AND ")
           + chunk_condition_sql(chunk, "");
    return translate(connection(), table.name, [&] {
      pqxx::read_transaction tx(connection());
      std::vector<RowDigest> out;
      for (const auto& r : tx.exec(sql)) {
        RowDigest digest;
        if (!r[0].is_null()) {
          digest.hash = as_bits(r[0]); // the signed reading of MySQL's unsigned 64 bits
        }
        digest.written_by_migrate = r[1].as<bool>();
        for (int i = 2; i < static_cast<int>(r.size()); ++i) {
          digest.key.push_back(r[i].is_null() ? std::nullopt
                                              : std::optional<std::string>(r[i].c_str()));
        }
        out.push_back(std::move(digest));
      }
      return out;
    });
  }

  std::string identity(const TargetTable& table) override {
    return translate(connection(), table.name, [&] {
      pqxx::nontransaction tx(connection());
      return "oid:"
             + tx.exec_params("SELECT $1::regclass::oid::text", qualified(table))[0][0]
                   .as<std::string>();
    });
  }

  TargetCatalog catalog(const TargetTable& table, const std::string& serial_column) override {
    return translate(connection(), table.name, [&] {
      pqxx::read_transaction tx(connection());
      TargetCatalog out;
      for (const auto& row : tx.exec_params(
               "SELECT c.relname, i.indisunique, i.indisvalid FROM pg_index i JOIN pg_class c "
               "ON c.oid = i.indexrelid WHERE i.indrelid = $1::regclass AND NOT i.indisprimary "
               "ORDER BY c.relname",
               qualified(table))) {
        out.indexes.push_back({row[0].as<std::string>(), row[1].as<bool>(), row[2].as<bool>()});
      }
      for (const auto& row : tx.exec_params("SELECT conname, contype = 'f', convalidated FROM "
                                            "pg_constraint WHERE conrelid = $1::regclass "
                                            "ORDER BY conname",
                                            qualified(table))) {
        out.constraints.push_back({row[0].as<std::string>(), row[1].as<bool>(), row[2].as<bool>()});
      }
      read_columns_and_triggers(tx, table, out);
      if (!serial_column.empty()) {
        read_serial(tx, table, serial_column, out);
      }
      return out;
    });
  }

  static void read_columns_and_triggers(pqxx::transaction_base& tx,
                                        const TargetTable& table,
                                        TargetCatalog& out) {
    for (const auto& row : tx.exec_params("SELECT attname, attnotnull, atthasdef FROM pg_attribute "
                                          "WHERE attrelid = $1::regclass AND attnum > 0 AND NOT "
                                          "attisdropped ORDER BY attnum",
                                          qualified(table))) {
      out.columns.push_back({row[0].as<std::string>(), row[1].as<bool>(), row[2].as<bool>()});
    }
    for (const auto& row : tx.exec_params("SELECT tgname FROM pg_trigger WHERE tgrelid = "
                                          "$1::regclass AND NOT tgisinternal ORDER BY tgname",
                                          qualified(table))) {
      out.triggers.push_back(row[0].as<std::string>());
    }
  }

  // The column's identity, default and sequence (pg_get_serial_sequence finds both an identity's
  // and a serial's), the sequence's next value and the column's highest value.
  static void read_serial(pqxx::transaction_base& tx,
                          const TargetTable& table,
                          const std::string& column,
                          TargetCatalog& out) {
    const auto row = tx.exec_params(
        "SELECT a.attidentity <> '', pg_get_expr(d.adbin, d.adrelid), "
        "pg_get_serial_sequence($1::text, $2::text) FROM pg_attribute a LEFT JOIN pg_attrdef d "
        "ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
        "WHERE a.attrelid = $1::text::regclass AND a.attname = $2::text",
        qualified(table),
        column);
    if (row.empty()) {
      return;
    }
    out.identity = row[0][0].as<bool>();
    out.column_default = row[0][1].is_null() ? "" : row[0][1].as<std::string>();
    out.sequence = row[0][2].is_null() ? "" : row[0][2].as<std::string>();
    if (!out.sequence.empty()) {
      // The owner of the table owns its identity's sequence and may read it.
      const auto seq = tx.exec("SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value "
                               "END FROM "
                               + out.sequence);
      out.sequence_next = seq[0][0].as<std::int64_t>();
    }
    const auto max =
        tx.exec("SELECT max(" + quote_name(column) + ")::text FROM " + qualified(table));
    if (!max[0][0].is_null()) {
      try {
        out.max_value = std::stoll(max[0][0].as<std::string>());
      } catch (const std::exception&) {
        // Not an integer (or beyond bigint): no identity is planned for it anyway.
      }
    }
  }

  void execute(const TargetTable& table, const std::string& sql) override {
    translate(connection(), table.name, [&] {
      pqxx::work tx(connection());
      tx.exec(sql);
      tx.commit();
    });
  }

  std::vector<std::string> orphan_keys(const TargetForeignKey& key, std::size_t limit) override {
    return translate(connection(), key.table, [&] {
      std::string select;
      std::string set;
      std::string match;
      for (std::size_t i = 0; i < key.columns.size(); ++i) {
        const auto column = "c." + quote_name(key.columns[i]);
        select += std::string(i == 0 ? "" : " || ',' || ") + quote_literal(key.columns[i] + "=")
                  + " || " + column + "::text";
        set += std::string(i == 0 ? "" : " AND ") + column + " IS NOT NULL";
        match += std::string(i == 0 ? "" : " AND ") + "p." + quote_name(key.referenced_columns[i])
                 + " = " + column;
      }
      pqxx::read_transaction tx(connection());
      std::vector<std::string> out;
      for (const auto& row :
           tx.exec("SELECT " + select + " FROM " + quote_name(key.schema) + "."
                   + quote_name(key.table) + " c WHERE " + set + " AND NOT EXISTS (SELECT 1 FROM "
                   + quote_name(key.referenced_schema) + "." + quote_name(key.referenced_table)
                   + " p WHERE " + match + ") LIMIT " + std::to_string(limit))) {
        out.push_back(row[0].as<std::string>());
      }
      return out;
    });
  }

  void drop_table(const TargetTable& table) override {
    translate(connection(), table.name, [&] {
      pqxx::work tx(connection());
      tx.exec("DROP TABLE IF EXISTS " + qualified(table));
      for (const auto& column : table.columns) {
        if (column.enum_type) { // made with the table (enum_as: type); CREATE would find it
          tx.exec("DROP TYPE IF EXISTS " + column.pg_type);
        }
      }
      tx.commit();
    });
  }

  bool is_empty(const TargetTable& table) override {
    return translate(connection(), table.name, [&] {
      pqxx::nontransaction tx(connection());
      return tx.exec("SELECT NOT EXISTS (SELECT 1 FROM " + qualified(table) + ")")[0][0].as<bool>();
    });
  }

private:
  static std::unique_ptr<pqxx::connection> connect(const config::PostgresEndpoint& endpoint) {
    try {
      auto connection = std::make_unique<pqxx::connection>(connection_string(endpoint));
      // libpqxx would open a lost connection again by itself, without the session settings below:
      // connection() opens a new one, with them, instead. (Deprecated in 6.4, gone in 7 where
      // connections are never reopened.)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
      connection->inhibit_reactivation(true);
#pragma GCC diagnostic pop
      check_encryption(*connection, endpoint);
      pqxx::nontransaction tx(*connection);
      tx.exec("SET TimeZone = 'UTC'");
      tx.exec("SET client_encoding = 'UTF8'");
      // A lock held by another session fails the statement (55P03, retried) instead of waiting
      // for ever, and the server stops waiting too when this client is gone.
      tx.exec("SET lock_timeout = " + std::to_string(endpoint.lock_timeout.count() * 1000));
      tx.exec("SET statement_timeout = "
              + std::to_string(endpoint.statement_timeout.count() * 1000));
      tx.commit();
      end_abandoned(*connection);
      return connection;
    } catch (const pqxx::failure& e) {
      // libpq's message names host and user, never the password.
      const std::string message = e.what();
      throw Error(ErrorArea::target,
                  "cannot connect to PostgreSQL at " + endpoint.describe() + ": " + message,
                  ErrorContext{.transient = !is_refusal(message)});
    }
  }

  // The connection, opened again when the last one broke (a restart, a failover): the run's retry
  // calls in here again after a wait. A load session holds the old one until it ends.
  pqxx::connection& connection() {
    if (!m_connection || !m_connection->is_open()) {
      m_connection.reset();
      m_connection = connect(m_endpoint);
    }
    return *m_connection;
  }

  config::PostgresEndpoint m_endpoint;
  std::unique_ptr<pqxx::connection> m_connection;
};

std::string conninfo_value(const std::string& value) {
  std::string out = "'";
  for (const char c : value) {
    if (c == '\'' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  return out + "'";
}

// libpq's sslmode has the same names and meaning as ssl_mode. sslrootcert goes with the modes that
// verify (plan_tls): under sslmode=require libpq checks the CA when it has a root certificate file.
std::string tls_parameters(const config::Tls& tls) {
  std::string out = std::string(" sslmode=") + config::to_string(tls.mode);
  if (!tls.ca.empty() && config::plan_tls(tls).verify_ca) {
    out += " sslrootcert=" + conninfo_value(tls.ca.string());
  }
  if (!tls.cert.empty()) {
    out += " sslcert=" + conninfo_value(tls.cert.string())
           + " sslkey=" + conninfo_value(tls.key.string());
  }
  return out;
}

} // namespace

bool is_refusal(const std::string& message) {
  for (const char* text : {"authentication failed",
                           "does not exist",
                           "no pg_hba.conf entry",
                           "permission denied",
                           "password authentication",
                           "certificate verify failed",
                           "does not match host name",
                           "server does not support SSL",
                           "could not read root certificate file",
                           "could not open certificate file",
                           "could not load private key file"}) {
    if (message.find(text) != std::string::npos) {
      return true;
    }
  }
  return false;
}

bool is_transient_sqlstate(const std::string& state) {
  // 25006: a read-only transaction, on a reader that a failover has not promoted yet.
  return state.rfind("08", 0) == 0 || state == "25006" || state == "40001" || state == "40P01"
         || state == "53300" || state == "55P03" || state == "57P01" || state == "57P02"
         || state == "57P03";
}

std::string connection_string(const config::Endpoint& endpoint) {
  return "host=" + conninfo_value(endpoint.host) + " port=" + std::to_string(endpoint.port)
         + " dbname=" + conninfo_value(endpoint.database)
         + " user=" + conninfo_value(endpoint.username)
         + " password=" + conninfo_value(config::connection_password(endpoint, ErrorArea::target))
         + " connect_timeout=" + std::to_string(endpoint.connect_timeout.count())
         + " application_name=migrate keepalives=1 keepalives_idle=30 keepalives_interval=10"
         + " keepalives_count=3" + tls_parameters(endpoint.tls);
}

std::unique_ptr<Target> make_postgres_target(const config::PostgresEndpoint& endpoint) {
  return std::make_unique<PostgresTarget>(endpoint);
}

} // namespace migrate::target
