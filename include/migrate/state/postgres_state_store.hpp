// PostgresStateStore: StateStore in a PostgreSQL schema (default migrate_state), shared by several
// workers on several machines; the SQLite store's tables, with the same meaning.
//
// The schema and its tables are created on first use (CREATE SCHEMA / TABLE IF NOT EXISTS, under a
// transaction-level advisory lock so that workers starting together do not race) by a role that
// has CREATE on the database, or that owns an existing schema; no superuser right is used. A role
// that may only read and write existing tables works too: nothing is created when it all exists.
//
// Leases: lease() takes a session-level advisory lock (pg_try_advisory_lock, allowed to any
// role) on lease_key(schema, table), held by this store's connection, then gives it back when
// another invocation finished a run of the table since this one began (times from the server's
// clock, so the workers' clocks need not agree). A worker that dies, however
// it dies, loses its connection and with it its leases: no expiry to tune, no lease row left
// behind. If the connection breaks while a lease is held, the store reconnects and takes the lease
// again, and fails (Error area state) when another worker took it in between.
//
// Used from one thread at a time, like every StateStore.
#pragma once

#include "migrate/state/state_store.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace migrate::state {

// Connects to `url` (a libpq connection URI) and creates what is missing of `schema`. Throws
// Error(area state), transient when the server could not be reached.
std::unique_ptr<StateStore> open_postgres_state(const std::string& url, const std::string& schema);

// The advisory lock key of a table's lease: FNV-1a (64 bits) of "migrate_state:<schema>:<table>",
// the same on every machine and in every version.
std::int64_t lease_key(const std::string& schema, const std::string& table);

} // namespace migrate::state
