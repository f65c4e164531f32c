// MysqlSource: Source over MariaDB Connector/C, for MySQL 5.7+/8 and MariaDB 10.x servers.
//
// Every session uses utf8mb4 (checked after connecting) and time_zone '+00:00', so text arrives as
// UTF-8 whatever the column's charset and TIMESTAMP values arrive as UTC.
#pragma once

#include "migrate/config/config.hpp"
#include "migrate/source/source.hpp"

#include <memory>

namespace migrate::source {

std::unique_ptr<Source> make_mysql_source(const config::Endpoint& endpoint);

} // namespace migrate::source
