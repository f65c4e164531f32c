#include "postgres/connection.hpp"

#include "migrate/config/tls.hpp"

#include <pqxx/version>
#include <spdlog/spdlog.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

namespace migrate::target {
namespace {

// How long a call waits for PostgreSQL's answer (read_timeout) before its socket is shut: one
// endpoint per process, set when a target is made.
std::atomic<std::int64_t> g_answer_limit_ms{0};

// Server sessions whose client this process abandoned for silence: a stalled proxy keeps them,
// and their locks, alive (a backend waiting for COPY data never times out), so the next connection
// ends them before the retry meets their locks.
std::mutex g_abandoned_mutex;
std::vector<int> g_abandoned;

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

void set_answer_limit(std::chrono::milliseconds limit) {
  g_answer_limit_ms = limit.count();
}

std::chrono::milliseconds answer_limit() {
  return std::chrono::milliseconds(g_answer_limit_ms.load());
}

void abandon(int backend_pid) {
  const std::lock_guard lock(g_abandoned_mutex);
  g_abandoned.push_back(backend_pid);
}

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

std::string connection_string(const config::Endpoint& endpoint) {
  return "host=" + conninfo_value(endpoint.host) + " port=" + std::to_string(endpoint.port)
         + " dbname=" + conninfo_value(endpoint.database)
         + " user=" + conninfo_value(endpoint.username)
         + " password=" + conninfo_value(config::connection_password(endpoint, ErrorArea::target))
         + " connect_timeout=" + std::to_string(endpoint.connect_timeout.count())
         + " application_name=migrate keepalives=1 keepalives_idle=30 keepalives_interval=10"
         + " keepalives_count=3" + tls_parameters(endpoint.tls);
}

std::unique_ptr<pqxx::connection> open_connection(const config::PostgresEndpoint& endpoint) {
  try {
    auto connection = std::make_unique<pqxx::connection>(connection_string(endpoint));
    // libpqxx would open a lost connection again by itself, without the session settings below:
    // PostgresTarget::connection() opens a new one, with them, instead. (Deprecated in 6.4, gone in
    // 7 where connections are never reopened.)
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
    tx.exec("SET statement_timeout = " + std::to_string(endpoint.statement_timeout.count() * 1000));
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

} // namespace migrate::target
