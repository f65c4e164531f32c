#include "mysql/connection.hpp"

#include "mysql/error_class.hpp"

#include "migrate/config/compression.hpp"
#include "migrate/config/tls.hpp"
#include "migrate/core/error.hpp"
#include "migrate/core/log_text.hpp"

#include <spdlog/spdlog.h>

#include <errmsg.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <mutex>

namespace migrate::source {
namespace {

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

} // namespace

[[noreturn]] void fail(MYSQL* handle, const std::string& what, const std::string& sql) {
  const unsigned code = mysql_errno(handle);
  throw Error(ErrorArea::source,
              what + ": " + mysql_error(handle),
              ErrorContext{.sql = sql,
                           .sqlstate = "mysql-" + std::to_string(code),
                           .transient = is_transient_mysql_error(code)});
}

Connection::Connection(const config::Endpoint& endpoint, const ServerProbes* probes) {
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

void Connection::set_up_session(const config::Endpoint& endpoint, const ServerProbes* probes) {
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

ServerProbes Connection::probe_server() {
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

void Connection::execute(const std::string& sql) {
  if (mysql_real_query(get(), sql.data(), sql.size()) != 0) {
    m_lost = is_connection_lost(mysql_errno(get()));
    fail(get(), "MySQL statement failed", sql);
  }
}

void Connection::set_once(const std::string& sql) {
  if (m_settings.count(sql) == 0) {
    execute(sql);
    m_settings.insert(sql);
  }
}

void Connection::set_time_zone(const std::string& zone) {
  if (m_zone == zone) {
    return;
  }
  m_zone.clear(); // unknown until the statement succeeds
  execute("SET SESSION time_zone = " + zone);
  m_zone = zone;
}

Rows Connection::query(const std::string& sql) {
  execute(sql);
  return stored_result(sql);
}

std::optional<Rows> Connection::try_query(const std::string& sql) {
  if (mysql_real_query(get(), sql.data(), sql.size()) != 0) {
    if (is_connection_lost(mysql_errno(get()))) {
      m_lost = true;
      fail(get(), "MySQL statement failed", sql);
    }
    return std::nullopt;
  }
  return stored_result(sql);
}

Rows Connection::stored_result(const std::string& sql) {
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

std::string Connection::literal(const std::string& value) {
  std::string out(value.size() * 2 + 1, '\0');
  const auto length = mysql_real_escape_string(get(), out.data(), value.data(), value.size());
  out.resize(length);
  return "'" + out + "'";
}

} // namespace migrate::source
