#include "migrate/mysql/mysql_source.hpp"

#include "mysql/connection.hpp"
#include "mysql/create_table_text.hpp"
#include "mysql/row_reader.hpp"
#include "mysql/sql.hpp"
#include "mysql/tls_peer.hpp"

#include "migrate/core/error.hpp"
#include "migrate/core/log_text.hpp"

#include <mysql.h>
#include <spdlog/spdlog.h>

#include <mysqld_error.h>

#include <cstdlib>
#include <mutex>
#include <set>

namespace migrate::source {
namespace {

// The schema the catalog queries read. MIGRATE_TEST_MYSQL_CATALOG is a test hook only: it names a
// schema of views with exactly MySQL 8.0's information_schema columns, so that tests on MariaDB
// prove the catalog queries use nothing MySQL lacks. The catalog is then read the MySQL way.
std::string catalog_schema() {
  const char* hook = std::getenv("MIGRATE_TEST_MYSQL_CATALOG");
  return hook != nullptr && *hook != '\0' ? quote_name(hook) : std::string("information_schema");
}

// MySQL hides a table the account holds no privilege on from information_schema, so "no columns"
// is told apart from "no table" by trying to read it.
[[noreturn]] void
fail_table_unreadable(Connection& c, const std::string& account, const std::string& table) {
  const std::string sql =
      "SELECT 1 FROM " + quote_name(c.database()) + "." + quote_name(table) + " LIMIT 0";
  const std::string object = c.database() + "." + table;
  if (mysql_real_query(c.get(), sql.data(), sql.size()) == 0) {
    ResultHandle ignored(mysql_store_result(c.get()));
    throw Error(ErrorArea::source,
                "MySQL account " + account + " can read " + object
                    + " but information_schema shows no columns for it",
                ErrorContext{.table = table});
  }
  const unsigned code = mysql_errno(c.get());
  if (code == ER_TABLEACCESS_DENIED_ERROR || code == ER_DBACCESS_DENIED_ERROR) {
    throw Error(ErrorArea::source,
                "MySQL account " + account + " lacks the SELECT privilege on " + object
                    + " (GRANT SELECT ON " + quote_name(c.database()) + ".* TO " + account + ")",
                ErrorContext{.table = table, .sqlstate = "mysql-" + std::to_string(code)});
  }
  throw Error(ErrorArea::source,
              "MySQL table '" + table + "' does not exist in database '" + c.database() + "'",
              ErrorContext{.table = table});
}

class MysqlSource final : public Source {
public:
  explicit MysqlSource(config::Endpoint endpoint)
      : m_endpoint(std::move(endpoint))
      , m_connection(std::make_unique<Connection>(m_endpoint, nullptr))
      , m_catalog(catalog_schema()) {
    // CURRENT_USER() is user@host unquoted; messages print it as GRANT takes it.
    const auto account = m_connection->query("SELECT CURRENT_USER()").at(0).at(0).value_or("");
    const auto at = account.rfind('@');
    m_version = m_connection->version();
    m_probes = m_connection->probes();
    m_account = at == std::string::npos
                    ? "'" + account + "'"
                    : "'" + account.substr(0, at) + "'@'" + account.substr(at + 1) + "'";
    spdlog::info("mysql: server={} version={} account={} compression={}{}",
                 m_connection->version().is_mariadb() ? "MariaDB" : "MySQL",
                 m_connection->version().version,
                 m_account,
                 quote_field(m_connection->compression()),
                 m_catalog == "information_schema" ? "" : " catalog=" + m_catalog + " (test hook)");
    // Once per process: every worker of --jobs opens its own source to the same server.
    static std::once_flag logged;
    std::call_once(logged, [this] {
      std::string probes;
      for (const auto& [name, answer] : describe_probes(m_probes)) {
        probes += (probes.empty() ? "" : "; ") + name + ": " + answer;
      }
      spdlog::info("mysql: probes {}", quote_field(probes));
    });
  }

  const ServerVersion& server_version() const override { return m_version; }

