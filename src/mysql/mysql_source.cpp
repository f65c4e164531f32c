#include "migrate/mysql/mysql_source.hpp"

#include "mysql/create_table_text.hpp"
#include "mysql/error_class.hpp"
#include "mysql/tls_peer.hpp"

#include "migrate/config/compression.hpp"
#include "migrate/config/tls.hpp"
#include "migrate/convert/type_map.hpp"
#include "migrate/core/error.hpp"
#include "migrate/core/log_text.hpp"

#include <mysql.h>
#include <spdlog/spdlog.h>

#include <errmsg.h>
#include <mysqld_error.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <set>

namespace migrate::source {
namespace {

struct MysqlCloser {
  void operator()(MYSQL* handle) const { mysql_close(handle); }
};
struct ResultFreer {
  void operator()(MYSQL_RES* result) const { mysql_free_result(result); }
};
using MysqlHandle = std::unique_ptr<MYSQL, MysqlCloser>;
using ResultHandle = std::unique_ptr<MYSQL_RES, ResultFreer>;

[[noreturn]] void fail(MYSQL* handle, const std::string& what, const std::string& sql = {}) {
  const unsigned code = mysql_errno(handle);
  throw Error(ErrorArea::source,
              what + ": " + mysql_error(handle),
              ErrorContext{.sql = sql,
                           .sqlstate = "mysql-" + std::to_string(code),
                           .transient = is_transient_mysql_error(code)});
}

std::string quote_name(const std::string& name) {
  std::string out = "`";
  for (const char c : name) {
    out += c;
    if (c == '`') {
      out += '`';
    }
  }
  return out + "`";
}

bool is_numeric_type(const std::string& type) {
  static const char* const k_types[] = {
      "tinyint", "smallint", "mediumint", "int", "bigint", "decimal", "float", "double", "year"};
  for (const char* name : k_types) {
    if (type == name) {
      return true;
    }
  }
  return false;
}

bool looks_numeric(const std::string& value) {
  if (value.empty()) {
    return false;
  }
  for (const char c : value) {
    if ((c < '0' || c > '9') && c != '-' && c != '.' && c != 'e' && c != 'E' && c != '+') {
      return false;
    }
  }
  return true;
}

// TCP keepalives, so that a peer that vanished without closing (a failover, a dropped VPN) is
// noticed in about a minute instead of the kernel's two hours. Best effort: a failure only logs.
void keep_alive(my_socket fd) {
  const int on = 1;
  const int idle = 30;
  const int interval = 10;
  const int count = 3;
  if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on) != 0
      || setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle) != 0
      || setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval) != 0
      || setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count) != 0) {
    spdlog::debug("mysql: TCP keepalive not set on the connection");
  }
}

// Every TLS option is set either way (config::connector_tls): what Connector/C does when one is
// left unset changed in 3.4, which verifies certificates by default. With a CA file it checks the
// server's chain; with MYSQL_OPT_SSL_VERIFY_SERVER_CERT the host name as well.
void apply_tls(MYSQL* h, const config::Endpoint& endpoint) {
  const auto& tls = endpoint.tls;
  const auto options = config::connector_tls(config::plan_tls(tls), mysql_get_client_version());
  const my_bool enforce = options.enforce ? 1 : 0;
  const my_bool verify = options.verify_server_cert ? 1 : 0;
  mysql_options(h, MYSQL_OPT_SSL_ENFORCE, &enforce);
  mysql_options(h, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify);
  if (!options.enforce) {
    return;
  }
  if (options.pass_ca) {
    mysql_options(h, MYSQL_OPT_SSL_CA, tls.ca.c_str());
  }
  static std::atomic<bool> told{false};
  if (options.host_checked_too && !told.exchange(true)) {
    spdlog::warn("ssl_mode verify-ca: this MariaDB Connector/C checks a CA only together with the "
                 "host name, so the server's certificate must also name '{}'",
                 endpoint.host);
  }
  if (!tls.cert.empty()) {
    mysql_options(h, MYSQL_OPT_SSL_CERT, tls.cert.c_str());
    mysql_options(h, MYSQL_OPT_SSL_KEY, tls.key.c_str());
  }
}

// Connector/C offers zlib (MYSQL_OPT_COMPRESS). Its zstd needs MySQL 8.0.18's
// CLIENT_ZSTD_COMPRESSION_ALGORITHM, which MariaDB servers never offer: the capabilities agreed at
// the handshake say which one the connection uses.
bool apply_compression(MYSQL* h, const config::Endpoint& endpoint) {
  const bool requested = config::use_compression(endpoint.compress, endpoint.host);
  if (requested) {
    mysql_options(h, MYSQL_OPT_COMPRESS, nullptr);
  }
  return requested;
}

