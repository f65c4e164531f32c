// TableClaim: a table's lease held for one action and given back, and what a refused claim says.
#include "fakes/memory_state_store.hpp"

#include "migrate/core/error.hpp"
#include "migrate/state/table_claim.hpp"

#include <gtest/gtest.h>

#include <map>
#include <vector>

using namespace migrate;
using namespace migrate::state;

namespace {

// A store whose leases another worker may hold or have run, recording what this one asks.
class LeasingStore : public fakes::MemoryStateStore {
public:
  std::map<std::string, Lease> answers; // a table not named is granted
  std::vector<std::string> leased;
  std::vector<std::string> released;
  bool fail_release = false;

  Lease lease(const std::string& table) override {
    leased.push_back(table);
    const auto found = answers.find(table);
    return found == answers.end() ? Lease::granted : found->second;
  }
  void release_lease(const std::string& table) override {
    if (fail_release) {
      throw Error(ErrorArea::state, "connection lost");
    }
    released.push_back(table);
  }
};

} // namespace

TEST(TableClaim, HoldsAGrantedLeaseUntilItGoesOutOfScope) {
  LeasingStore store;
  {
    const auto claim = TableClaim::try_acquire(store, "users");
    EXPECT_TRUE(claim.held());
    EXPECT_EQ(claim.refusal(), "");
    EXPECT_TRUE(store.released.empty());
  }
  EXPECT_EQ(store.leased, std::vector<std::string>{"users"});
  EXPECT_EQ(store.released, std::vector<std::string>{"users"});
}

TEST(TableClaim, GivesTheLeaseBackOnceWhenReleasedEarly) {
  LeasingStore store;
  {
    auto claim = TableClaim::try_acquire(store, "users");
    claim.release();
    EXPECT_FALSE(claim.held());
    claim.release();
  }
  EXPECT_EQ(store.released, std::vector<std::string>{"users"});
}

TEST(TableClaim, SaysWhyAnotherWorkerKeepsTheTable) {
  LeasingStore store;
  store.answers = {{"users", Lease::held_elsewhere}, {"orders", Lease::done_elsewhere}};
  {
    const auto running = TableClaim::try_acquire(store, "users");
    const auto ran = TableClaim::try_acquire(store, "orders");
    EXPECT_FALSE(running.held());
    EXPECT_EQ(running.refusal(), "leased by another worker");
    EXPECT_FALSE(ran.held());
    EXPECT_EQ(ran.refusal(), "done by another worker");
  }
  EXPECT_TRUE(store.released.empty()); // nothing held, nothing given back
}

TEST(TableClaim, ACommandThatMustWriteTheTableStopsWithALockError) {
  LeasingStore store;
  for (const auto lease : {Lease::held_elsewhere, Lease::done_elsewhere}) {
    store.answers["users"] = lease;
    try {
      TableClaim::acquire(store, "users", "cut over");
      FAIL() << "a refused claim must throw";
    } catch (const Error& e) {
      EXPECT_EQ(e.area(), ErrorArea::lock);
      EXPECT_EQ(e.message(),
                "table users is leased by another worker: cut over once no run holds it");
      EXPECT_EQ(e.context().table, "users");
    }
  }
  EXPECT_TRUE(store.released.empty());
}

TEST(TableClaim, AMovedClaimGivesTheLeaseBackOnce) {
  LeasingStore store;
  {
    std::vector<TableClaim> claims;
    claims.push_back(TableClaim::acquire(store, "users", "--repair it"));
    claims.push_back(TableClaim::acquire(store, "orders", "--repair it"));
  }
  EXPECT_EQ(store.released, (std::vector<std::string>{"users", "orders"}));
}

TEST(TableClaim, AStoreThatCannotGiveTheLeaseBackFailsAnExplicitReleaseOnly) {
  LeasingStore store;
  store.fail_release = true;
  {
    auto claim = TableClaim::try_acquire(store, "users");
    EXPECT_THROW(claim.release(), Error);
  }
  EXPECT_NO_THROW({ const auto claim = TableClaim::try_acquire(store, "users"); });
}

TEST(TableClaim, ASingleFileStoreGrantsEveryClaim) {
  fakes::MemoryStateStore store; // the interface's default: RunLock keeps other processes out
  const auto claim = TableClaim::acquire(store, "users", "cut over");
  EXPECT_TRUE(claim.held());
}
