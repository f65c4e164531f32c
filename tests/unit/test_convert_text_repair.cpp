#include "migrate/convert/text_repair.hpp"

#include <gtest/gtest.h>

#include <string>

namespace migrate::convert {
namespace {

const std::string k_plain = "abcdefghijklmnopqrstu"; // more than two words of eight bytes

// The scans skip eight plain ASCII bytes at a time: what stops them must be seen at every
// position, in the first word, the second, and the tail.
TEST(TextRepair, ANulOrABrokenSequenceIsFoundAtEveryPosition) {
  for (std::size_t at = 0; at < k_plain.size(); ++at) {
    auto value = k_plain;
    value[at] = '\0';
    EXPECT_FALSE(is_clean_text(value)) << "NUL at " << at;
    EXPECT_TRUE(is_valid_utf8(value)) << "NUL at " << at; // valid UTF-8, not clean text
    value[at] = '\xff';
    EXPECT_FALSE(is_clean_text(value)) << "0xFF at " << at;
    EXPECT_FALSE(is_valid_utf8(value)) << "0xFF at " << at;
  }
}

TEST(TextRepair, MultibyteTextAnywhereIsCleanAndValid) {
  for (std::size_t at = 0; at + 1 < k_plain.size(); ++at) {
    auto value = k_plain;
    value.replace(at, 2, "\xc3\xbc"); // ü
    EXPECT_TRUE(is_clean_text(value)) << "at " << at;
    EXPECT_TRUE(is_valid_utf8(value)) << "at " << at;
    value.erase(at + 1, 1); // a lead byte without its continuation
    EXPECT_FALSE(is_clean_text(value)) << "at " << at;
    EXPECT_FALSE(is_valid_utf8(value)) << "at " << at;
  }
  EXPECT_TRUE(is_clean_text(k_plain));
  EXPECT_TRUE(is_clean_text(""));
}

} // namespace
} // namespace migrate::convert
