#include "migrate/validate/row_search.hpp"

#include <gtest/gtest.h>

using namespace migrate;
using namespace migrate::validate;

namespace {

RowDigest row(const std::string& id, std::optional<std::uint64_t> hash) {
  return RowDigest{{id}, hash};
}

std::string render(const std::vector<KeyedDifference>& rows) {
  std::string out;
  for (const auto& r : rows) {
    const char* kind = r.difference == RowDifference::missing_in_target ? "missing"
                       : r.difference == RowDifference::extra_in_target ? "extra"
                                                                        : "differs";
    out += r.key + ":" + kind + "@" + r.chunk + " ";
  }
  return out;
}

} // namespace

TEST(RowSearch, ClassifiesMissingExtraAndChangedRowsByKey) {
  const std::vector<RowDigest> source = {row("1", 11), row("2", 22), row("3", 33), row("5", 55)};
  const std::vector<RowDigest> target = {row("5", 55), row("3", 99), row("1", 11), row("4", 44)};
  EXPECT_EQ(render(diff_rows({"id"}, source, target, "7")),
            "id=2:missing@7 id=3:differs@7 id=4:extra@7 ");
}

TEST(RowSearch, OrdersIntegerKeysByValueAndTheRestAsText) {
  const auto key = [](std::optional<std::string> v) {
    return std::vector{std::move(v)};
  };
  EXPECT_TRUE(key_less(key("9"), key("10")));
  EXPECT_FALSE(key_less(key("10"), key("9")));
  EXPECT_TRUE(key_less(key("-10"), key("-9")));
  EXPECT_TRUE(key_less(key("-1"), key("0")));
  EXPECT_TRUE(key_less(key(std::nullopt), key("-5")));
  EXPECT_TRUE(key_less(key("B"), key("a")));
  EXPECT_TRUE(key_less(key("10"), key("9a"))); // text when either is not a number
  EXPECT_FALSE(key_less(key("7"), key("7")));
  EXPECT_TRUE(
      key_less({std::string("1"), std::string("2")}, {std::string("1"), std::string("10")}));
}

TEST(RowSearch, DescribesChunksByTheirKeyRange) {
  ComparePlan plan;
  plan.key.source_name = "id";
  plan.chunking = {Chunking::Kind::range, "20"};
  EXPECT_EQ(describe_chunk(plan, "1"), "id >= 20 and < 40");
  plan.chunking = {Chunking::Kind::hash, "8"};
  EXPECT_EQ(describe_chunk(plan, "3"), "key hash bucket 3 of 8");
  plan.chunking = {Chunking::Kind::whole, "1"};
  EXPECT_EQ(describe_chunk(plan, "0"), "the whole table");
}

TEST(RowSearch, ARowWithoutAStoredDigestDiffers) {
  EXPECT_EQ(render(diff_rows({"id"}, {row("1", 0)}, {row("1", std::nullopt)}, "0")),
            "id=1:differs@0 ");
}

TEST(RowSearch, EqualChunksHaveNoDifferingRows) {
  EXPECT_TRUE(
      diff_rows({"id"}, {row("1", 1), row("2", 2)}, {row("2", 2), row("1", 1)}, "0").empty());
  EXPECT_TRUE(diff_rows({"id"}, {}, {}, "0").empty());
}

TEST(RowSearch, RendersCompositeKeysAsTheQuarantineDoes) {
  EXPECT_EQ(render_key({"film_id", "actor_id"}, {std::string("1"), std::string("7")}),
            "film_id=1,actor_id=7");
  EXPECT_EQ(render_key({"a", "b"}, {std::string("x"), std::nullopt}), "a=x,b=NULL");
  const RowDigest composite{{std::string("1"), std::string("7")}, 5};
  const auto rows = diff_rows({"film_id", "actor_id"}, {composite}, {}, "3");
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(rows[0].key, "film_id=1,actor_id=7");
}
