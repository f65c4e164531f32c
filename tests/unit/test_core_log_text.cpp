#include "migrate/core/log_text.hpp"

#include <gtest/gtest.h>

using migrate::counted;
using migrate::first_line;
using migrate::join_text;
using migrate::one_line;
using migrate::quote_field;
using migrate::split_lines;

namespace {

// As libpq reports a failed INSERT: a trailing newline, DETAIL and quoted identifiers.
const char* const k_pg_error = "ERROR:  new row for relation \"users\" violates check constraint "
                               "\"users_age_check\"\nDETAIL:  Failing row contains (1, -3).\n";

} // namespace

TEST(OneLine, FoldsAPostgresErrorWithDetailOntoOneLine) {
  EXPECT_EQ(one_line(k_pg_error),
            "ERROR:  new row for relation \"users\" violates check constraint "
            "\"users_age_check\" | DETAIL:  Failing row contains (1, -3).");
}

TEST(OneLine, TreatsCrLfAndLoneCrAsOneBreakEach) {
  EXPECT_EQ(one_line("a\r\nb\rc\nd"), "a | b | c | d");
}

TEST(OneLine, TurnsTabsAndOtherControlCharactersIntoSpaces) {
  EXPECT_EQ(one_line(std::string("a\tb\x01"
                                 "c\x7f"
                                 "d")),
            "a b c d");
}

TEST(OneLine, DropsTrailingBreaksAndSpacesButKeepsInnerOnes) {
  EXPECT_EQ(one_line("x \n\n"), "x");
  EXPECT_EQ(one_line("x\n\ny"), "x |  | y");
  EXPECT_EQ(one_line(""), "");
}

TEST(FirstLine, IsOneLineAndBoundedAtACharacter) {
  EXPECT_EQ(first_line("a\tb\r\nsecond"), "a b");
  const auto long_line = first_line(std::string(1000, 'x'));
  EXPECT_EQ(long_line, std::string(300, 'x') + "...");
  EXPECT_EQ(first_line("caf\xc3\xa9 au lait", 4), "caf..."); // not half an é
  EXPECT_EQ(first_line("short", 5), "short");
}

TEST(Counted, IsSingularForOneAlone) {
  EXPECT_EQ(counted(1, "row"), "1 row");
  EXPECT_EQ(counted(0, "row"), "0 rows");
  EXPECT_EQ(counted(2, "table"), "2 tables");
}

TEST(OneLine, LeavesUtf8Untouched) {
  EXPECT_EQ(one_line("Café → Zürich"), "Café → Zürich");
}

TEST(QuoteField, EscapesInnerQuotesAndBackslashes) {
  EXPECT_EQ(quote_field(R"(relation "users" at C:\x)"), R"("relation \"users\" at C:\\x")");
}

TEST(QuoteField, IsOneLineAndEndsAtTheOnlyUnescapedQuote) {
  const auto field = quote_field(k_pg_error);
  EXPECT_EQ(field.find('\n'), std::string::npos);
  EXPECT_EQ(field.front(), '"');
  EXPECT_EQ(field.back(), '"');
  std::size_t unescaped = 0;
  for (std::size_t i = 0; i < field.size(); ++i) {
    unescaped += field[i] == '"' && (i == 0 || field[i - 1] != '\\') ? 1U : 0U;
  }
  EXPECT_EQ(unescaped, 2U) << field;
}

TEST(QuoteField, QuotesAnEmptyValue) {
  EXPECT_EQ(quote_field(""), "\"\"");
}

TEST(SplitLines, ReadsBackWhatJoinTextWroteWithLineBreaks) {
  const std::vector<std::string> lines = {"public.users: add column age integer",
                                          "public.users: widen name to varchar(100)"};
  EXPECT_EQ(split_lines(join_text(lines, "\n")), lines);
  EXPECT_TRUE(split_lines("").empty());
  EXPECT_EQ(split_lines("one"), std::vector<std::string>{"one"});
}
