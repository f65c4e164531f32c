#include "migrate/cli/cli.hpp"
#include "migrate/core/file_mode.hpp"

#include <gtest/gtest.h>

using namespace migrate;
using std::filesystem::perms;

TEST(FileMode, OwnerOnlyModesAreNotOpenToOthers) {
  EXPECT_FALSE(open_to_others(perms::owner_read | perms::owner_write));
  EXPECT_FALSE(open_to_others(perms::owner_read));
  EXPECT_FALSE(open_to_others(perms::owner_all));
}

TEST(FileMode, AnyGroupOrOtherBitIsOpen) {
  EXPECT_TRUE(open_to_others(perms::owner_read | perms::group_read));
  EXPECT_TRUE(open_to_others(perms::owner_read | perms::others_read));
  EXPECT_TRUE(open_to_others(perms::owner_read | perms::group_write));
  EXPECT_TRUE(open_to_others(perms::owner_read | perms::others_exec));
}

TEST(FileMode, ModeTextIsOctalAsChmodTakesIt) {
  EXPECT_EQ(mode_text(perms::owner_read | perms::owner_write), "0600");
  EXPECT_EQ(
      mode_text(perms::owner_read | perms::owner_write | perms::group_read | perms::others_read),
      "0644");
}

TEST(ExitCodes, EachErrorAreaMapsToItsDocumentedCode) {
  EXPECT_EQ(cli::exit_code_for(ErrorArea::config), 2);
  EXPECT_EQ(cli::exit_code_for(ErrorArea::lock), 3);
  EXPECT_EQ(cli::exit_code_for(ErrorArea::source), 1);
  EXPECT_EQ(cli::exit_code_for(ErrorArea::target), 1);
  EXPECT_EQ(cli::exit_code_for(ErrorArea::state), 1);
  EXPECT_EQ(cli::exit_code_for(ErrorArea::deadline), 4);
  EXPECT_EQ(cli::k_exit_deadline, 4);
}

TEST(FileModeText, ParsesAnOctalModeButNeverOneOthersCanWrite) {
  using migrate::parse_file_mode;
  EXPECT_EQ(parse_file_mode("0644"), std::filesystem::perms(0644));
  EXPECT_EQ(parse_file_mode("640"), std::filesystem::perms(0640));
  EXPECT_EQ(parse_file_mode("0600"), std::filesystem::perms(0600));
  EXPECT_FALSE(parse_file_mode("0666")); // others may write
  EXPECT_FALSE(parse_file_mode("4755")); // set-uid
  EXPECT_FALSE(parse_file_mode("0648"));
  EXPECT_FALSE(parse_file_mode("rw-r--r--"));
  EXPECT_FALSE(parse_file_mode(""));
}
