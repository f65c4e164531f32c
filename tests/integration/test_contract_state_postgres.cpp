// The state store contract on PostgreSQL, as the least-privilege role the binary runs as (it owns
// its database, as on Aurora, and is no superuser), and the store's own duties: creating what is
// missing without more rights than it needs, and leases.
#include "contract/state_store_contract.hpp"
#include "support.hpp"

#include "migrate/core/error.hpp"
#include "migrate/state/postgres_state_store.hpp"

#include <chrono>
#include <thread>

namespace migrate::contract {
namespace {

using testing::TestDatabase;

// A libpq connection URI for this test's database as `user`.
std::string state_url(const testing::ServerSettings& s,
                      const std::string& database,
                      const std::string& user,
                      const std::string& password) {
  return "postgresql://" + user + ":" + password + "@" + s.pg_host + ":" + s.pg_port + "/"
         + database;
}

class PostgresStateEnv : public TestDatabase {
public:
  std::unique_ptr<state::StateStore> make_store() {
    const auto env = run_env();
    return state::open_postgres_state(
        state_url(*m_settings, name(), env.at("MIGRATE_PG_USER"), env.at("MIGRATE_PG_PASSWORD")),
        "contract_" + std::to_string(++m_stores));
  }

private:
  int m_stores = 0;
};

using PostgresEnvs = ::testing::Types<PostgresStateEnv>;
INSTANTIATE_TYPED_TEST_SUITE_P(Postgres, StateStoreContract, PostgresEnvs);

// The server frees a closed session's locks when its backend has ended, a moment after the client
// closed the connection.
bool eventually_granted(state::StateStore& store, const std::string& table) {
  for (int attempt = 0; attempt < 500; ++attempt) {
    if (store.lease(table) == state::Lease::granted) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

class PostgresStateStore : public PostgresStateEnv {
protected:
  std::string url() {
    const auto env = run_env();
    return state_url(*m_settings, name(), env.at("MIGRATE_PG_USER"), env.at("MIGRATE_PG_PASSWORD"));
  }
};

TEST_F(PostgresStateStore, SharesPositionsBetweenWorkersAndCreatesItsSchemaOnce) {
  auto first = state::open_postgres_state(url(), "migrate_state");
  auto second = state::open_postgres_state(url(), "migrate_state");
  first->save_position("users", state::Position{Pass::incremental, "2026-01-01", {}, ""});
  ASSERT_TRUE(second->position("users").has_value());
  EXPECT_EQ(second->position("users")->timestamp.value_or(""), "2026-01-01");
  EXPECT_EQ(pg().scalar("SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = "
                        "'migrate_state'"),
            pg_role());
}

TEST_F(PostgresStateStore, LeasesATableToOneWorkerUntilItReleasesItOrDisconnects) {
  auto first = state::open_postgres_state(url(), "migrate_state");
  auto second = state::open_postgres_state(url(), "migrate_state");
  using state::Lease;
  EXPECT_EQ(first->lease("users"), Lease::granted);
  EXPECT_EQ(first->lease("users"), Lease::granted); // already held: still held
  EXPECT_EQ(second->lease("users"), Lease::held_elsewhere);
  EXPECT_EQ(second->leased_elsewhere("users"), std::optional<bool>(true));
  EXPECT_EQ(first->leased_elsewhere("users"), std::optional<bool>(false)) << "its own";
  EXPECT_EQ(second->lease("orders"), Lease::granted);
  first->release_lease("users");
  EXPECT_EQ(second->lease("users"), Lease::granted);
  second.reset(); // a worker that ends, however it ends, frees its leases with its connection
  EXPECT_TRUE(eventually_granted(*first, "users")) << "the server ends the session in a moment";
  EXPECT_TRUE(eventually_granted(*first, "orders"));
  auto other_schema = state::open_postgres_state(url(), "other_state");
  EXPECT_EQ(other_schema->lease("users"), Lease::granted); // another store, another lease
}

TEST_F(PostgresStateStore, GivesBackALeaseOnATableAnotherWorkerRanSinceThisOneBegan) {
  using state::Lease;
  auto early = state::open_postgres_state(url(), "migrate_state");
  auto late = state::open_postgres_state(url(), "migrate_state");
  early->begin_invocation({"a", 1, ""});
  const auto late_id = late->begin_invocation({"b", 2, ""});
  TableResult result;
  result.table = "users";
  late->finish_run(late->begin_run("users"), result);
  late->release_lease("users");
  EXPECT_EQ(early->lease("users"), Lease::done_elsewhere); // ran after `early` began
  EXPECT_EQ(late->lease("orders"), Lease::granted);
  late->finish_run(late->begin_run("orders"), result);
  late->release_lease("orders");
  EXPECT_EQ(late->lease("orders"), Lease::granted) << "its own invocation's run counts not";
  late->release_lease("orders");
  late->finish_invocation(late_id, 0, 0);
  early.reset(); // its process died: its invocation never finished
  auto next_round = state::open_postgres_state(url(), "migrate_state");
  next_round->begin_invocation({"c", 3, ""});
  EXPECT_EQ(next_round->lease("users"), Lease::granted) << "runs before it began count not";
  EXPECT_EQ(next_round->lease("orders"), Lease::granted);
}

TEST_F(PostgresStateStore, ReconnectsAndTakesItsLeasesAgainWhenItsSessionEnds) {
  auto first = state::open_postgres_state(url(), "migrate_state");
  auto second = state::open_postgres_state(url(), "migrate_state");
  first->save_position("users", state::Position{});
  ASSERT_EQ(first->lease("users"), state::Lease::granted);
  // A failover, or an administrator ending sessions.
  pg().exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + pg_role()
            + "'");
  EXPECT_TRUE(first->position("users").has_value());
  EXPECT_EQ(second->lease("users"), state::Lease::held_elsewhere) << "the lease was taken again";
}

TEST_F(PostgresStateStore, WorksInAnExistingSchemaForARoleWithoutCreateOnTheDatabase) {
  const std::string role = name() + "_s";
  testing::PgClient admin(*m_settings, name());
  admin.exec("CREATE ROLE " + role + " LOGIN NOSUPERUSER PASSWORD 'pw_" + role + "'");
  admin.exec("REVOKE CREATE ON DATABASE " + name() + " FROM PUBLIC");
  admin.exec("CREATE SCHEMA shared_state");
  admin.exec("GRANT USAGE, CREATE ON SCHEMA shared_state TO " + role);
  {
    auto store = state::open_postgres_state(state_url(*m_settings, name(), role, "pw_" + role),
                                            "shared_state");
    store->save_position("users", state::Position{});
    EXPECT_TRUE(store->position("users").has_value());
    // Opening again creates nothing: the role may lack CREATE by now.
    admin.exec("REVOKE CREATE ON SCHEMA shared_state FROM " + role);
    auto again = state::open_postgres_state(state_url(*m_settings, name(), role, "pw_" + role),
                                            "shared_state");
    EXPECT_TRUE(again->position("users").has_value());
    try {
      state::open_postgres_state(state_url(*m_settings, name(), role, "pw_" + role), "elsewhere");
      ADD_FAILURE() << "created a schema without CREATE on the database";
    } catch (const Error& e) {
      EXPECT_EQ(e.area(), ErrorArea::state);
      EXPECT_FALSE(e.is_transient());
    }
  }
  admin.exec("DROP SCHEMA shared_state CASCADE");
  admin.exec("DROP OWNED BY " + role);
  admin.exec("DROP ROLE " + role);
}

TEST_F(PostgresStateStore, WorksForAWorkerRoleWithTheGrantsReadmeNames) {
  state::open_postgres_state(url(), "migrate_state"); // made by the owner
  const std::string role = name() + "_g";
  testing::PgClient admin(*m_settings, name());
  admin.exec("CREATE ROLE " + role + " LOGIN NOSUPERUSER PASSWORD 'pw_" + role + "'");
  admin.exec("GRANT USAGE ON SCHEMA migrate_state TO " + role);
  admin.exec("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA migrate_state TO "
             + role);
  admin.exec("GRANT USAGE ON ALL SEQUENCES IN SCHEMA migrate_state TO " + role);
  {
    auto store = state::open_postgres_state(state_url(*m_settings, name(), role, "pw_" + role),
                                            "migrate_state");
    const auto invocation = store->begin_invocation({"host", 1, ""});
    EXPECT_EQ(store->lease("users"), state::Lease::granted);
    TableResult result;
    result.table = "users";
    store->finish_run(store->begin_run("users"), result);
    store->save_position("users", state::Position{});
    store->quarantine({{"users", "id=1", "c", "r", "ff", 1, {}}});
    state::ValidationRecord validation;
    validation.table = "users";
    validation.rows = {{"id=1", "missing in target", "0"}};
    store->record_validation(validation);
    store->finish_invocation(invocation, 0, 0);
    EXPECT_EQ(store->invocations(5).size(), 1U);
  }
  admin.exec("DROP OWNED BY " + role);
  admin.exec("DROP ROLE " + role);
}

TEST_F(PostgresStateStore, RefusesAWrongPasswordWithoutRetrying) {
  try {
    state::open_postgres_state(state_url(*m_settings, name(), pg_role(), "wrong"), "s");
    FAIL() << "connected with a wrong password";
  } catch (const Error& e) {
    EXPECT_EQ(e.area(), ErrorArea::state);
    EXPECT_FALSE(e.is_transient());
    EXPECT_EQ(std::string(e.what()).find("wrong"), std::string::npos);
  }
}

} // namespace
} // namespace migrate::contract
