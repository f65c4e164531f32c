// What the source reads from SHOW CREATE TABLE when information_schema does not tell it: kept
// apart so it is tested without a server.
#pragma once

#include <string>

namespace migrate::source {

// The referential rules of foreign key `name` as SHOW CREATE TABLE prints them
// ("CONSTRAINT `name` FOREIGN KEY (...) REFERENCES `t` (...) ON DELETE CASCADE ON UPDATE ...").
// A rule left out is the default, RESTRICT (InnoDB checks it as NO ACTION); both are RESTRICT when
// the key is not in the text.
struct ForeignKeyRules {
  std::string on_delete = "RESTRICT";
  std::string on_update = "RESTRICT";
};
ForeignKeyRules foreign_key_rules(const std::string& create_table, const std::string& name);

} // namespace migrate::source
