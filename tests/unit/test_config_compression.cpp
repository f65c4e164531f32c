// database.yaml's `compress`: its values, what `auto` decides, and PostgreSQL's refusal.
#include "config_dir.hpp"

#include "migrate/config/compression.hpp"
#include "migrate/config/config.hpp"
#include "migrate/core/error.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace migrate::config;

namespace {

TEST(Compression, ParsesTrueFalseAndAuto) {
  EXPECT_EQ(parse_compression("true"), Compression::on);
  EXPECT_EQ(parse_compression("false"), Compression::off);
  EXPECT_EQ(parse_compression("auto"), Compression::automatic);
  EXPECT_EQ(parse_compression("zstd"), std::nullopt);
  EXPECT_EQ(parse_compression("1"), std::nullopt);
}

TEST(Compression, AutoCompressesOnlyWhenTheServerIsNotOnThisMachine) {
  EXPECT_FALSE(use_compression(Compression::automatic, "127.0.0.1"));
  EXPECT_FALSE(use_compression(Compression::automatic, "localhost"));
  EXPECT_FALSE(use_compression(Compression::automatic, "::1"));
  EXPECT_TRUE(use_compression(Compression::automatic, "10.0.4.7"));
  EXPECT_TRUE(use_compression(Compression::automatic, "mysql.corp.example.com"));
}

TEST(Compression, TrueAndFalseIgnoreTheHost) {
  EXPECT_TRUE(use_compression(Compression::on, "127.0.0.1"));
  EXPECT_FALSE(use_compression(Compression::off, "mysql.corp.example.com"));
}

TEST(Compression, DescribesTheAlgorithmTheServerAgreedTo) {
  EXPECT_EQ(describe_compression(true, true, false), "zlib");
  EXPECT_EQ(describe_compression(true, false, true), "zstd");
  EXPECT_EQ(describe_compression(true, true, true), "zlib"); // MySQL's rule when both are set
  EXPECT_EQ(describe_compression(false, false, false), "off");
  EXPECT_EQ(describe_compression(true, false, false),
            "off (the server does not offer compression)");
}

class CompressSetting : public migrate::testing::ConfigDirTest {
protected:
  void SetUp() override {
    ConfigDirTest::SetUp();
    std::ofstream(m_dir / "table_mapping.yaml") << "tables:\n  - source_table: users\n";
  }

  void write_database(const std::string& mysql_extra, const std::string& postgres_extra) {
    std::ofstream(m_dir / "database.yaml")
        << "mysql:\n  host: db.example.com\n  port: 3306\n  database: app\n  username: m\n"
        << mysql_extra
        << "postgresql:\n  host: 127.0.0.1\n  port: 5432\n  database: app\n  username: m\n"
        << postgres_extra;
  }

  std::string error_of() {
    try {
      load_config(m_dir);
    } catch (const migrate::Error& e) {
      return e.what();
    }
    ADD_FAILURE() << "expected a configuration error";
    return {};
  }
};

TEST_F(CompressSetting, IsOffUnlessSet) {
  write_database("", "");
  const auto config = load_config(m_dir);
  EXPECT_EQ(config.mysql.compress, Compression::off);
  EXPECT_EQ(config.postgresql.compress, Compression::off);
}

TEST_F(CompressSetting, ReadsEachValueForMysql) {
  for (const auto& [text, expected] : {std::pair{"true", Compression::on},
                                       std::pair{"false", Compression::off},
                                       std::pair{"auto", Compression::automatic}}) {
    write_database(std::string("  compress: ") + text + "\n", "");
    EXPECT_EQ(load_config(m_dir).mysql.compress, expected) << text;
  }
}

TEST_F(CompressSetting, RejectsAnUnknownValueNamingTheFileAndKey) {
  write_database("  compress: zstd\n", "");
  const auto error = error_of();
  EXPECT_NE(error.find("database.yaml:6"), std::string::npos) << error;
  EXPECT_NE(error.find("mysql.compress"), std::string::npos) << error;
  EXPECT_NE(error.find("expected true, false or auto, got 'zstd'"), std::string::npos) << error;
}

TEST_F(CompressSetting, AcceptsFalseForPostgres) {
  write_database("", "  compress: false\n");
  EXPECT_EQ(load_config(m_dir).postgresql.compress, Compression::off);
}

TEST_F(CompressSetting, RefusesCompressionForPostgresSayingLibpqHasNone) {
  for (const auto* value : {"true", "auto"}) {
    write_database("", std::string("  compress: ") + value + "\n");
    const auto error = error_of();
    EXPECT_NE(error.find("postgresql.compress"), std::string::npos) << error;
    EXPECT_NE(error.find("libpq has no protocol compression"), std::string::npos) << error;
  }
}

} // namespace
