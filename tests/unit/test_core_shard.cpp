// --shard i/n: which worker runs which table.
#include "migrate/core/shard.hpp"

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>

using migrate::Shard;

TEST(Shard, HashesWithFnv1a64) {
  // The published FNV-1a 64 test vectors: the split must be the same on every machine.
  EXPECT_EQ(migrate::fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(migrate::fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(migrate::fnv1a64("foobar"), 0x85944171f73967e8ULL);
}

TEST(Shard, ReadsIndexAndCount) {
  const auto shard = migrate::parse_shard("2/5");
  EXPECT_EQ(shard.index, 2U);
  EXPECT_EQ(shard.count, 5U);
}

TEST(Shard, RefusesWhatIsNotAShard) {
  for (const char* text : {"", "3", "1/", "/3", "3/3", "0/0", "a/3", "-1/3", "1/2000", "1/3/4"}) {
    EXPECT_THROW(migrate::parse_shard(text), std::invalid_argument) << text;
  }
}

TEST(Shard, PutsEveryTableInExactlyOneShard) {
  const Shard all{0, 1};
  std::multiset<unsigned> owners;
  for (int i = 0; i < 200; ++i) {
    const auto table = "table_" + std::to_string(i);
    EXPECT_TRUE(migrate::in_shard(table, all));
    int found = 0;
    for (std::uint32_t index = 0; index < 3; ++index) {
      if (migrate::in_shard(table, Shard{index, 3})) {
        ++found;
        owners.insert(index);
      }
    }
    EXPECT_EQ(found, 1) << table;
  }
  for (unsigned index = 0; index < 3; ++index) {
    EXPECT_GT(owners.count(index), 40U); // roughly even
  }
}

TEST(Shard, PlacesATableByItsHash) {
  EXPECT_TRUE(
      migrate::in_shard("foobar", Shard{static_cast<std::uint32_t>(0x85944171f73967e8ULL % 7), 7}));
}
