// A parser of Prometheus's text exposition format for tests: metric and label name charsets, label
// value escaping, one HELP and TYPE per family before its samples, samples of a family together,
// numeric values. It fails the running test at the first line that breaks a rule.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace migrate::testing {

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels; // unescaped values
  double value = 0;
};

// Parses `text` or fails the test at the first line that breaks a rule.
inline std::vector<Sample> parse_exposition(const std::string& text) {
  static const std::regex k_name("[a-zA-Z_:][a-zA-Z0-9_:]*");
  static const std::regex k_label_name("[a-zA-Z_][a-zA-Z0-9_]*");
  std::vector<Sample> out;
  std::set<std::string> typed;
  std::set<std::string> helped;
  std::set<std::string> finished; // families whose samples ended
  std::string current;
  std::istringstream in(text);
  EXPECT_TRUE(text.empty() || text.back() == '\n') << "the last line ends in a line feed";
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("# ", 0) == 0) {
      std::istringstream words(line.substr(2));
      std::string keyword, name, rest;
      words >> keyword >> name;
      std::getline(words, rest);
      EXPECT_TRUE(std::regex_match(name, k_name)) << line;
      if (keyword == "TYPE") {
        EXPECT_TRUE(typed.insert(name).second) << "second TYPE: " << line;
        EXPECT_TRUE(rest == " gauge" || rest == " counter") << line;
      } else if (keyword == "HELP") {
        EXPECT_TRUE(helped.insert(name).second) << "second HELP: " << line;
        EXPECT_FALSE(rest.empty()) << line;
      } else {
        ADD_FAILURE() << "unknown comment: " << line;
      }
      continue;
    }
    Sample sample;
    std::size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') {
      ++i;
    }
    sample.name = line.substr(0, i);
    EXPECT_TRUE(std::regex_match(sample.name, k_name)) << line;
    EXPECT_EQ(typed.count(sample.name), 1U) << "sample before its TYPE: " << line;
    EXPECT_EQ(finished.count(sample.name), 0U) << "family split: " << line;
    if (sample.name != current) {
      if (!current.empty()) {
        finished.insert(current);
      }
      current = sample.name;
    }
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (i < line.size() && line[i] != '}') {
        const auto eq = line.find('=', i);
        const auto label = line.substr(i, eq - i);
        EXPECT_TRUE(std::regex_match(label, k_label_name)) << line;
        EXPECT_EQ(line.at(eq + 1), '"') << line;
        std::string value;
        for (i = eq + 2; i < line.size() && line[i] != '"'; ++i) {
          if (line[i] == '\\') {
            const char next = line.at(++i);
            EXPECT_TRUE(next == '\\' || next == '"' || next == 'n') << "bad escape: " << line;
            value += next == 'n' ? '\n' : next;
          } else {
            value += line[i];
          }
        }
        EXPECT_LT(i, line.size()) << "unterminated label value: " << line;
        sample.labels[label] = value;
        ++i;
        if (i < line.size() && line[i] == ',') {
          ++i;
        }
      }
      ++i;
    }
    EXPECT_EQ(line.at(i), ' ') << line;
    std::size_t used = 0;
    const auto number = line.substr(i + 1);
    sample.value = std::stod(number, &used);
    EXPECT_EQ(used, number.size()) << line;
    out.push_back(std::move(sample));
  }
  for (const auto& name : typed) {
    EXPECT_EQ(helped.count(name), 1U) << name << " has no HELP";
  }
  return out;
}

inline const Sample*
find(const std::vector<Sample>& samples, const std::string& name, const std::string& table) {
  for (const auto& s : samples) {
    if (s.name == name
        && (table.empty() || (s.labels.count("table") != 0 && s.labels.at("table") == table))) {
      return &s;
    }
  }
  return nullptr;
}

// The sample of family `name` whose label `label` is `value`, or nullptr.
inline const Sample* find_labelled(const std::vector<Sample>& samples,
                                   const std::string& name,
                                   const std::string& label,
                                   const std::string& value) {
  for (const auto& s : samples) {
    if (s.name == name && s.labels.count(label) != 0 && s.labels.at(label) == value) {
      return &s;
    }
  }
  return nullptr;
}

} // namespace migrate::testing
