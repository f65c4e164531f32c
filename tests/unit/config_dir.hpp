// A configuration directory of one unit test: created empty under the temporary directory (named
// after the test, so that tests never share one) and removed after it.
#pragma once

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace migrate::testing {

class ConfigDirTest : public ::testing::Test {
protected:
  void SetUp() override {
    m_dir = std::filesystem::temp_directory_path()
            / ("migrate-unit-" + std::to_string(::getpid()) + "-"
               + ::testing::UnitTest::GetInstance()->current_test_info()->test_suite_name() + "-"
               + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(m_dir);
  }
  void TearDown() override { std::filesystem::remove_all(m_dir); }

  // Writes `text` into the file `name` of the directory.
  void write(const std::string& name, const std::string& text) {
    std::ofstream(m_dir / name) << text;
  }

  std::filesystem::path m_dir;
};

} // namespace migrate::testing
