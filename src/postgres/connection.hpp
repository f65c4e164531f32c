// A libpqxx 6.4 session to PostgreSQL: opening it (TLS, session settings), libpq's handle, and how
// a failed call becomes migrate::Error (translate: a client-side bound on each call). Kept apart
// from the adapter so that the load and the catalog calls fail the same way.
#pragma once

#include "postgres/error_class.hpp"

#include "migrate/config/config.hpp"
#include "migrate/core/error.hpp"
#include "migrate/core/socket_watchdog.hpp"

#include <pqxx/pqxx>

#include <libpq-fe.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace migrate::target {

// A libpq connection string for `endpoint` (values quoted as libpq requires).
std::string connection_string(const config::Endpoint& endpoint);

// A session with TimeZone UTC, UTF8, lock_timeout and statement_timeout set, never reactivated by
// libpqxx; ends the sessions abandoned before. Throws Error(area target), transient unless a
// refusal.
std::unique_ptr<pqxx::connection> open_connection(const config::PostgresEndpoint& endpoint);

// libpq's handle, which libpqxx 6 keeps private.
PGconn* raw_connection(pqxx::connection_base& connection);

// "TLSv1.3 TLS_AES_256_GCM_SHA384" or "unencrypted".
std::string describe_encryption(pqxx::connection& connection);

// The subject of the server's certificate; "" without TLS.
std::string certificate_subject(PGconn* connection);

// How long translate() waits for an answer (read_timeout). One endpoint per process, set when a
// target is made.
void set_answer_limit(std::chrono::milliseconds limit);
std::chrono::milliseconds answer_limit();

// A backend whose client this process gave up on for silence: the next open_connection() ends it.
void abandon(int backend_pid);

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
    const SocketWatch watch(connection.sock(), answer_limit());
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
        "PostgreSQL sent no answer for " + std::to_string(answer_limit().count() / 1000)
            + " s (read_timeout): the connection was closed to try again (" + e.message() + ")",
        ErrorContext{
            .table = table, .sql = e.context().sql, .sqlstate = "08006", .transient = true});
  }
}

} // namespace migrate::target