std::string negotiated_compression(MYSQL* h, bool requested) {
  unsigned long capabilities = 0;
  mariadb_get_infov(h, MARIADB_CONNECTION_CLIENT_CAPABILITIES, &capabilities);
  return config::describe_compression(requested,
                                      (capabilities & CLIENT_COMPRESS) != 0,
                                      (capabilities & CLIENT_ZSTD_COMPRESSION) != 0);
}

[[noreturn]] void fail_connect(MYSQL* h, const config::Endpoint& endpoint) {
  const std::string what = "cannot connect to MySQL at " + endpoint.describe();
  const unsigned code = mysql_errno(h);
  const std::string message = mysql_error(h);
  std::string hint;
  if (code == CR_SSL_CONNECTION_ERROR) {
    hint = config::tls_failure_hint(endpoint.tls, endpoint.host, message);
  } else if (code == CR_AUTH_PLUGIN_ERR) {
    hint = config::rsa_key_hint(endpoint.tls);
  }
  if (hint.empty()) {
    fail(h, what);
  }
  throw Error(ErrorArea::source,
              what + ": " + message + hint,
              ErrorContext{.sqlstate = "mysql-" + std::to_string(code)});
}

// The connection's encryption. Connector/C 3.3 connects in plain text, without an error, to a
// server that does not offer TLS even under MYSQL_OPT_SSL_ENFORCE: the modes that insist on TLS
// check it here.
std::string check_encryption(MYSQL* h, const config::Endpoint& endpoint) {
  const char* cipher = mysql_get_ssl_cipher(h);
  const char* version = nullptr;
  if (cipher != nullptr) {
    mariadb_get_infov(h, MARIADB_CONNECTION_TLS_VERSION, &version);
  }
  if (cipher == nullptr && config::plan_tls(endpoint.tls).must_encrypt) {
    throw Error(ErrorArea::source,
                "MySQL at " + endpoint.describe() + " did not encrypt the connection (ssl_mode "
                    + config::to_string(endpoint.tls.mode) + "): the server does not offer TLS");
  }
  static std::atomic<bool> warned{false};
  if (config::warn_unencrypted(endpoint.host, cipher != nullptr) && !warned.exchange(true)) {
    spdlog::warn("the MySQL connection to {} is not encrypted: set ssl_mode: verify-full and "
                 "ssl_ca in database.yaml",
                 endpoint.describe());
  }
  return config::describe_encryption(version == nullptr ? "" : version,
                                     cipher == nullptr ? "" : cipher);
}

// The session time zone of every connection between statements: TIMESTAMP values are read in UTC.
constexpr const char* k_utc_zone = "'+00:00'";

using Rows = std::vector<std::vector<std::optional<std::string>>>;