  SourceServerInfo server_info() override {
    auto& c = connection();
    SourceServerInfo info;
    info.version = c.version();
    info.probes = m_probes;
    info.account = m_account;
    const char* cipher = mysql_get_ssl_cipher(c.get());
    info.tls_cipher = cipher == nullptr ? "" : cipher;
    if (!info.tls_cipher.empty()) {
      info.tls_subject =
          mysql_certificate_subject(m_endpoint.host, m_endpoint.port, m_endpoint.connect_timeout);
    }
    const auto row = c.query("SELECT @@GLOBAL.time_zone, @@system_time_zone, "
                             "DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%d %H:%i:%s.%f')")
                         .at(0);
    info.time_zone = row.at(0).value_or("");
    info.system_time_zone = row.at(1).value_or("");
    info.utc_now = row.at(2).value_or("");
    ServerClock clock;
    try {
      oldest_transaction_age(clock);
    } catch (...) {
      c.set_time_zone(k_utc_zone);
      throw;
    }
    c.set_time_zone(k_utc_zone);
    info.transactions_visible = m_transactions_visible;
    return info;
  }

  // The catalog connection, opened again when the last one was lost (a server restart): the
  // run's retry calls in here again after a wait.
  Connection& connection() {
    if (!m_connection || m_connection->lost()) {
      m_connection.reset();
      m_connection = std::make_unique<Connection>(m_endpoint, &m_probes);
    }
    return *m_connection;
  }

  std::string encryption() const override {
    return m_connection ? m_connection->encryption() : "not connected";
  }

  std::vector<std::string> table_names() override {
    auto& c = connection();
    std::vector<std::string> out;
    for (const auto& row : c.query("SELECT TABLE_NAME FROM " + m_catalog
                                   + ".TABLES WHERE TABLE_SCHEMA = " + c.literal(c.database())
                                   + " AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME")) {
      out.push_back(row.at(0).value_or(""));
    }
    return out;
  }

  SourceTable describe(const std::string& table) override {
    auto& c = connection();
    const std::string where = " WHERE TABLE_SCHEMA = " + c.literal(c.database())
                              + " AND TABLE_NAME = " + c.literal(table);
    const auto rows = c.query(
        "SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, CHARACTER_MAXIMUM_LENGTH, "
        "NUMERIC_PRECISION, NUMERIC_SCALE, DATETIME_PRECISION, CHARACTER_SET_NAME, "
        "COLUMN_DEFAULT, EXTRA, COLLATION_NAME "
        "FROM "
        + m_catalog + ".COLUMNS" + where + " ORDER BY ORDINAL_POSITION");
    if (rows.empty()) {
      fail_table_unreadable(c, m_account, table);
    }
    SourceTable out;
    out.name = table;
    for (const auto& row : rows) {
      SourceColumn column;
      column.name = row[0].value_or("");
      column.data_type = row[1].value_or("");
      column.column_type = row[2].value_or("");
      column.nullable = row[3].value_or("") == "YES";
      column.is_unsigned = column.column_type.find("unsigned") != std::string::npos;
      if (row[4]) {
        column.char_length = std::stoll(*row[4]);
      }
      column.numeric_precision = row[5] ? std::stoi(*row[5]) : 0;
      column.numeric_scale = row[6] ? std::stoi(*row[6]) : 0;
      column.datetime_precision = row[7] ? std::stoi(*row[7]) : 0;
      column.charset = row[8].value_or("");
      column.default_value = row[9];
      column.extra = row[10].value_or("");
      column.collation = row[11].value_or("");
      // MySQL's own JSON type; MariaDB's is a LONGTEXT with a CHECK (mark_json_columns).
      column.is_json = column.data_type == "json";
      out.columns.push_back(std::move(column));
    }
    describe_keys(where, out);
    if (c.version().is_mariadb() && m_catalog == "information_schema") {
      mark_json_columns(table, out);
    }
    return out;
  }

  ServerClock server_clock(std::chrono::seconds lag, const std::string& zone) override {
    auto& c = connection();
    ServerClock clock;
    try {
      const auto age = oldest_transaction_age(clock);
      set_clock_zone(c, zone);
      const auto row = c.query("SELECT DATE_FORMAT(NOW(6) - INTERVAL " + std::to_string(lag.count())
                               + " SECOND, '%Y-%m-%d %H:%i:%s.%f'), DATE_FORMAT(NOW(6) - INTERVAL "
                               + age.value_or("0") + " MICROSECOND, '%Y-%m-%d %H:%i:%s.%f')")
                           .at(0);
      clock.now = row.at(0).value_or("");
      if (age) {
        clock.oldest_transaction = row.at(1);
        clock.oldest_transaction_age = std::chrono::microseconds(std::stoll(*age));
      }
    } catch (...) {
      c.set_time_zone(k_utc_zone);
      throw;
    }
    c.set_time_zone(k_utc_zone); // what every other statement expects
    return clock;
  }

