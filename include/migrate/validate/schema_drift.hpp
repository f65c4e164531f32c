// Schema drift: whether an existing PostgreSQL table can take the rows of its MySQL source.
#pragma once

#include "migrate/core/schema.hpp"

#include <string>
#include <vector>

namespace migrate::validate {

// True when a column of PostgreSQL type `existing` can hold every value of type `expected` (the
// type the tool would create): the same type, or a wider one (integer for smallint, varchar(100)
// or text for varchar(45), numeric with room for the digits, timestamp with more precision).
bool can_hold(const std::string& existing, const std::string& expected);

// One message per difference: a column missing on either side (the soft-delete column excepted),
// a type that cannot hold the source values, a NOT NULL the source does not honour, an ENUM label
// the existing CHECK or enum type lacks (when its labels are known), another primary key. Empty
// when the table can be loaded.
std::vector<std::string> schema_drift(const TargetTable& expected, const TargetTable& existing);

} // namespace migrate::validate
