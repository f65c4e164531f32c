#include "cli/log_json.hpp"

#include <gtest/gtest.h>

using migrate::cli::log_json_line;
using migrate::cli::parse_log_fields;

namespace {

TEST(LogJson, SplitsWordsFromKeyValueFields) {
  const auto parsed = parse_log_fields("run finished tables=2 failed=0 read=10");
  EXPECT_EQ(parsed.message, "run finished");
  ASSERT_EQ(parsed.fields.size(), 3U);
  EXPECT_EQ(parsed.fields[0], std::make_pair(std::string("tables"), std::string("2")));
}

TEST(LogJson, UnquotesAQuotedValue) {
  const auto parsed = parse_log_fields(R"(table=users outcome=failed error="a \"b\" c\\d" x=1)");
  ASSERT_EQ(parsed.fields.size(), 4U);
  EXPECT_EQ(parsed.fields[2].second, R"(a "b" c\d)");
  EXPECT_EQ(parsed.fields[3].second, "1");
  EXPECT_EQ(parsed.message, "");
}

TEST(LogJson, WritesOneObjectWithNumbersAsNumbers) {
  EXPECT_EQ(log_json_line("2026-11-01T00:00:00.000Z",
                          "info",
                          "table=users mode=initial read=10 took_s=0.25 key=007"),
            R"({"time":"2026-11-01T00:00:00.000Z","level":"info",)"
            R"("message":"table=users mode=initial read=10 took_s=0.25 key=007","table":"users",)"
            R"("mode":"initial","read":10,"took_s":0.25,"key":"007"})");
}

TEST(LogJson, KeepsTheTextOfAPlainMessageAndAvoidsDuplicateKeys) {
  EXPECT_EQ(log_json_line("t", "warn", "log file x unavailable level=a level=b\nDETAIL: y"),
            R"({"time":"t","level":"warn","message":"log file x unavailable | DETAIL: y",)"
            R"("level_2":"a","level_3":"b"})");
}

} // namespace