class Connection {
public:
  // `probes`: the answers of an earlier connection to the same server, or null to probe it.
  Connection(const config::Endpoint& endpoint, const ServerProbes* probes) {
    static std::once_flag init;
    std::call_once(init, [] { mysql_library_init(0, nullptr, nullptr); });
    m_handle.reset(mysql_init(nullptr));
    if (!m_handle) {
      throw Error(ErrorArea::source, "mysql_init failed: out of memory");
    }
    MYSQL* h = m_handle.get();
    const auto connect_timeout = static_cast<unsigned>(endpoint.connect_timeout.count());
    const auto io_timeout = static_cast<unsigned>(endpoint.read_timeout.count());
    const unsigned protocol = MYSQL_PROTOCOL_TCP;
    mysql_options(h, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
    mysql_options(h, MYSQL_OPT_READ_TIMEOUT, &io_timeout);
    mysql_options(h, MYSQL_OPT_WRITE_TIMEOUT, &io_timeout);
    mysql_options(h, MYSQL_OPT_PROTOCOL, &protocol);
    mysql_options(h, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    apply_tls(h, endpoint);
    const bool compress = apply_compression(h, endpoint);
    const auto password = config::connection_password(endpoint, ErrorArea::source);
    if (mysql_real_connect(h,
                           endpoint.host.c_str(),
                           endpoint.username.c_str(),
                           password.c_str(),
                           endpoint.database.c_str(),
                           endpoint.port,
                           nullptr,
                           0)
        == nullptr) {
      fail_connect(h, endpoint);
    }
    m_encryption = check_encryption(h, endpoint);
    m_compression = negotiated_compression(h, compress);
    // Emoji read over a utf8 (3-byte) or latin1 connection turn into '?' without an error.
    const std::string charset = mysql_character_set_name(h);
    if (charset != "utf8mb4") {
      throw Error(ErrorArea::source, "MySQL connection uses " + charset + ", not utf8mb4");
    }
    keep_alive(mysql_get_socket(h));
    m_database = endpoint.database;
    set_up_session(endpoint, probes);
    spdlog::debug("mysql: connected to {} server={} compression={}",
                  endpoint.describe(),
                  m_version.describe(),
                  quote_field(m_compression));
  }

  // The session's settings, and the server's version and probes, which some of them depend on.
  void set_up_session(const config::Endpoint& endpoint, const ServerProbes* probes) {
    // A consumer slower than the stream must not make the server drop the connection; a metadata
    // lock held by someone else (an ALTER TABLE) is waited for only lock_timeout.
    // NO_ZERO_DATE and NO_ZERO_IN_DATE govern writes, which the tool never makes; MySQL 8.0+
    // also refuses a literal such as a cursor standing on '0000-00-00' in a comparison under
    // them (error 1525): they are left out of the session's sql_mode.
    execute("SET SESSION time_zone = '+00:00', SESSION net_write_timeout = 3600, "
            "SESSION net_read_timeout = 3600, SESSION sql_mode = "
            "REPLACE(REPLACE(@@SESSION.sql_mode, 'NO_ZERO_IN_DATE', ''), 'NO_ZERO_DATE', ''), "
            "SESSION lock_wait_timeout = "
            + std::to_string(std::max<long long>(1, endpoint.lock_timeout.count())));
    m_zone = k_utc_zone;
    const auto version = query("SELECT VERSION(), @@version_comment").at(0);
    m_version = parse_server_version(version.at(0).value_or(""), version.at(1).value_or(""));
    m_probes = probes != nullptr ? *probes : probe_server();
    // A global limit on a statement's time (MySQL 5.7.8+ max_execution_time, MariaDB's
    // max_statement_time) would abort a streamed read of a large table: lifted for this session.
    if (!m_probes.statement_limit.empty()) {
      execute("SET SESSION " + m_probes.statement_limit + " = 0");
    }
    // MySQL 8.0.30+ may give a keyless table a generated invisible primary key (my_row_id), which
    // information_schema shows only when asked: the table is then keyed by it, not replaced whole.
    if (m_probes.gipk_visibility) {
      execute("SET SESSION show_gipk_in_create_table_and_information_schema = ON");
    }
  }

  // Read-only questions whose answers decide what the tool sends (ServerProbes).
  ServerProbes probe_server() {
    ServerProbes probes;
    std::vector<std::pair<std::string, std::string>> variables;
    for (const auto& row :
         query("SHOW VARIABLES WHERE Variable_name IN ('max_execution_time', "
               "'max_statement_time', 'show_gipk_in_create_table_and_information_schema')")) {
      variables.emplace_back(row.at(0).value_or(""), row.at(1).value_or(""));
    }
    read_probe_variables(variables, m_version, probes);
    probes.time_to_sec_text =
        query("SELECT CAST(TIME_TO_SEC(TIME'00:00:01.5') AS CHAR)").at(0).at(0).value_or("");
    // MariaDB and MySQL 5.7 refuse ST_AsText's second argument (error 1582).
    const auto axis = try_query("SELECT ST_AsText(ST_GeomFromText('POINT(1 2)', 4326)), "
                                "ST_AsText(ST_GeomFromText('POINT(1 2)', 4326), "
                                "'axis-order=long-lat')");
    if (axis && !axis->empty()) {
      probes.axis_order_option = true;
      probes.default_axis_text = axis->at(0).at(0).value_or("");
    }
    return probes;
  }

  MYSQL* get() const { return m_handle.get(); }
  const std::string& database() const { return m_database; }
  const std::string& encryption() const { return m_encryption; }
  const std::string& compression() const { return m_compression; }
  const ServerVersion& version() const { return m_version; }
  const ServerProbes& probes() const { return m_probes; }
  convert::ReadDialect dialect() const { return {m_probes.axis_order_option}; }

  void execute(const std::string& sql) {
    if (mysql_real_query(get(), sql.data(), sql.size()) != 0) {
      m_lost = is_connection_lost(mysql_errno(get()));
      fail(get(), "MySQL statement failed", sql);
    }
  }

  // True once a statement failed because the connection is gone: a new one must replace it.
  bool lost() const { return m_lost; }

  // Runs `sql`, a session setting, unless this connection already ran it: a round trip saved on
  // every later call.
  void set_once(const std::string& sql) {
    if (m_settings.count(sql) == 0) {
      execute(sql);
      m_settings.insert(sql);
    }
  }

  // Sets the session's time_zone to `zone` (SQL: '+00:00', 'SYSTEM', @@GLOBAL.time_zone) unless
  // it is set already: every statement is a round trip, which a WAN link makes dear.
  void set_time_zone(const std::string& zone) {
    if (m_zone == zone) {
      return;
    }
    m_zone.clear(); // unknown until the statement succeeds
    execute("SET SESSION time_zone = " + zone);
    m_zone = zone;
  }

  // Runs a query and buffers its (small) result.
  Rows query(const std::string& sql) {
    execute(sql);
    return stored_result(sql);
  }

  // A query the server may refuse (a probe): nullopt when it does, unless the connection is lost.
  std::optional<Rows> try_query(const std::string& sql) {
    if (mysql_real_query(get(), sql.data(), sql.size()) != 0) {
      if (is_connection_lost(mysql_errno(get()))) {
        m_lost = true;
        fail(get(), "MySQL statement failed", sql);
      }
      return std::nullopt;
    }
    return stored_result(sql);
  }

  Rows stored_result(const std::string& sql) {
    ResultHandle result(mysql_store_result(get()));
    if (!result) {
      fail(get(), "MySQL query returned no result", sql);
    }
    Rows rows;
    const unsigned fields = mysql_num_fields(result.get());
    while (MYSQL_ROW row = mysql_fetch_row(result.get())) {
      const unsigned long* lengths = mysql_fetch_lengths(result.get());
      auto& out = rows.emplace_back();
      for (unsigned i = 0; i < fields; ++i) {
        if (row[i] == nullptr) {
          out.emplace_back(std::nullopt);
        } else {
          out.emplace_back(std::string(row[i], lengths[i]));
        }
      }
    }
    return rows;
  }

  std::string literal(const std::string& value) {
    std::string out(value.size() * 2 + 1, '\0');
    const auto length = mysql_real_escape_string(get(), out.data(), value.data(), value.size());
    out.resize(length);
    return "'" + out + "'";
  }

  // A value to compare with `column`: numbers stay unquoted, since MySQL compares a number with a
  // string as doubles and would lose precision past 2^53.
  std::string literal_for(const SourceColumn& column, const std::string& value) {
    if (is_numeric_type(column.data_type) && looks_numeric(value)) {
      return value;
    }
    return literal(value);
  }

private:
  MysqlHandle m_handle;
  std::string m_database;
  std::string m_zone;               // the session time_zone as last set, empty when unknown
  std::set<std::string> m_settings; // set_once()'s statements run on this connection
  bool m_lost = false;
  std::string m_encryption;
  std::string m_compression; // the algorithm agreed at the handshake, or "off"
  ServerVersion m_version;
  ServerProbes m_probes;
};

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

// A connection whose read ended, kept for the next read: a read then costs no new connection (TCP,
// TLS, authentication and the session's set-up: several round trips, which a WAN link makes the
// larger part of a table with nothing to read). Shared with the readers, which may end on another
// thread or after the source is gone. Kept a minute at most, well inside any wait_timeout.
class IdleConnection {
public:
  void put(std::unique_ptr<Connection> connection) {
    const std::lock_guard lock(m_mutex);
    m_connection = std::move(connection);
    m_since = std::chrono::steady_clock::now();
  }

  // The kept connection, or nullptr when there is none young enough.
  std::unique_ptr<Connection> take() {
    const std::lock_guard lock(m_mutex);
    if (m_connection && std::chrono::steady_clock::now() - m_since > std::chrono::minutes(1)) {
      m_connection.reset();
    }
    return std::move(m_connection);
  }

private:
  std::mutex m_mutex;
  std::unique_ptr<Connection> m_connection;
  std::chrono::steady_clock::time_point m_since;
};

class MysqlRowReader final : public RowReader {
public:
  MysqlRowReader(std::unique_ptr<Connection> connection,
                 std::string sql,
                 std::shared_ptr<IdleConnection> idle)
      : m_connection(std::move(connection))
      , m_sql(std::move(sql))
      , m_idle(std::move(idle)) {
    m_connection->execute(m_sql);
    m_result.reset(mysql_use_result(m_connection->get()));
    if (!m_result) {
      fail(m_connection->get(), "MySQL read returned no result", m_sql);
    }
    m_fields = mysql_num_fields(m_result.get());
  }

  bool next(RowView& row) override {
    MYSQL_ROW values = mysql_fetch_row(m_result.get());
    if (values == nullptr) {
      // With mysql_use_result a NULL row is either the end or a broken stream.
      if (mysql_errno(m_connection->get()) != 0) {
        fail(m_connection->get(), "MySQL stream broke", m_sql);
      }
      m_ended = true;
      return false;
    }
    row.values = values;
    row.lengths = mysql_fetch_lengths(m_result.get());
    row.size = m_fields;
    return true;
  }

  // A read that went to its end leaves a connection ready for the next; one stopped half-way
  // would have to drain the rest of its rows first, so it is closed instead.
  ~MysqlRowReader() override {
    m_result.reset();
    if (m_ended && m_idle) {
      try {
        m_idle->put(std::move(m_connection));
      } catch (...) {
        // Keeping it is an optimisation: closing it instead is always correct.
      }
    }
  }

  MysqlRowReader(const MysqlRowReader&) = delete;
  MysqlRowReader& operator=(const MysqlRowReader&) = delete;

private:
  std::unique_ptr<Connection> m_connection;
  std::string m_sql;
  std::shared_ptr<IdleConnection> m_idle;
  ResultHandle m_result;
  std::size_t m_fields = 0;
  bool m_ended = false; // every row was read
};

// ORDER BY sorts an ENUM by its index but compares it with a string as text, so a cursor on an ENUM
// compares indexes: the order the rows were read in.
std::string cursor_operand(const SourceColumn& column) {
  return column.data_type == "enum" ? "(" + quote_name(column.name) + " + 0)"
                                    : quote_name(column.name);
}

std::string
cursor_value(Connection& connection, const SourceColumn& column, const std::string& value) {
  if (column.data_type == "enum") {
    const auto labels = convert::parse_enum_values(column.column_type);
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (labels[i] == value) {
        return std::to_string(i + 1);
      }
    }
    return "0"; // '', MySQL's error value, has index 0
  }
  return connection.literal_for(column, value);
}

// "a > x OR (a = x AND b > y)": rows after the tuple (a, b) = (x, y) in lexicographic order.
std::string after_tuple(Connection& connection,
                        const std::vector<SourceColumn>& columns,
                        const std::vector<std::string>& values) {
  std::string out = "(";
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) {
      out += " OR ";
    }
    out += "(";
    for (std::size_t j = 0; j < i; ++j) {
      out += cursor_operand(columns[j]) + " = " + cursor_value(connection, columns[j], values[j])
             + " AND ";
    }
    out += cursor_operand(columns[i]) + " > " + cursor_value(connection, columns[i], values[i]);
    out += ")";
  }
  return out + ")";
}

