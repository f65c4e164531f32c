// The two configuration files of the design document, byte for byte (comments and the blank line
// with trailing spaces included): the unit and integration tests load and run exactly these.
#pragma once

namespace migrate::testing {

inline constexpr const char* k_design_database_yaml = R"(# config/database.yaml
mysql:
  host: ${MYSQL_HOST}
  port: ${MYSQL_PORT}
  database: ${MYSQL_DATABASE}
  username: ${MYSQL_USERNAME}
  password: ${MYSQL_PASSWORD}

postgresql:
  host: ${POSTGRES_HOST}
  port: ${POSTGRES_PORT}
  database: ${POSTGRES_DATABASE}
  username: ${POSTGRES_USERNAME}
  password: ${POSTGRES_PASSWORD}
)";

// Line 13 is four spaces and nothing else.
inline constexpr const char* k_design_table_mapping_yaml = "# config/table_mapping.yaml\n"
                                                           "tables:\n"
                                                           "  users:\n"
                                                           "    source_table: users\n"
                                                           "    target_table: users\n"
                                                           "    timestamp_column: updated_at\n"
                                                           "    primary_key: user_id\n"
                                                           "    transformations:\n"
                                                           "      - column: phone_number\n"
                                                           "        type: format_phone\n"
                                                           "      - column: email\n"
                                                           "        type: lowercase\n"
                                                           "    \n"
                                                           "  orders:\n"
                                                           "    source_table: orders\n"
                                                           "    target_table: orders\n"
                                                           "    timestamp_column: modified_date\n"
                                                           "    primary_key: order_id\n"
                                                           "    batch_size: 500\n";

} // namespace migrate::testing
