#include "migrate/config/env.hpp"

#include <gtest/gtest.h>

#include <map>

using migrate::config::interpolate;

namespace {

std::optional<std::string> fake_env(const std::string& name) {
  static const std::map<std::string, std::string> k_env = {
      {"HOST", "db.example"}, {"EMPTY", ""}, {"PORT", "3306"}};
  const auto found = k_env.find(name);
  if (found == k_env.end()) {
    return std::nullopt;
  }
  return found->second;
}

} // namespace

TEST(Interpolate, LeavesPlainTextAlone) {
  EXPECT_EQ(interpolate("plain $text {x}", fake_env), "plain $text {x}");
}

TEST(Interpolate, ReplacesSetVariables) {
  EXPECT_EQ(interpolate("${HOST}:${PORT}", fake_env), "db.example:3306");
}

TEST(Interpolate, UsesDefaultWhenUnsetOrEmpty) {
  EXPECT_EQ(interpolate("${MISSING:-fallback}", fake_env), "fallback");
  EXPECT_EQ(interpolate("${EMPTY:-fallback}", fake_env), "fallback");
  EXPECT_EQ(interpolate("${HOST:-fallback}", fake_env), "db.example");
  EXPECT_EQ(interpolate("${MISSING:-}", fake_env), "");
}

TEST(Interpolate, KeepsEmptyValueWithoutDefault) {
  EXPECT_EQ(interpolate("[${EMPTY}]", fake_env), "[]");
}

TEST(Interpolate, RejectsUnsetVariableNamingIt) {
  try {
    interpolate("${MYSQL_PASSWORD}", fake_env);
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("MYSQL_PASSWORD"), std::string::npos);
  }
}

TEST(Interpolate, RejectsUnterminatedReference) {
  EXPECT_THROW(interpolate("${HOST", fake_env), std::invalid_argument);
  EXPECT_THROW(interpolate("${}", fake_env), std::invalid_argument);
}

TEST(Interpolate, DoubleDollarIsALiteral) {
  EXPECT_EQ(interpolate("pa$${HOST}ss", fake_env), "pa${HOST}ss");
}