std::string order_list(const std::vector<SourceColumn>& columns) {
  std::string out;
  for (const auto& column : columns) {
    out += (out.empty() ? "" : ", ") + quote_name(column.name);
  }
  return out;
}

// ---- comparison SQL: must print exactly what postgres_target.cpp prints for the same value ----

// A literal for comparison SQL, where no connection is at hand (default sql_mode escaping).
std::string sql_literal(const std::string& value) {
  std::string out = "'";
  for (const char c : value) {
    if (c == '\\' || c == '\'') {
      out += c;
    }
    out += c;
  }
  return out + "'";
}

// Zero dates become what the load writes: NULL, or the sentinel formatted like a real date.
std::string zero_date_guard(const std::string& c,
                            const std::string& format,
                            const std::optional<std::string>& sentinel) {
  const auto replacement =
      sentinel ? "DATE_FORMAT(CAST(" + sql_literal(*sentinel) + " AS DATETIME(6)), " + format + ")"
               : std::string("NULL");
  return "IF(YEAR(" + c + ") = 0 OR MONTH(" + c + ") = 0 OR DAYOFMONTH(" + c + ") = 0, "
         + replacement + ", DATE_FORMAT(" + c + ", " + format + "))";
}

std::string with_transforms(const HashColumn& column, std::string text) {
  for (const auto& t : column.transforms) {
    switch (t.kind) {
    case HashTransform::Kind::lowercase:
      text = "LOWER(" + text + ")";
      break;
    case HashTransform::Kind::uppercase:
      text = "UPPER(" + text + ")";
      break;
    case HashTransform::Kind::trim:
      text = "TRIM(" + text + ")";
      break;
    case HashTransform::Kind::null_if:
      text = "NULLIF(" + text + ", " + sql_literal(t.value) + ")";
      break;
    case HashTransform::Kind::default_value:
      text = "COALESCE(" + text + ", " + sql_literal(t.value) + ")";
      break;
    }
  }
  return text;
}

