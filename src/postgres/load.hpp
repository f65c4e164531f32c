// One table's load into PostgreSQL: COPY (text or binary) into the table or a staging table, then
// the merge, reconcile or replacement, in commit groups. Kept apart from the adapter, which only
// opens it.
#pragma once

#include "migrate/target/target.hpp"

#include <pqxx/connection>
#include <pqxx/transaction_base>

#include <memory>

namespace migrate::target {

// Whether rows written in binary into `relation`, of `table`'s columns, can carry the client's
// seal: every column of the exact binary type and hashed by PostgreSQL as sent.
bool client_can_seal(pqxx::transaction_base& tx,
                     const TargetTable& table,
                     const std::string& relation);

// One table's load on `connection`, which must outlive it. (Not begin_load: inside
// PostgresTarget::begin_load, the member would hide a free function of that name.)
std::unique_ptr<LoadSession>
make_load(pqxx::connection& connection, TargetTable table, LoadMode mode);

} // namespace migrate::target
