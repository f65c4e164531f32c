// The state store contract, on the in-memory fake and on SQLite.
#include "contract/state_store_contract.hpp"
#include "fakes/memory_state_store.hpp"

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

using StateEnvs = ::testing::Types<MemoryStateEnv, SqliteStateEnv>;
INSTANTIATE_TYPED_TEST_SUITE_P(Adapters, StateStoreContract, StateEnvs);

} // namespace
} // namespace migrate::contract