// The normalised text of one value, NULL when the value is NULL.
std::string hash_text(const HashColumn& column,
                      const std::optional<std::string>& zero_date,
                      const convert::ReadDialect& dialect) {
  const auto c = quote_name(column.source_name);
  switch (column.kind) {
  case HashKind::integer:
  case HashKind::decimal:
    return with_transforms(column, "CAST(" + c + " AS CHAR)");
  case HashKind::inet:
    return "CAST(" + c + " AS CHAR)";
  case HashKind::boolean:
    return "CAST(" + c + " + 0 AS CHAR)";
  case HashKind::bits:
    return "LPAD(BIN(" + c + " + 0), " + std::to_string(column.width) + ", '0')";
  case HashKind::text:
    return with_transforms(column, "CONVERT(" + c + " USING utf8mb4)");
  case HashKind::geometry: {
    SourceColumn read;
    read.data_type = "geometry";
    return convert::select_expression(read, c, dialect);
  }
  case HashKind::set:
    return "CAST(" + c + " AS CHAR)";
  case HashKind::bytes:
    return c; // hashed as the bytes themselves (hash_part)
  case HashKind::date:
    return zero_date_guard(c, "'%Y-%m-%d'", zero_date);
  case HashKind::datetime:
    return zero_date_guard(c, "'%Y-%m-%d %H:%i:%s.%f'", zero_date);
  case HashKind::time:
    // TIME_TO_SEC() drops the fraction on MySQL (MariaDB keeps it): the seconds are summed from
    // the parts, which both keep; HOUR() of a negative TIME is its magnitude.
    return "CAST(IF(" + c + " < TIME'00:00:00', -1, 1) * (HOUR(" + c + ") * 3600 + MINUTE(" + c
           + ") * 60 + SECOND(" + c + ") + MICROSECOND(" + c + ") * 0.000001) AS DECIMAL(20,6))";
  case HashKind::float_value:
  case HashKind::presence:
    return "IF(" + c + " IS NULL, NULL, 'v')";
  }
  return c;
}

