// A small streaming JSON writer (the commands' --json output, JSON log lines, webhook bodies): one
// document, built in memory, with commas and nesting tracked so that callers only say what comes
// next.
//
// Strings are escaped per RFC 8259; bytes that are not valid UTF-8 (a MySQL key or reason may hold
// them) become U+FFFD, so that every output parses. Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace migrate {

// `text` as a JSON string literal, quotes included.
std::string json_string(std::string_view text);

class JsonWriter {
public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  // The key of the next value; only inside an object.
  JsonWriter& key(std::string_view name);
  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(std::int64_t number);
  JsonWriter& value(std::uint64_t number);
  JsonWriter& value(double number); // non-finite numbers are written as null
  JsonWriter& value(bool flag);
  JsonWriter& null();

  // The document so far; complete once every begin_ has its end_.
  const std::string& str() const { return m_out; }

private:
  void before_value();

  std::string m_out;
  // One entry per open object or array: whether it holds an element yet.
  std::vector<bool> m_has_element;
  bool m_after_key = false;
};

} // namespace migrate
