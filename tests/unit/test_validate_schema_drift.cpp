#include "migrate/validate/schema_drift.hpp"

#include <gtest/gtest.h>

using migrate::TargetColumn;
using migrate::TargetTable;
using migrate::validate::can_hold;
using migrate::validate::schema_drift;

TEST(SchemaDrift, SameOrWiderTypesHoldTheValues) {
  EXPECT_TRUE(can_hold("integer", "integer"));
  EXPECT_TRUE(can_hold("bigint", "smallint"));
  EXPECT_TRUE(can_hold("numeric(20,0)", "bigint"));
  EXPECT_TRUE(can_hold("character varying(100)", "varchar(45)"));
  EXPECT_TRUE(can_hold("text", "varchar(45)"));
  EXPECT_TRUE(can_hold("character varying", "text"));
  EXPECT_TRUE(can_hold("numeric(14,4)", "numeric(12,3)"));
  EXPECT_TRUE(can_hold("timestamp without time zone", "timestamp(0) without time zone"));
  EXPECT_TRUE(can_hold("double precision", "real"));
  EXPECT_TRUE(can_hold("shirts_size", "\"public\".\"shirts_size\""));
}

TEST(SchemaDrift, NarrowerOrOtherTypesDoNot) {
  EXPECT_FALSE(can_hold("smallint", "integer"));
  EXPECT_FALSE(can_hold("numeric(10,0)", "bigint"));
  EXPECT_FALSE(can_hold("character varying(10)", "varchar(45)"));
  EXPECT_FALSE(can_hold("character varying(10)", "text"));
  EXPECT_FALSE(can_hold("numeric(12,2)", "numeric(12,3)"));
  EXPECT_FALSE(can_hold("timestamp(0) without time zone", "timestamp(6) without time zone"));
  EXPECT_FALSE(can_hold("timestamp(6) with time zone", "timestamp(6) without time zone"));
  EXPECT_FALSE(can_hold("integer", "text"));
  EXPECT_FALSE(can_hold("real", "double precision"));
}

TEST(SchemaDrift, NamesEachDifference) {
  TargetTable expected{"public",
                       "t",
                       {{"id", "integer", true, {}, false}, {"v", "varchar(45)", false, {}, false}},
                       {"id"},
                       "deleted_at",
                       {}};
  TargetTable existing{"public",
                       "t",
                       {{"id", "integer", true, {}, false},
                        {"extra", "text", false, {}, false},
                        {"deleted_at", "timestamp with time zone", false, {}, false}},
                       {},
                       {},
                       {}};
  const auto drift = schema_drift(expected, existing);
  ASSERT_EQ(drift.size(), 3U);
  EXPECT_NE(drift[0].find("column v (varchar(45)) is in MySQL but missing"), std::string::npos);
  EXPECT_NE(drift[1].find("column extra (text) is in PostgreSQL but not in MySQL"),
            std::string::npos);
  EXPECT_NE(drift[2].find("primary key differs"), std::string::npos);
}

TEST(SchemaDrift, NotNullTheSourceDoesNotHonourIsDrift) {
  TargetTable expected{"public",
                       "t",
                       {{"id", "integer", true, {}, false}, {"v", "text", false, {}, false}},
                       {"id"},
                       {},
                       {}};
  TargetTable existing = expected;
  existing.columns[1].not_null = true;
  const auto drift = schema_drift(expected, existing);
  ASSERT_EQ(drift.size(), 1U);
  EXPECT_NE(drift[0].find("NOT NULL in PostgreSQL but MySQL allows NULL"), std::string::npos);
}
