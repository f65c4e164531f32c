#include "migrate/convert/row_digest.hpp"
#include "migrate/validate/digest_sample.hpp"

#include <gtest/gtest.h>

namespace migrate::validate {
namespace {

using Value = std::optional<std::string>;

HashColumn column(std::string name, SourceText how) {
  HashColumn out;
  out.source_name = out.target_name = std::move(name);
  out.source_text = how;
  return out;
}

ComparePlan plan_of(Chunking::Kind kind) {
  ComparePlan plan;
  plan.columns = {column("id", SourceText::as_text),
                  column("name", SourceText::as_sized_text),
                  column("note", SourceText::as_hashed_text),
                  column("t", SourceText::as_text)};
  plan.key = plan.columns[0];
  plan.key_columns = {plan.columns[0]};
  plan.chunking.kind = kind;
  plan.digest_column = "_migrate_digest";
  plan.digest_fingerprint = "fp";
  return plan;
}

// What a server whose SQL agrees with the client would answer.
DigestSample agreeing(const ComparePlan& plan, std::vector<Value> values) {
  convert::RowDigester digester(plan.columns, plan.digest_fingerprint);
  DigestSample sample;
  std::vector<const char*> pointers;
  std::vector<unsigned long> lengths;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto& value = values[i];
    sample.parts.push_back(
        digester.part_text(i, value ? std::optional<std::string_view>(*value) : std::nullopt));
    pointers.push_back(value ? value->data() : nullptr);
    lengths.push_back(value ? value->size() : 0);
  }
  sample.digest = static_cast<std::uint64_t>(
      digester.digest(RowView{pointers.data(), lengths.data(), pointers.size()}));
  sample.values = std::move(values);
  return sample;
}

TEST(DigestSample, RangeChunksSpreadOneRowEachOverTheKeys) {
  auto plan = plan_of(Chunking::Kind::range);
  const auto chunks = plan_sample(plan, KeyRange{1000, "1", "1000"}, 10);
  EXPECT_EQ(plan.chunking.width_or_buckets, "100");
  EXPECT_EQ(chunks.rows_per_chunk, 1U);
  ASSERT_EQ(chunks.ids.size(), 11U); // 1..99 is chunk 0, 1000 is chunk 10
  EXPECT_EQ(chunks.ids.front(), "0");
  EXPECT_EQ(chunks.ids.back(), "10");
}

TEST(DigestSample, HashBucketsGiveOneBucketOfAboutTheRowsAsked) {
  auto plan = plan_of(Chunking::Kind::hash);
  const auto chunks = plan_sample(plan, KeyRange{1000, "", ""}, 10);
  EXPECT_EQ(plan.chunking.width_or_buckets, "100");
  EXPECT_EQ(chunks.ids, std::vector<std::string>{"0"});
  EXPECT_EQ(chunks.rows_per_chunk, 10U);

  auto whole = plan_of(Chunking::Kind::whole);
  EXPECT_EQ(plan_sample(whole, KeyRange{}, 5).rows_per_chunk, 5U);
  // An integer key with no rows has no range: one empty bucket.
  auto empty = plan_of(Chunking::Kind::range);
  EXPECT_EQ(plan_sample(empty, KeyRange{0, "", ""}, 10).ids, std::vector<std::string>{"0"});
}

TEST(DigestSample, AgreeingRowsGiveNoDisagreement) {
  const auto plan = plan_of(Chunking::Kind::range);
  EXPECT_TRUE(compare_samples(plan,
                              {agreeing(plan, {"1", "a|b", "long", "00:00:01.500000"}),
                               agreeing(plan, {"2", std::nullopt, "", std::nullopt})})
                  .empty());
}

// A server whose TIME_TO_SEC dropped the fraction, as MySQL's does, if the SQL relied on it.
TEST(DigestSample, ADisagreeingColumnIsNamedWithTheRowAndBothTexts) {
  const auto plan = plan_of(Chunking::Kind::range);
  auto sample = agreeing(plan, {"7", "x", "y", "00:00:01.500000"});
  sample.parts[3] = "00:00:01";
  const auto found = compare_samples(plan, {sample});
  ASSERT_EQ(found.size(), 1U);
  EXPECT_EQ(found[0].column, "t");
  EXPECT_EQ(found[0].key, "id=7");
  EXPECT_EQ(describe(found[0]),
            "column t, row id=7: MySQL's SQL gives '00:00:01', the client '00:00:01.500000'");
}

TEST(DigestSample, ADigestThatDiffersWithEveryPartAlikeIsTheRowDigests) {
  const auto plan = plan_of(Chunking::Kind::whole);
  auto no_key = plan;
  no_key.key_columns.clear();
  auto sample = agreeing(no_key, {"7", "x", "y", "z"});
  sample.digest ^= 1U;
  const auto found = compare_samples(no_key, {sample});
  ASSERT_EQ(found.size(), 1U);
  EXPECT_EQ(found[0].column, "(row digest)");
  EXPECT_EQ(found[0].key, "(no key)");
}

TEST(DigestSample, LongTextsAreCutInTheMessage) {
  const SampleDisagreement long_one{"c", "id=1", std::string(100, 'a'), "b"};
  EXPECT_EQ(describe(long_one).find(std::string(61, 'a')), std::string::npos);
  EXPECT_NE(describe(long_one).find(std::string(60, 'a') + "..."), std::string::npos);
}

} // namespace
} // namespace migrate::validate