  std::optional<std::string> newest_timestamp(const std::string& table,
                                              const std::string& column,
                                              const std::string& until) override {
    auto& c = connection();
    const auto rows =
        c.query("SELECT CAST(MAX(" + quote_name(column) + ") AS CHAR) FROM " + quote_name(table)
                + " WHERE " + quote_name(column) + " <= " + c.literal(until));
    return rows.at(0).at(0);
  }

  std::unique_ptr<RowReader> read(const ReadRequest& request) override {
    auto connection = m_idle->take();
    if (!connection) {
      connection = std::make_unique<Connection>(m_endpoint, &m_probes);
    }
    // Values through the connection's own escaping (its charset and sql_mode), never sql_literal.
    const auto escape = [&c = *connection](const std::string& value) {
      return c.literal(value);
    };
    auto sql = build_read_sql(request, connection->dialect(), escape);
    spdlog::trace("table={} sql={}", request.table, quote_field(sql));
    return open_row_reader(std::move(connection), std::move(sql), m_idle);
  }

  std::uint64_t count_rows(const ReadRequest& request) override {
    auto& c = connection();
    const auto escape = [&c](const std::string& value) {
      return c.literal(value);
    };
    const auto rows = c.query(count_rows_sql(request, escape));
    return std::stoull(rows.at(0).at(0).value_or("0"));
  }

  // InnoDB's TABLE_ROWS is a sampled estimate (it may be off by tens of percent): enough for a
  // progress percentage, never for a decision.
  std::optional<std::uint64_t> estimated_rows(const std::string& table) override {
    auto& c = connection();
    fresh_statistics(c);
    const auto rows =
        c.query("SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
                + c.literal(c.database()) + " AND TABLE_NAME = " + c.literal(table));
    if (rows.empty() || !rows.at(0).at(0)) {
      return std::nullopt;
    }
    return std::stoull(*rows.at(0).at(0));
  }

  KeyRange key_range(const std::string& table,
                     const std::string& key_column,
                     const std::string& where) override {
    const auto rows = connection().query(key_range_sql(table, key_column, where));
    return KeyRange{std::stoull(rows.at(0).at(0).value_or("0")),
                    rows.at(0).at(1).value_or(""),
                    rows.at(0).at(2).value_or("")};
  }

  std::vector<ChunkDigest> chunk_digests(const std::string& table,
                                         const ComparePlan& plan) override {
    const auto query = chunk_digests_sql(table, plan, comparison_dialect());
    spdlog::trace("table={} sql={}", table, quote_field(query.sql));
    std::vector<ChunkDigest> out;
    for (const auto& r : connection().query(query.sql)) {
      ChunkDigest digest;
      digest.id = r.at(0).value_or("");
      digest.rows = std::stoull(r.at(1).value_or("0"));
      digest.hash = std::stoull(r.at(2).value_or("0"));
      for (std::size_t i = 0; i < query.float_sums; ++i) {
        digest.float_sums.push_back(std::stod(r.at(3 + i).value_or("0")));
      }
      if (query.hash_sum) {
        digest.hash_sum = r.at(3 + query.float_sums).value_or("0");
      }
      out.push_back(std::move(digest));
    }
    return out;
  }

  std::vector<RowDigest> row_digests(const std::string& table, const ChunkFilter& chunk) override {
    const auto sql = row_digests_sql(table, chunk, comparison_dialect());
    spdlog::trace("table={} sql={}", table, quote_field(sql));
    std::vector<RowDigest> out;
    for (const auto& r : connection().query(sql)) {
      RowDigest digest;
      digest.hash = std::stoull(r.at(0).value_or("0"));
      for (std::size_t i = 1; i < r.size(); ++i) {
        digest.key.push_back(r.at(i));
      }
      out.push_back(std::move(digest));
    }
    return out;
  }

