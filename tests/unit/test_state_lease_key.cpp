// The advisory lock key of a table's lease in a shared PostgreSQL store.
#include "migrate/core/shard.hpp"
#include "migrate/state/postgres_state_store.hpp"

#include <gtest/gtest.h>

TEST(LeaseKey, IsTheFnv1aHashOfSchemaAndTable) {
  EXPECT_EQ(migrate::state::lease_key("migrate_state", "users"),
            static_cast<std::int64_t>(migrate::fnv1a64("migrate_state:migrate_state:users")));
}

TEST(LeaseKey, DiffersBetweenTablesAndBetweenStores) {
  using migrate::state::lease_key;
  EXPECT_NE(lease_key("migrate_state", "users"), lease_key("migrate_state", "orders"));
  EXPECT_NE(lease_key("migrate_state", "users"), lease_key("other_state", "users"));
  // No concatenation collides: "a:b" + "c" is not "a" + "b:c".
  EXPECT_NE(lease_key("a", "b_c"), lease_key("a_b", "c"));
}
