#include "migrate/convert/row_digest.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace migrate::convert {
namespace {

using Value = std::optional<std::string>;

HashColumn column(std::string name, SourceText how) {
  HashColumn out;
  out.source_name = out.target_name = std::move(name);
  out.source_text = how;
  return out;
}

std::int64_t digest_of(RowDigester& digester, const std::vector<Value>& values) {
  std::vector<const char*> pointers;
  std::vector<unsigned long> lengths;
  for (const auto& value : values) {
    pointers.push_back(value ? value->data() : nullptr);
    lengths.push_back(value ? value->size() : 0);
  }
  return digester.digest(RowView{pointers.data(), lengths.data(), pointers.size()});
}

const std::vector<HashColumn> k_columns = {column("id", SourceText::as_text),
                                           column("name", SourceText::as_sized_text),
                                           column("note", SourceText::as_hashed_text),
                                           column("code", SourceText::as_sized_bytes)};

// The format MySQL's SQL reproduces, pinned: a change to it changes every stored digest, and the
// next comparison reads every table. "7|3:a|b|<sha256 of 'long text'>|N|m:fp", first 64 bits.
TEST(RowDigest, IsTheFirst64BitsOfTheSha256OfTheJoinedParts) {
  RowDigester digester(k_columns, "fp");
  EXPECT_EQ(digest_of(digester, {"7", "a|b", "long text", std::nullopt}),
            static_cast<std::int64_t>(0x34d67ccc54ee825eULL));
}

TEST(RowDigest, ASeparatorInsideAValueCannotMakeTwoRowsAlike) {
  RowDigester digester(k_columns, "fp");
  EXPECT_NE(digest_of(digester, {"1", "a|b", "x", "c"}),
            digest_of(digester, {"1", "a", "x", "b|c"}));
  EXPECT_NE(digest_of(digester, {"1", "a|N", "x", std::nullopt}),
            digest_of(digester, {"1", "a", "x", "N|N"}));
}

TEST(RowDigest, NullDiffersFromTheLetterNAndFromEmpty) {
  RowDigester digester(k_columns, "fp");
  const auto null = digest_of(digester, {"1", std::nullopt, "x", "c"});
  EXPECT_NE(null, digest_of(digester, {"1", "N", "x", "c"}));
  EXPECT_NE(null, digest_of(digester, {"1", "", "x", "c"}));
  EXPECT_NE(digest_of(digester, {"1", "a", std::nullopt, "c"}),
            digest_of(digester, {"1", "a", "N", "c"}));
}

TEST(RowDigest, TheMappingFingerprintIsPartOfEveryDigest) {
  RowDigester before(k_columns, "fp");
  RowDigester after(k_columns, "fq");
  const std::vector<Value> row = {"1", "a", "b", "c"};
  EXPECT_NE(digest_of(before, row), digest_of(after, row));
  EXPECT_EQ(digest_of(before, row), digest_of(before, row)); // nothing kept between rows
}

} // namespace
} // namespace migrate::convert
