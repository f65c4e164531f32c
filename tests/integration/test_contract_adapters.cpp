// The adapter contract on MariaDB and PostgreSQL: the cases the in-memory fakes pass in the unit
// tests (tests/unit/test_contract_adapters.cpp), run against the real adapters.
#include "contract/adapter_contract.hpp"
#include "support.hpp"

#include "migrate/mysql/mysql_source.hpp"
#include "migrate/postgres/postgres_target.hpp"

namespace migrate::contract {
namespace {

std::string mysql_literal(const Value& value) {
  if (!value) {
    return "NULL";
  }
  std::string out = "'";
  for (const char c : *value) {
    out += c == '\'' ? "''" : (c == '\\' ? "\\\\" : std::string(1, c));
  }
  return out + "'";
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) {
    out += (out.empty() ? "" : ", ") + name;
  }
  return out;
}

class ServersEnv : public testing::TestDatabase {
public:
  source::Source& source() {
    if (!m_source) {
      m_source = source::make_mysql_source(endpoint<config::Endpoint>(true));
    }
    return *m_source;
  }

  target::Target& target() {
    if (!m_target) {
      m_target = target::make_postgres_target(endpoint<config::PostgresEndpoint>(false));
    }
    return *m_target;
  }

  std::string schema() { return "public"; }
  bool binary_copy() const { return true; }

  void create_source(const SourceSpec& spec, const SourceKeys& keys = {}) {
    // Backquoted: "empty" is a reserved word in MySQL 8 (JSON_TABLE), and a table may be named so.
    std::string sql = "CREATE TABLE `" + spec.name + "` (";
    for (const auto& column : spec.columns) {
      sql += column.name + " " + column.mysql_type + (column.nullable ? "" : " NOT NULL")
             + (column.name == keys.auto_increment ? " AUTO_INCREMENT" : "") + ", ";
    }
    std::string key;
    for (const auto& column : spec.primary_key) {
      key += (key.empty() ? "" : ", ") + column;
    }
    std::string constraints;
    for (const auto& foreign : keys.foreign_keys) {
      constraints += ", CONSTRAINT " + foreign.name + " FOREIGN KEY (" + join(foreign.columns)
                     + ") REFERENCES " + foreign.referenced_table + " ("
                     + join(foreign.referenced_columns) + ") ON DELETE " + foreign.on_delete
                     + " ON UPDATE " + foreign.on_update;
    }
    mysql().exec(sql + "PRIMARY KEY (" + key + ")" + constraints + ")");
    mysql().exec("SET SESSION sql_mode = ''"); // zero dates, as a lax writer stores them
    for (const auto& row : spec.rows) {
      insert(spec.name, row, "INSERT");
    }
    mysql().exec("SET SESSION sql_mode = DEFAULT");
  }

  void source_exec(const SourceChange& change) {
    if (change.kind == SourceChange::Kind::upsert) {
      insert(change.table, change.row, "REPLACE");
      return;
    }
    const auto key = source().describe(change.table).primary_key;
    std::string where;
    for (std::size_t i = 0; i < key.size(); ++i) {
      where += (i == 0 ? "" : " AND ") + key[i] + " = " + mysql_literal(change.row.at(i));
    }
    mysql().exec("DELETE FROM " + change.table + " WHERE " + where);
  }

  std::vector<TargetRow> target_rows(const std::string& table,
                                     const std::vector<std::string>& columns) {
    std::string select;
    for (const auto& column : columns) {
      select += (select.empty() ? "" : ", ") + std::string("\"") + column + "\"::text";
    }
    return pg().query("SELECT " + select + " FROM " + schema() + "." + table + " ORDER BY \""
                      + columns.at(0) + "\"");
  }

  // Changes made in PostgreSQL by something other than migrate, as a person with psql would.
  void update_by_hand(const std::string& table,
                      const std::string& id,
                      const std::string& column,
                      const std::string& value) {
    pg().exec("UPDATE " + schema() + "." + table + " SET \"" + column + "\" = '" + value
              + "' WHERE id = " + id);
  }

  void insert_by_hand(const std::string& table, const std::string& id, const std::string& name) {
    pg().exec("INSERT INTO " + schema() + "." + table + " (id, name) VALUES (" + id + ", '" + name
              + "')");
  }

private:
  void insert(const std::string& table, const std::vector<Value>& row, const char* verb) {
    std::string values;
    for (const auto& value : row) {
      values += (values.empty() ? "" : ", ") + mysql_literal(value);
    }
    mysql().exec(std::string(verb) + " INTO `" + table + "` VALUES (" + values + ")");
  }

  template<typename Endpoint>
  Endpoint endpoint(bool mysql_side) const {
    Endpoint e;
    const auto& s = *m_settings;
    e.host = mysql_side ? s.mysql_host : s.pg_host;
    e.port = static_cast<unsigned>(std::stoul(mysql_side ? s.mysql_port : s.pg_port));
    e.database = name();
    e.username = mysql_side ? s.mysql_user : s.pg_user;
    e.password = mysql_side ? s.mysql_password : s.pg_password;
    return e;
  }

  std::unique_ptr<source::Source> m_source;
  std::unique_ptr<target::Target> m_target;
};

using BinaryLoad = ServersEnv;

// A first load commits many times; a column changed by hand between two commits would misread
// binary values (an integer's four bytes are a valid real), so each COPY looks at the types again.
TEST_F(BinaryLoad, AColumnChangedBetweenTwoCommitsFailsTheNextForARetryInText) {
  auto& target = this->target();
  const auto table = people(schema());
  target.create_table(table);
  auto session = target.begin_load(table, target::LoadMode::direct);
  ASSERT_EQ(session->choose_format(CopyFormat::binary), CopyFormat::binary);
  session->write(people_rows(CopyFormat::binary, {{1, "ann", 11}}), 1);
  session->commit();
  // While the first load's seal is a generated column, PostgreSQL itself refuses the change; a
  // person who drops the expression first is not stopped.
  EXPECT_ANY_THROW(pg().exec("ALTER TABLE public.people ALTER COLUMN id TYPE real"));
  pg().exec("ALTER TABLE public.people ALTER COLUMN _migrate_seal DROP EXPRESSION");
  pg().exec("ALTER TABLE public.people ALTER COLUMN id TYPE real");
  try {
    session->write(people_rows(CopyFormat::binary, {{2, "bob", 22}}), 1);
    session->commit();
    FAIL() << "binary rows went into a column of another type";
  } catch (const Error& e) {
    EXPECT_TRUE(e.is_transient());
    EXPECT_NE(e.message().find("changed during the load"), std::string::npos) << e.message();
  }
  session.reset();
  EXPECT_EQ(pg().scalar("SELECT string_agg(id::text, ',') FROM public.people"), "1");
  EXPECT_EQ(target.begin_load(table, target::LoadMode::upsert)->choose_format(CopyFormat::binary),
            CopyFormat::text);
}

INSTANTIATE_TYPED_TEST_SUITE_P(Servers, SourceContract, ServersEnv);
INSTANTIATE_TYPED_TEST_SUITE_P(Servers, TargetContract, ServersEnv);
INSTANTIATE_TYPED_TEST_SUITE_P(Servers, PipelineContract, ServersEnv);

} // namespace
} // namespace migrate::contract
