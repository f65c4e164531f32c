#include "cli/json_writer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using migrate::cli::json_string;
using migrate::cli::JsonWriter;

TEST(JsonString, EscapesQuotesBackslashesAndLineBreaks) {
  EXPECT_EQ(json_string("a\"b\\c\nd\re\tf"), R"("a\"b\\c\nd\re\tf")");
}

TEST(JsonString, EscapesOtherControlCharactersAsUnicode) {
  EXPECT_EQ(json_string(std::string("\x01\x1f\b\f", 4)), R"("\u0001\u001f\b\f")");
  EXPECT_EQ(json_string(std::string("a\0b", 3)), R"("a\u0000b")");
}

TEST(JsonString, KeepsValidUtf8AsIs) {
  EXPECT_EQ(json_string("Café 😀 →"), "\"Café 😀 →\"");
}

TEST(JsonString, ReplacesBytesThatAreNotUtf8SoTheDocumentStillParses) {
  // A lone latin1 é, a truncated sequence, an overlong '/', a surrogate.
  EXPECT_EQ(json_string("caf\xe9"), R"("caf\ufffd")");
  EXPECT_EQ(json_string("\xe2\x82"), R"("\ufffd\ufffd")");
  EXPECT_EQ(json_string("\xc0\xaf"), R"("\ufffd\ufffd")");
  EXPECT_EQ(json_string("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");
}

TEST(JsonWriter, SeparatesMembersAndElementsWithCommas) {
  JsonWriter json;
  json.begin_object()
      .key("tables")
      .begin_array()
      .begin_object()
      .key("table")
      .value("users")
      .key("rows")
      .value(std::uint64_t{3})
      .end_object()
      .begin_object()
      .key("table")
      .value("orders")
      .key("position")
      .null()
      .end_object()
      .end_array()
      .key("ok")
      .value(true)
      .end_object();
  EXPECT_EQ(json.str(),
            R"({"tables":[{"table":"users","rows":3},{"table":"orders","position":null}],)"
            R"("ok":true})");
}

TEST(JsonWriter, WritesEmptyContainersAndNestedArrays) {
  JsonWriter json;
  json.begin_object()
      .key("a")
      .begin_array()
      .end_array()
      .key("b")
      .begin_array()
      .begin_array()
      .value(std::int64_t{-1})
      .end_array()
      .value(false)
      .end_array()
      .end_object();
  EXPECT_EQ(json.str(), R"({"a":[],"b":[[-1],false]})");
}

TEST(JsonWriter, WritesNumbersAndNonFiniteAsNull) {
  JsonWriter json;
  json.begin_array()
      .value(0.25)
      .value(std::numeric_limits<double>::infinity())
      .value(std::nan(""))
      .value(std::numeric_limits<std::uint64_t>::max())
      .end_array();
  EXPECT_EQ(json.str(), "[0.25,null,null,18446744073709551615]");
}

TEST(JsonWriter, EscapesKeysToo) {
  JsonWriter json;
  json.begin_object().key("a\"b").value("x").end_object();
  EXPECT_EQ(json.str(), R"({"a\"b":"x"})");
}
