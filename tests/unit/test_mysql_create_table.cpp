// The referential rules read from SHOW CREATE TABLE, for accounts information_schema shows no
// REFERENTIAL_CONSTRAINTS row.
#include "mysql/create_table_text.hpp"

#include <gtest/gtest.h>

namespace migrate::source {
namespace {

const char* const k_create_table = "CREATE TABLE `payment` (\n"
                                   "  `payment_id` int NOT NULL,\n"
                                   "  `rental_id` int DEFAULT NULL,\n"
                                   "  `staff_id` int NOT NULL,\n"
                                   "  `odd``name` int,\n"
                                   "  CONSTRAINT `fk_payment_rental` FOREIGN KEY (`rental_id`) "
                                   "REFERENCES `rental` (`rental_id`) ON DELETE SET NULL ON UPDATE "
                                   "CASCADE,\n"
                                   "  CONSTRAINT `fk_payment_staff` FOREIGN KEY (`staff_id`) "
                                   "REFERENCES `staff` (`staff_id`),\n"
                                   "  CONSTRAINT `fk_odd``name` FOREIGN KEY (`odd``name`) "
                                   "REFERENCES `staff` (`staff_id`) ON UPDATE NO ACTION\n"
                                   ") ENGINE=InnoDB";

TEST(SourceCreateTable, ReadsTheRulesOfOneForeignKey) {
  const auto rental = foreign_key_rules(k_create_table, "fk_payment_rental");
  EXPECT_EQ(rental.on_delete, "SET NULL");
  EXPECT_EQ(rental.on_update, "CASCADE");
}

TEST(SourceCreateTable, ARuleLeftOutIsRestrict) {
  const auto staff = foreign_key_rules(k_create_table, "fk_payment_staff");
  EXPECT_EQ(staff.on_delete, "RESTRICT");
  EXPECT_EQ(staff.on_update, "RESTRICT");
  const auto odd = foreign_key_rules(k_create_table, "fk_odd`name");
  EXPECT_EQ(odd.on_delete, "RESTRICT");
  EXPECT_EQ(odd.on_update, "NO ACTION");
  EXPECT_EQ(foreign_key_rules(k_create_table, "fk_missing").on_delete, "RESTRICT");
}

} // namespace
} // namespace migrate::source
