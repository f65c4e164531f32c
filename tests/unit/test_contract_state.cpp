// The state store contract, on the in-memory fake and on SQLite (alone and as --jobs shares it).
#include "contract/state_store_contract.hpp"
#include "fakes/memory_state_store.hpp"

#include "migrate/state/serialized_state_store.hpp"
#include "migrate/state/sqlite_state_store.hpp"

namespace migrate::contract {
namespace {

class MemoryStateEnv : public ::testing::Test {
public:
  static std::unique_ptr<state::StateStore> make_store() {
    return std::make_unique<fakes::MemoryStateStore>();
  }
};

class SqliteStateEnv : public ::testing::Test {
public:
  static std::unique_ptr<state::StateStore> make_store() {
    return state::open_sqlite_state(":memory:");
  }
};

// What --jobs runs on: the SQLite store behind the one-call-at-a-time wrapper.
class SerializedSqliteStateEnv : public ::testing::Test {
public:
  static std::unique_ptr<state::StateStore> make_store() {
    return std::make_unique<state::SerializedStateStore>(state::open_sqlite_state(":memory:"));
  }
};

using StateEnvs = ::testing::Types<MemoryStateEnv, SqliteStateEnv, SerializedSqliteStateEnv>;
INSTANTIATE_TYPED_TEST_SUITE_P(Adapters, StateStoreContract, StateEnvs);

} // namespace
} // namespace migrate::contract
