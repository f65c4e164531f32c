#include "migrate/core/text_table.hpp"

#include <gtest/gtest.h>

#include <sstream>

using migrate::TextTable;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    out.push_back(line);
  }
  return out;
}

} // namespace

TEST(TextTable, WidensAColumnToItsLongestValue) {
  TextTable table({{"table"}, {"mode"}, {"moved", TextTable::Align::right}, {"outcome"}});
  table.add_row({"users", "incremental+compare", "12", "ok"});
  table.add_row({"a_much_longer_table_name", "initial", "1200000", "ok"});
  const auto lines = lines_of(table.render());
  ASSERT_EQ(lines.size(), 3U);
  // Every column starts at the same offset on every line.
  const auto mode_at = lines[0].find("mode");
  const auto outcome_at = lines[0].find("outcome");
  EXPECT_EQ(lines[1].find("incremental+compare"), mode_at);
  EXPECT_EQ(lines[2].find("initial"), mode_at);
  EXPECT_EQ(lines[1].find("ok"), outcome_at);
  EXPECT_EQ(lines[2].find("ok"), outcome_at);
  EXPECT_EQ(lines[0], "table                     mode                   moved  outcome");
  EXPECT_EQ(lines[1], "users                     incremental+compare       12  ok");
}

TEST(TextTable, CountsUtf8CharactersNotBytes) {
  TextTable table({{"name"}, {"n"}});
  table.add_row({"zürich", "1"});
  table.add_row({"zurich", "2"});
  const auto lines = lines_of(table.render());
  EXPECT_EQ(lines[1], "zürich  1");
  EXPECT_EQ(lines[2], "zurich  2");
}

TEST(TextTable, FoldsAMultiLineCellOntoItsRow) {
  TextTable table({{"table"}, {"outcome"}});
  table.add_row({"users", "failed: ERROR: x\nDETAIL: y\n"});
  const auto lines = lines_of(table.render());
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(lines[1], "users  failed: ERROR: x | DETAIL: y");
}

TEST(TextTable, PadsMissingCellsAndRefusesExtraOnes) {
  TextTable table({{"a"}, {"b"}});
  table.add_row({"1"});
  EXPECT_EQ(table.render(), "a  b\n1\n");
  EXPECT_THROW(table.add_row({"1", "2", "3"}), std::invalid_argument);
}
