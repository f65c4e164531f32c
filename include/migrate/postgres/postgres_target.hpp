// PostgresTarget: Target over libpqxx 6.4. Sessions run with TimeZone 'UTC' and UTF-8.
#pragma once

#include "migrate/config/config.hpp"
#include "migrate/target/target.hpp"

#include <memory>

namespace migrate::target {

std::unique_ptr<Target> make_postgres_target(const config::PostgresEndpoint& endpoint);

} // namespace migrate::target