  std::vector<DigestSample>
  digest_samples(const std::string& table, const ChunkFilter& chunk, std::size_t limit) override {
    const auto& plan = *chunk.plan;
    const auto sql = digest_samples_sql(table, chunk, limit, comparison_dialect());
    spdlog::trace("table={} sql={}", table, quote_field(sql));
    const auto n = plan.columns.size();
    std::vector<DigestSample> out;
    for (auto& r : connection().query(sql)) {
      DigestSample sample;
      sample.values.assign(r.begin(), r.begin() + static_cast<std::ptrdiff_t>(n));
      for (std::size_t i = n; i < 2 * n; ++i) {
        // NULL only past max_allowed_packet, where MySQL's string functions give up.
        sample.parts.push_back(r.at(i).value_or("NULL"));
      }
      sample.digest = std::stoull(r.at(2 * n).value_or("0"));
      out.push_back(std::move(sample));
    }
    return out;
  }

private:
  // The comparison's read dialect: the first connection's, as every reconnect reaches the same
  // server.
  convert::ReadDialect comparison_dialect() const { return {m_probes.axis_order_option}; }

  // A row stamped by the server (DEFAULT or ON UPDATE CURRENT_TIMESTAMP) is never older than the
  // transaction that writes it, so nothing can still appear below the oldest open transaction's
  // start. INNODB_TRX needs the PROCESS privilege; without it the lookback alone covers late
  // commits. trx_started is the server's local time (localtime_r of the process, whatever the
  // session's time_zone), so it is read as an age against NOW() in time_zone 'SYSTEM'; the caller
  // turns the age back into a time in its own frame. A transaction that has written nothing and
  // runs no statement is left out (an idle pooled session): its next statement takes a new NOW().
  // Returns microseconds, nullopt when no such transaction is open or they cannot be seen.
  // A refusal of INNODB_TRX (no PROCESS privilege) is remembered and warned about once; any other
  // failure is one.
  std::optional<std::string> transactions_hidden(Connection& c, const std::string& sql) {
    const unsigned code = mysql_errno(c.get());
    if (code != ER_SPECIFIC_ACCESS_DENIED_ERROR && code != ER_ACCESS_DENIED_ERROR
        && code != ER_TABLEACCESS_DENIED_ERROR) {
      fail(c.get(), "cannot read open transactions", sql);
    }
    m_transactions_visible = false;
    spdlog::warn("mysql: {} cannot see open transactions (information_schema.INNODB_TRX needs "
                 "the PROCESS privilege): late commits are covered by each table's lookback only",
                 m_endpoint.username);
    return std::nullopt;
  }

  std::optional<std::string> oldest_transaction_age(ServerClock& clock) {
    if (!m_transactions_visible) {
      return std::nullopt;
    }
    auto& c = connection();
    c.set_time_zone("'SYSTEM'");
    const std::string sql =
        "SELECT CAST(TIMESTAMPDIFF(MICROSECOND, trx_started, NOW(6)) AS CHAR), "
        "CAST(trx_mysql_thread_id AS CHAR) FROM "
        + m_catalog
        + ".INNODB_TRX WHERE trx_mysql_thread_id <> CONNECTION_ID() AND (trx_rows_modified > 0 "
          "OR trx_query IS NOT NULL) ORDER BY trx_started LIMIT 1";
    if (mysql_real_query(c.get(), sql.data(), sql.size()) != 0) {
      return transactions_hidden(c, sql);
    }
    ResultHandle result(mysql_store_result(c.get()));
    if (!result) {
      // MySQL refuses a reader without PROCESS when the rows are fetched, MariaDB at the query.
      return transactions_hidden(c, sql);
    }
    MYSQL_ROW row = mysql_fetch_row(result.get());
    if (row == nullptr || row[0] == nullptr) {
      return std::nullopt;
    }
    clock.oldest_transaction_thread = row[1] != nullptr ? row[1] : "";
    // A clock that went back (or DST) must not move the bound past now.
    return std::string(row[0]).rfind('-', 0) == 0 ? std::string("0") : std::string(row[0]);
  }

  // MySQL 8.0+ caches the statistics columns of information_schema.TABLES (TABLE_ROWS,
  // AUTO_INCREMENT) for information_schema_stats_expiry seconds (a day by default): a table loaded
  // since would show 0 rows and an old counter. A session variable, needing no privilege; 5.7 and
  // MariaDB have none.
  void fresh_statistics(Connection& c) {
    if (!m_version.is_mariadb() && m_version.at_least(8, 0)) {
      c.set_once("SET SESSION information_schema_stats_expiry = 0");
    }
  }

