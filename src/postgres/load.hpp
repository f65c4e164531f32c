// One table's load into PostgreSQL: COPY (text or binary) into the table or a staging table, then
// the merge, reconcile or replacement, in commit groups. Kept apart from the adapter, which only
// opens it.
#pragma once

#include "migrate/target/target.hpp"

#include <pqxx/connection>

#include <memory>

namespace migrate::target {

// One table's load on `connection`, which must outlive it. (Not begin_load: inside
// PostgresTarget::begin_load, the member would hide a free function of that name.)
std::unique_ptr<LoadSession>
make_load(pqxx::connection& connection, TargetTable table, LoadMode mode);

} // namespace migrate::target
