// Schema changes: which differences between the table the tool expects (from MySQL and the mapping)
// and the PostgreSQL table it finds may be applied to the target before rows move, and which must
// be left to a person. Pure; unit-tested in tests/unit/test_validate_schema_changes.cpp.
#pragma once

#include "migrate/core/schema.hpp"

#include <string>
#include <vector>

namespace migrate::validate {

struct SchemaChangePlan {
  std::vector<SchemaChange> changes; // additive: safe to apply, in this order
  std::vector<std::string> refused;  // anything else: dropped or renamed columns, narrower types,
                                     // another primary key, a NOT NULL MySQL does not honour
  bool adds_columns() const;
};

// Splits the differences schema_drift() reports into changes the tool may apply and refusals.
SchemaChangePlan plan_schema_changes(const TargetTable& expected, const TargetTable& existing);

} // namespace migrate::validate
