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