  std::optional<AutoIncrement> auto_increment(const std::string& table) override {
    auto& c = connection();
    fresh_statistics(c);
    const auto rows =
        c.query("SELECT c.COLUMN_NAME, t.AUTO_INCREMENT FROM information_schema.COLUMNS c "
                "JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA "
                "AND t.TABLE_NAME = c.TABLE_NAME WHERE c.TABLE_SCHEMA = "
                + c.literal(c.database()) + " AND c.TABLE_NAME = " + c.literal(table)
                + " AND c.EXTRA LIKE '%auto_increment%'");
    if (rows.empty()) {
      return std::nullopt;
    }
    const auto& next = rows.at(0).at(1);
    return AutoIncrement{rows.at(0).at(0).value_or(""),
                         next ? std::optional<std::uint64_t>(std::stoull(*next)) : std::nullopt};
  }

  // Keys to tables of other databases are left out: no mapping can name them. MariaDB shows an
  // account holding only SELECT no row of REFERENTIAL_CONSTRAINTS (KEY_COLUMN_USAGE it does show):
  // then the rules come from SHOW CREATE TABLE, which SELECT allows.
  std::vector<SourceForeignKey> foreign_keys(const std::string& table) override {
    auto& c = connection();
    const auto rows = c.query(
        "SELECT k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_NAME, "
        "k.REFERENCED_COLUMN_NAME, r.DELETE_RULE, r.UPDATE_RULE "
        "FROM information_schema.KEY_COLUMN_USAGE k "
        "LEFT JOIN information_schema.REFERENTIAL_CONSTRAINTS r "
        "ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME "
        "AND r.TABLE_NAME = k.TABLE_NAME WHERE k.TABLE_SCHEMA = "
        + c.literal(c.database()) + " AND k.TABLE_NAME = " + c.literal(table)
        + " AND k.REFERENCED_TABLE_SCHEMA = " + c.literal(c.database())
        + " ORDER BY k.CONSTRAINT_NAME, k.ORDINAL_POSITION");
    std::vector<SourceForeignKey> out;
    std::string create_table;
    for (const auto& row : rows) {
      const auto name = row.at(0).value_or("");
      if (out.empty() || out.back().name != name) {
        SourceForeignKey key{name, {}, row.at(2).value_or(""), {}, "RESTRICT", "RESTRICT"};
        if (row.at(4) && row.at(5)) {
          key.on_delete = *row.at(4);
          key.on_update = *row.at(5);
        } else {
          if (create_table.empty()) {
            create_table =
                c.query("SHOW CREATE TABLE " + quote_name(table)).at(0).at(1).value_or("");
          }
          const auto rules = foreign_key_rules(create_table, name);
          key.on_delete = rules.on_delete;
          key.on_update = rules.on_update;
        }
        out.push_back(std::move(key));
      }
      out.back().columns.push_back(row.at(1).value_or(""));
      out.back().referenced_columns.push_back(row.at(3).value_or(""));
    }
    return out;
  }

  std::vector<SourceCheck> check_constraints(const std::string& table) override {
    auto& c = connection();
    const auto& version = c.version();
    std::string sql;
    if (version.is_mariadb()) {
      // MariaDB's CHECK_CONSTRAINTS has the table's name (MySQL's has not).
      sql = "SELECT CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS "
            "WHERE CONSTRAINT_SCHEMA = "
            + c.literal(c.database()) + " AND TABLE_NAME = " + c.literal(table);
    } else if (version.at_least(8, 0, 16)) {
      // CHECK names are unique per schema; TABLE_CONSTRAINTS.ENFORCED came with 8.0.16.
      sql = "SELECT cc.CONSTRAINT_NAME, cc.CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS "
            "cc JOIN information_schema.TABLE_CONSTRAINTS tc ON tc.CONSTRAINT_SCHEMA = "
            "cc.CONSTRAINT_SCHEMA AND tc.CONSTRAINT_NAME = cc.CONSTRAINT_NAME WHERE "
            "tc.CONSTRAINT_TYPE = 'CHECK' AND tc.ENFORCED = 'YES' AND tc.TABLE_SCHEMA = "
            + c.literal(c.database()) + " AND tc.TABLE_NAME = " + c.literal(table);
    } else {
      return {};
    }
    std::vector<SourceCheck> out;
    for (const auto& row : c.query(sql + " ORDER BY 1")) {
      out.push_back({row.at(0).value_or(""), row.at(1).value_or("")});
    }
    return out;
  }