std::string hash_part(const HashColumn& column,
                      const std::optional<std::string>& zero_date,
                      const convert::ReadDialect& dialect) {
  const auto text = hash_text(column, zero_date, dialect);
  if (!hashed_alone(column.kind)) {
    return "COALESCE(" + text + ", 'N')";
  }
  return "COALESCE(SHA2(" + text + ", 256), 'N')";
}

// The first 64 bits of the SHA-256 of the joined parts, as an unsigned integer.
std::string digest_sql(const std::vector<std::string>& parts) {
  return "CAST(CONV(SUBSTRING(SHA2(" + joined_row_sql(parts)
         + ", 256), 1, 16), 16, 10) AS UNSIGNED)";
}

// "<bytes>:<value>" of a value of bounded size, as bytes: bytes have no collation to clash
// with the other parts' in concat_ws().
std::string sized_sql(const std::string& value) {
  const auto bytes = "CAST(" + value + " AS BINARY)";
  return "CONCAT(LENGTH(" + bytes + "), ':', " + bytes + ")";
}

// The row digest the load stored (convert/row_digest.cpp computes it from what the text protocol
// sent), recomputed here from the same values: each read with the expression the load reads it
// with, printed as the protocol prints it (CAST AS CHAR), or hashed (SHA-256 of the utf8mb4 text,
// or of the bytes), or with its length in front. Only values of bounded size go in whole, so no
// row's text can reach max_allowed_packet, over which MySQL's string functions return NULL.
// The expression a read selects the column with.
std::string read_sql(const HashColumn& column, const convert::ReadDialect& dialect) {
  SourceColumn read;
  read.name = column.source_name;
  read.data_type = column.source_data_type;
  return convert::select_expression(read, quote_name(column.source_name), dialect);
}

// One column's part of the row digest's text (convert::RowDigester::part_text in SQL).
std::string source_digest_part(const HashColumn& column, const convert::ReadDialect& dialect) {
  const auto value = read_sql(column, dialect);
  std::string text;
  switch (column.source_text) {
  case SourceText::as_text:
    text = "CAST(" + value + " AS CHAR)";
    break;
  case SourceText::as_sized_text:
    text = sized_sql("CONVERT(" + value + " USING utf8mb4)");
    break;
  case SourceText::as_sized_bytes:
    text = sized_sql(value);
    break;
  case SourceText::as_hashed_text:
    text = "SHA2(CONVERT(" + value + " USING utf8mb4), 256)";
    break;
  case SourceText::as_hashed_bytes:
    text = "SHA2(" + value + ", 256)";
    break;
  }
  return "COALESCE(" + text + ", 'N')";
}

std::string source_digest_sql(const std::vector<HashColumn>& columns,
                              const std::string& fingerprint,
                              const convert::ReadDialect& dialect) {
  std::vector<std::string> parts;
  for (const auto& column : columns) {
    parts.push_back(source_digest_part(column, dialect));
  }
  parts.push_back(sql_literal("m:" + fingerprint));
  return digest_sql(parts);
}

std::string key_text(const ComparePlan& plan) {
  std::string out = "CONCAT(";
  for (std::size_t i = 0; i < plan.key_columns.size(); ++i) {
    // Key columns are never geometry: the dialect does not matter.
    out += (i == 0 ? "" : ", ") + hash_part(plan.key_columns[i], std::nullopt, {});
  }
  return out + ")";
}

std::string chunk_id_sql(const ComparePlan& plan) {
  const auto& n = plan.chunking.width_or_buckets;
  if (plan.chunking.kind == Chunking::Kind::whole) {
    return "0";
  }
  if (plan.chunking.kind == Chunking::Kind::range) {
    return quote_name(plan.key.source_name) + " DIV " + n;
  }
  return "CAST(CONV(SUBSTRING(SHA2(" + key_text(plan) + ", 256), 1, 8), 16, 10) AS UNSIGNED) % "
         + n;
}

std::string chunk_condition_sql(const ChunkFilter& chunk) {
  const auto& plan = *chunk.plan;
  if (plan.chunking.kind == Chunking::Kind::whole) {
    return "1 = 1";
  }
  if (plan.chunking.kind == Chunking::Kind::hash) {
    return chunk_id_sql(plan) + " = " + chunk.id;
  }
  // A range keeps the primary key index in use.
  const auto bounds = range_bounds(chunk.id, plan.chunking.width_or_buckets);
  const auto key = quote_name(plan.key.source_name);
  return "(" + key + (bounds.low_inclusive ? " >= " : " > ") + bounds.low + " AND " + key
         + (bounds.high_inclusive ? " <= " : " < ") + bounds.high + ")";
}

