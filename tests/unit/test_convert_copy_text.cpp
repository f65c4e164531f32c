#include "migrate/convert/copy_text.hpp"

#include <gtest/gtest.h>

using namespace migrate::convert;

namespace {
std::string escaped(std::string_view value) {
  std::string out;
  append_copy_escaped(out, value);
  return out;
}
} // namespace

TEST(CopyText, EscapesTabNewlineCarriageReturnAndBackslash) {
  EXPECT_EQ(escaped("a\tb\nc\rd\\e"), "a\\tb\\nc\\rd\\\\e");
}

// The scan skips eight plain bytes at a time: every special byte, and every byte just below or
// above one (0x0D/0x0E, '[' / ']'), at every position of a value longer than two words.
TEST(CopyText, EscapesAtEveryPositionOfALongValue) {
  const std::string plain = "abcdefghijklmnopqrstu";
  for (const char special : {'\t', '\n', '\r', '\\'}) {
    for (std::size_t at = 0; at < plain.size(); ++at) {
      auto value = plain;
      value[at] = special;
      auto expected = plain.substr(0, at)
                      + (special == '\t'   ? "\\t"
                         : special == '\n' ? "\\n"
                         : special == '\r' ? "\\r"
                                           : "\\\\")
                      + plain.substr(at + 1);
      EXPECT_EQ(escaped(value), expected) << "at " << at;
    }
  }
  for (const char near : {'\x0e', '\x0c', '\x00', '[', ']', '\x7f'}) {
    auto value = plain;
    value[9] = near;
    EXPECT_EQ(escaped(value), value);
  }
  EXPECT_EQ(escaped(std::string(16, '\\')), std::string(32, '\\'));
}

TEST(CopyText, LeavesOrdinaryAndMultibyteTextAlone) {
  EXPECT_EQ(escaped("Café 😀 \"quoted\" 'x'"), "Café 😀 \"quoted\" 'x'");
  EXPECT_EQ(escaped(""), "");
}

TEST(CopyText, TextThatLooksLikeNullIsNotNull) {
  EXPECT_EQ(escaped("\\N"), "\\\\N");
}

TEST(CopyText, UnescapeRoundTrips) {
  const std::string original = "x\ty\nz\\w\r";
  EXPECT_EQ(unescape_copy_field(escaped(original)), original);
}

TEST(CopyText, WritesByteaAsEscapedHex) {
  std::string out;
  append_copy_bytea(out, std::string_view("\x00\x01\xff\n", 4));
  EXPECT_EQ(out, "\\\\x0001ff0a");
}

TEST(CopyText, WritesEmptyBytea) {
  std::string out;
  append_copy_bytea(out, "");
  EXPECT_EQ(out, "\\\\x");
}

TEST(CopyText, WritesSetAsTextArray) {
  std::string out;
  append_copy_text_array(out, "gift,express");
  EXPECT_EQ(out, "{\"gift\",\"express\"}");
}

TEST(CopyText, WritesEmptySetAsEmptyArray) {
  std::string out;
  append_copy_text_array(out, "");
  EXPECT_EQ(out, "{}");
}

TEST(CopyText, EscapesQuotesAndBackslashesInsideArrays) {
  std::string out;
  append_copy_text_array(out, "a\"b,c\\d");
  // Array literal {"a\"b","c\\d"}, then every backslash doubled for COPY.
  EXPECT_EQ(out, "{\"a\\\\\"b\",\"c\\\\\\\\d\"}");
}