  std::vector<std::string> other_objects() override {
    auto& c = connection();
    const auto db = c.literal(c.database());
    std::vector<std::string> out;
    for (const auto& row :
         c.query("SELECT CONCAT('view ', TABLE_NAME) FROM information_schema.VIEWS WHERE "
                 "TABLE_SCHEMA = "
                 + db
                 + " UNION ALL SELECT CONCAT('trigger ', TRIGGER_NAME, ' on ', EVENT_OBJECT_TABLE) "
                   "FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = "
                 + db
                 + " UNION ALL SELECT CONCAT(LOWER(ROUTINE_TYPE), ' ', ROUTINE_NAME) FROM "
                   "information_schema.ROUTINES WHERE ROUTINE_SCHEMA = "
                 + db
                 + " UNION ALL SELECT CONCAT('event ', EVENT_NAME) FROM information_schema.EVENTS "
                   "WHERE EVENT_SCHEMA = "
                 + db + " ORDER BY 1")) {
      out.push_back(row.at(0).value_or(""));
    }
    return out;
  }

  // The primary key, and the B-tree secondary indexes, in one query (one round trip): FULLTEXT,
  // SPATIAL, prefix and MySQL 8's functional indexes (a NULL COLUMN_NAME) have no PostgreSQL twin.
  void describe_keys(const std::string& where, SourceTable& out) {
    const auto rows = connection().query(
        "SELECT INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART, INDEX_TYPE FROM " + m_catalog
        + ".STATISTICS" + where + " ORDER BY INDEX_NAME, SEQ_IN_INDEX");
    std::set<std::string> unusable;
    for (const auto& row : rows) {
      const auto name = row[0].value_or("");
      if (name == "PRIMARY") {
        out.primary_key.push_back(row[2].value_or(""));
        continue;
      }
      if (row[3] || !row[2] || row[4].value_or("") != "BTREE") {
        unusable.insert(name);
      }
      if (out.indexes.empty() || out.indexes.back().name != name) {
        out.indexes.push_back(SourceIndex{name, row[1].value_or("1") == "0", {}});
      }
      out.indexes.back().columns.push_back(row[2].value_or(""));
    }
    std::erase_if(out.indexes,
                  [&](const SourceIndex& index) { return unusable.count(index.name) != 0; });
  }

  // The session's time_zone for server_clock(): a zone the mapping names is the user's words, so
  // MySQL's refusal (an unknown zone: named zones need the time zone tables) is a config error.
  static void set_clock_zone(Connection& c, const std::string& zone) {
    if (zone.empty() || zone == k_server_zone) {
      c.set_time_zone(zone.empty() ? k_utc_zone : zone);
      return;
    }
    try {
      c.set_time_zone(c.literal(zone));
    } catch (const Error& e) {
      throw Error(ErrorArea::config,
                  "timestamp_time_zone '" + zone + "': MySQL refuses it (" + e.message()
                      + "); an offset such as +03:00 always works, a name such as Europe/Istanbul "
                        "needs MySQL's time zone tables (mysql_tzinfo_to_sql)",
                  e.context());
    }
  }

  // MariaDB keeps JSON as LONGTEXT with a json_valid() check; MySQL reports DATA_TYPE 'json'. Only
  // MariaDB's CHECK_CONSTRAINTS has TABLE_NAME (MySQL 8.0 has none, 5.7 has no such table).
  void mark_json_columns(const std::string& table, SourceTable& out) {
    auto& c = connection();
    const auto rows = c.query("SELECT CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS "
                              "WHERE CONSTRAINT_SCHEMA = "
                              + c.literal(c.database()) + " AND TABLE_NAME = " + c.literal(table));
    for (auto& column : out.columns) {
      const std::string clause = "json_valid(" + quote_name(column.name) + ")";
      for (const auto& row : rows) {
        if (row[0] && *row[0] == clause) {
          column.is_json = true;
        }
      }
    }
  }

  config::Endpoint m_endpoint;
  std::unique_ptr<Connection> m_connection;
  std::shared_ptr<IdleConnection> m_idle = std::make_shared<IdleConnection>(); // for read()
  std::string m_catalog;   // information_schema, or the test hook's stand-in
  std::string m_account;   // CURRENT_USER(), for messages about privileges
  ServerVersion m_version; // of the first connection: a reconnect reaches the same server
  ServerProbes m_probes;   // likewise
  bool m_transactions_visible = true; // false once INNODB_TRX refused this account
};

} // namespace

std::unique_ptr<Source> make_mysql_source(const config::Endpoint& endpoint) {
  return std::make_unique<MysqlSource>(endpoint);
}

} // namespace migrate::source