// " WHERE ..." with every condition of the request, or "" when it has none.
std::string where_clause(Connection& connection, const ReadRequest& request) {
  std::vector<std::string> conditions;
  if (request.order == ReadOrder::by_timestamp_then_key) {
    if (!request.timestamp) {
      throw Error(ErrorArea::internal, "timestamp order without a timestamp column");
    }
    auto order = request.key;
    order.insert(order.begin(), *request.timestamp);
    const auto ts = quote_name(request.timestamp->name);
    if (request.after_timestamp && request.after_key.empty()) {
      conditions.push_back(ts + " > " + connection.literal(*request.after_timestamp));
    } else if (request.after_timestamp) {
      std::vector<std::string> values = {*request.after_timestamp};
      values.insert(values.end(), request.after_key.begin(), request.after_key.end());
      conditions.push_back(after_tuple(connection, order, values));
    }
    if (request.until_timestamp) {
      conditions.push_back(ts + " <= " + connection.literal(*request.until_timestamp));
    }
  } else if (!request.after_key.empty()) {
    conditions.push_back(after_tuple(connection, request.key, request.after_key));
  }
  if (request.only_null_or_zero_timestamp) {
    if (!request.timestamp) {
      throw Error(ErrorArea::internal, "NULL timestamps asked without a timestamp column");
    }
    const auto ts = quote_name(request.timestamp->name);
    const auto zero =
        request.timestamp->data_type == "date" ? "'0000-00-00'" : "'0000-00-00 00:00:00'";
    conditions.push_back("(" + ts + " IS NULL OR " + ts + " = " + zero + ")");
  }
  if (request.chunk) {
    conditions.push_back(chunk_condition_sql(*request.chunk));
  }
  if (!request.where.empty()) {
    conditions.push_back("(" + request.where + ")");
  }
  std::string sql;
  for (std::size_t i = 0; i < conditions.size(); ++i) {
    sql += (i == 0 ? " WHERE " : " AND ") + conditions[i];
  }
  return sql;
}

std::string build_read_sql(Connection& connection, const ReadRequest& request) {
  const auto dialect = connection.dialect();
  std::string sql = "SELECT ";
  for (std::size_t i = 0; i < request.columns.size(); ++i) {
    sql += (i == 0 ? "" : ", ")
           + convert::select_expression(
               request.columns[i], quote_name(request.columns[i].name), dialect);
  }
  sql += " FROM " + quote_name(request.table) + where_clause(connection, request);
  auto order = request.key;
  if (request.order == ReadOrder::by_timestamp_then_key) {
    order.insert(order.begin(), *request.timestamp);
  }
  if (!order.empty()) {
    sql += " ORDER BY " + order_list(order); // a table without a key is read in no order
  }
  return sql;
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
    auto sql = build_read_sql(*connection, request);
    spdlog::trace("table={} sql={}", request.table, quote_field(sql));
    return std::make_unique<MysqlRowReader>(std::move(connection), std::move(sql), m_idle);
  }

  std::uint64_t count_rows(const ReadRequest& request) override {
    auto& c = connection();
    const auto rows =
        c.query("SELECT COUNT(*) FROM " + quote_name(request.table) + where_clause(c, request));
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
    const auto c = quote_name(key_column);
    const auto rows = connection().query("SELECT COUNT(*), CAST(MIN(" + c + ") AS CHAR), CAST(MAX("
                                         + c + ") AS CHAR) FROM " + quote_name(table)
                                         + (where.empty() ? "" : " WHERE (" + where + ")"));
    return KeyRange{std::stoull(rows.at(0).at(0).value_or("0")),
                    rows.at(0).at(1).value_or(""),
                    rows.at(0).at(2).value_or("")};
  }

  // One row's 64 bits, as chunk_digests() folds them and row_digests() lists them: they must
  // agree for a differing chunk to be narrowed down to its rows.
  std::string row_hash_sql(const ComparePlan& plan) const {
    const convert::ReadDialect dialect{m_probes.axis_order_option};
    if (!plan.digest_column.empty()) {
      return source_digest_sql(plan.columns, plan.digest_fingerprint, dialect);
    }
    std::vector<std::string> parts;
    for (const auto& column : plan.columns) {
      parts.push_back(hash_part(column, plan.zero_date, dialect));
    }
    return digest_sql(parts);
  }

  // The mapping's `where` and the plan's slice, as the WHERE clause of a chunk digest query.
  static std::string where_sql(const ComparePlan& plan) {
    std::string out = plan.where.empty() ? "" : "(" + plan.where + ")";
    const auto slice = slice_sql(plan, quote_name(plan.key.source_name), chunk_id_sql(plan));
    if (!slice.empty()) {
      out += (out.empty() ? "" : " AND ") + slice;
    }
    return out.empty() ? "" : " WHERE " + out;
  }

  std::vector<ChunkDigest> chunk_digests(const std::string& table,
                                         const ComparePlan& plan) override {
    // One hash per row, used once: MariaDB merges the derived table and would compute it again
    // for every use.
    const bool source_digest = !plan.digest_column.empty();
    std::string floats;
    std::size_t float_count = 0;
    for (const auto& column : plan.columns) {
      if (column.kind == HashKind::float_value && !source_digest) {
        floats += ", COALESCE(SUM(" + quote_name(column.source_name) + "), 0)";
        ++float_count;
      }
    }
    const auto row = row_hash_sql(plan);
    // SUM of an exact integer is an exact DECIMAL: no overflow, however many rows.
    const bool whole = plan.chunking.kind == Chunking::Kind::whole;
    const std::string sql =
        "SELECT CAST(chunk_id AS CHAR), COUNT(*), CAST(BIT_XOR(h) AS CHAR)" + floats
        + (whole ? ", CAST(SUM(h) AS CHAR)" : "") + " FROM (SELECT " + chunk_id_sql(plan)
        + " AS chunk_id, " + row + " AS h" + (source_digest ? "" : float_columns(plan)) + " FROM "
        + quote_name(table) + where_sql(plan) + ") AS rows_hashed GROUP BY chunk_id";
    spdlog::trace("table={} sql={}", table, quote_field(sql));
    std::vector<ChunkDigest> out;
    for (const auto& r : connection().query(sql)) {
      ChunkDigest digest;
      digest.id = r.at(0).value_or("");
      digest.rows = std::stoull(r.at(1).value_or("0"));
      digest.hash = std::stoull(r.at(2).value_or("0"));
      for (std::size_t i = 0; i < float_count; ++i) {
        digest.float_sums.push_back(std::stod(r.at(3 + i).value_or("0")));
      }
      if (whole) {
        digest.hash_sum = r.at(3 + float_count).value_or("0");
      }
      out.push_back(std::move(digest));
    }
    return out;
  }

  std::vector<RowDigest> row_digests(const std::string& table, const ChunkFilter& chunk) override {
    const auto& plan = *chunk.plan;
    std::string sql = "SELECT CAST(" + row_hash_sql(plan) + " AS CHAR)";
    for (const auto& key : plan.key_columns) {
      sql += ", " + hash_text(key, plan.zero_date, {});
    }
    sql += " FROM " + quote_name(table) + " WHERE " + chunk_condition_sql(chunk)
           + (plan.where.empty() ? "" : " AND (" + plan.where + ")");
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
    const convert::ReadDialect dialect{m_probes.axis_order_option};
    std::string sql = "SELECT ";
    for (const auto& column : plan.columns) {
      sql += read_sql(column, dialect) + ", ";
    }
    for (const auto& column : plan.columns) {
      sql += source_digest_part(column, dialect) + ", ";
    }
    sql += "CAST(" + source_digest_sql(plan.columns, plan.digest_fingerprint, dialect)
           + " AS CHAR) FROM " + quote_name(table) + " WHERE " + chunk_condition_sql(chunk)
           + (plan.where.empty() ? "" : " AND (" + plan.where + ")") + " LIMIT "
           + std::to_string(limit);
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

  static std::string float_columns(const ComparePlan& plan) {
    std::string out;
    for (const auto& column : plan.columns) {
      if (column.kind == HashKind::float_value) {
        out += ", " + quote_name(column.source_name);
      }
    }
    return out;
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

// A TLS error on a connection already made is its transport breaking (a cut reads "TLS/SSL error:
// unexpected eof while reading"): lost, as 2013 is without TLS. The handshake's own refusals (a
// certificate that fails its check) never get here: fail_connect() reports them, not retried.
// MySQL 8.0.24+ tells an idle session it closes with ER_CLIENT_INTERACTION_TIMEOUT (4031, unknown
// to MariaDB's headers) before the client sees the disconnect: lost too, so it reconnects.
bool is_connection_lost(unsigned code) {
  constexpr unsigned k_client_interaction_timeout = 4031;
  return code == CR_SERVER_GONE_ERROR || code == CR_SERVER_LOST || code == CR_CONNECTION_ERROR
         || code == CR_CONN_HOST_ERROR || code == CR_SERVER_LOST_EXTENDED
         || code == CR_SSL_CONNECTION_ERROR || code == k_client_interaction_timeout;
}

bool is_transient_mysql_error(unsigned code) {
  return is_connection_lost(code) || code == ER_LOCK_DEADLOCK || code == ER_LOCK_WAIT_TIMEOUT;
}

std::unique_ptr<Source> make_mysql_source(const config::Endpoint& endpoint) {
  return std::make_unique<MysqlSource>(endpoint);
}

} // namespace migrate::source
