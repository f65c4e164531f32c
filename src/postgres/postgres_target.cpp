#include "migrate/postgres/postgres_target.hpp"

#include "postgres/connection.hpp"
#include "postgres/load.hpp"
#include "postgres/sql.hpp"

#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include <optional>

namespace migrate::target {
namespace {

std::uint64_t as_bits(const pqxx::field& field) {
  return static_cast<std::uint64_t>(field.is_null() ? 0 : field.as<std::int64_t>());
}

class PostgresTarget final : public Target {
public:
  explicit PostgresTarget(const config::PostgresEndpoint& endpoint)
      : m_endpoint(endpoint)
      , m_connection(open_connection(endpoint)) {
    set_answer_limit(std::chrono::milliseconds(endpoint.read_timeout));
  }

  std::string encryption() const override { return describe_encryption(*m_connection); }

  std::optional<TargetTable> describe(const std::string& schema, const std::string& name) override {
    return translate(connection(), name, [&]() -> std::optional<TargetTable> {
      // Catalog reads in autocommit: a read-only transaction would cost two more round trips,
      // which a WAN link makes the larger part of a run with nothing to do.
      pqxx::nontransaction tx(connection());
      const auto columns =
          tx.exec_params("SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull "
                         "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                         "JOIN pg_namespace n ON n.oid = c.relnamespace "
                         "WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p') "
                         "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
                         schema,
                         name);
      if (columns.empty()) {
        return std::nullopt;
      }
      TargetTable table{schema, name, {}, {}};
      for (const auto& row : columns) {
        table.columns.push_back(TargetColumn{
            row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<bool>(), {}, false});
      }
      const auto keys = tx.exec_params(
          "SELECT a.attname FROM pg_index i "
          "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
          "WHERE i.indrelid = $1::regclass AND i.indisprimary "
          "ORDER BY array_position(i.indkey::int2[], a.attnum)",
          qualified(table));
      for (const auto& row : keys) {
        table.primary_key.push_back(row[0].as<std::string>());
      }
      read_allowed_values(tx, table);
      return table;
    });
  }

  TargetServerInfo server_info() override {
    return translate(connection(), {}, [&] {
      pqxx::read_transaction tx(connection());
      const auto row =
          tx.exec("SELECT current_setting('server_version'), current_user::text, "
                  "(SELECT rolsuper FROM pg_roles WHERE rolname = current_user), "
                  "coalesce((SELECT version || ' ' || cipher FROM pg_stat_ssl WHERE pid = "
                  "pg_backend_pid() AND ssl), ''), "
                  "(SELECT reset_val FROM pg_settings WHERE name = 'TimeZone'), "
                  "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'), "
                  "current_setting('server_encoding')")[0];
      TargetServerInfo info;
      info.version = row[0].as<std::string>();
      info.role = row[1].as<std::string>();
      info.superuser = row[2].as<bool>(false);
      info.tls = row[3].as<std::string>();
      if (!info.tls.empty()) {
        info.tls_subject = certificate_subject(raw_connection(connection()));
      }
      info.time_zone = row[4].as<std::string>();
      info.utc_now = row[5].as<std::string>();
      info.encoding = row[6].as<std::string>();
      return info;
    });
  }

  std::vector<std::string> missing_privileges(const TargetTable& table) override {
    return translate(connection(), table.name, [&] {
      pqxx::read_transaction tx(connection());
      std::vector<std::string> out;
      // Merges stage their rows in a temporary table.
      if (!tx.exec("SELECT has_database_privilege(current_database(), 'TEMPORARY')")[0][0]
               .as<bool>()) {
        out.push_back(std::string("TEMPORARY on database ") + tx.conn().dbname());
      }
      const auto schema =
          tx.exec_params("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1), "
                         "has_database_privilege(current_database(), 'CREATE'), "
                         "CASE WHEN EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) THEN "
                         "has_schema_privilege($1, 'CREATE') END, "
                         "CASE WHEN EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) THEN "
                         "has_schema_privilege($1, 'USAGE') END",
                         table.schema)[0];
      if (!schema[0].as<bool>()) {
        if (!schema[1].as<bool>()) {
          out.push_back(std::string("CREATE on database ") + tx.conn().dbname()
                        + " (to create schema " + table.schema + ")");
        }
        return out;
      }
      if (!schema[3].as<bool>()) {
        out.push_back("USAGE on schema " + table.schema);
      }
      const auto owned = tx.exec_params(
          "SELECT pg_has_role(c.relowner, 'USAGE'), "
          "has_table_privilege(c.oid, 'SELECT'), has_table_privilege(c.oid, 'INSERT'), "
          "has_table_privilege(c.oid, 'UPDATE'), has_table_privilege(c.oid, 'DELETE') "
          "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
          "WHERE n.nspname = $1 AND c.relname = $2",
          table.schema,
          table.name);
      if (owned.empty()) {
        if (!schema[2].as<bool>()) {
          out.push_back("CREATE on schema " + table.schema);
        }
        return out;
      }
      // ALTER (tool columns, keys) and TRUNCATE-free replacement need the table's owner role.
      const char* const k_privileges[] = {"ownership", "SELECT", "INSERT", "UPDATE", "DELETE"};
      for (int i = 0; i < 5; ++i) {
        if (!owned[0][i].as<bool>()) {
          out.push_back(std::string(k_privileges[i]) + " on table " + table.qualified_name());
        }
      }
      return out;
    });
  }

  std::string create_table_sql(const TargetTable& table) const override {
    return target::create_table_sql(table);
  }

  void build_keys(const TargetTable& table) override {
    translate(connection(), table.name, [&] {
      pqxx::work tx(connection());
      const auto existing = tx.exec_params(
          "SELECT EXISTS (SELECT 1 FROM pg_index WHERE indrelid = $1::regclass AND indisprimary), "
          "EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = $1::regclass AND attname = $2 "
          "AND attgenerated <> '')",
          qualified(table),
          std::string(k_seal_column));
      const auto sql = build_keys_sql(table, existing[0][0].as<bool>(), existing[0][1].as<bool>());
      if (!sql.empty()) {
        tx.exec(sql);
      }
      tx.commit();
    });
  }

  // create_table() makes the seal a generated column; a table emptied since (or made by a run
  // that loaded nothing) has a plain one, which is made generated again while the table is empty.
  // Where the client seals, the seal is a plain column instead, and the rows bring it.
  bool prepare_first_load(const TargetTable& table, bool client_seals) override {
    return translate(connection(), table.name, [&] {
      pqxx::work tx(connection());
      const auto relation = qualified(table);
      const auto generated = tx.exec_params(
          "SELECT attgenerated <> '' FROM pg_attribute WHERE attrelid = $1::regclass AND "
          "attname = $2 AND NOT attisdropped",
          relation,
          std::string(k_seal_column));
      const bool exists = !generated.empty();
      const bool client = client_seals && exists && client_can_seal(tx, table, relation);
      if (client && generated[0][0].as<bool>()) {
        tx.exec(plain_seal_sql(table));
      } else if (!client && (!exists || !generated[0][0].as<bool>())) {
        tx.exec(generated_seal_sql(table, exists));
      }
      tx.commit();
      return client;
    });
  }

  // An index an older version built as UNIQUE is built again without the constraint.
  void relax_unique_indexes(const TargetTable& table) override {
    translate(connection(), table.name, [&] {
      pqxx::work tx(connection());
      for (const auto& index : table.indexes) {
        const auto name = index_name(table, index);
        const auto unique = tx.exec_params(
            "SELECT EXISTS (SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = $1::regclass AND c.relname = $2 AND i.indisunique AND NOT "
            "i.indisprimary)",
            qualified(table),
            name);
        if (unique[0][0].as<bool>()) {
          spdlog::info("table={} index {} rebuilt without UNIQUE: uniqueness is checked at the "
                       "cutover",
                       table.name,
                       name);
          tx.exec("DROP INDEX " + quote_name(table.schema) + "." + quote_name(name));
          tx.exec(index_sql(table, index));
        }
      }
      tx.commit();
    });
  }

  void create_table(const TargetTable& table) override {
    translate(connection(), table.name, [&] {
      pqxx::work tx(connection());
      // CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the schema exists,
      // which a role that only owns its schema (as on Aurora) lacks.
      const auto schema_exists = tx.exec_params(
          "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", table.schema);
      if (!schema_exists[0][0].as<bool>()) {
        tx.exec("CREATE SCHEMA " + quote_name(table.schema));
      }
      tx.exec(create_sql(table));
      tx.commit();
    });
  }

  std::unique_ptr<LoadSession> begin_load(const TargetTable& table, LoadMode mode) override {
    return make_load(connection(), table, mode);
  }

  // The labels of each ENUM column: its enum type's, or the quoted literals of the one-column CHECK
  // the tool wrote (pg_get_constraintdef prints it as "= ANY (ARRAY['a'::text, ...])").
  static void read_allowed_values(pqxx::transaction_base& tx, TargetTable& table) {
    const auto labels = tx.exec_params(
        // enumlabel is a `name`: uncast, it would make the UNION's column a `name` too, and cut
        // the CHECK's text at 63 bytes, losing the labels after it.
        "SELECT a.attname, e.enumlabel::text, true FROM pg_attribute a "
        "JOIN pg_enum e ON e.enumtypid = a.atttypid WHERE a.attrelid = $1::regclass "
        "AND a.attnum > 0 AND NOT a.attisdropped "
        "UNION ALL SELECT a.attname, pg_get_constraintdef(c.oid), false FROM pg_constraint c "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
        "WHERE c.conrelid = $1::regclass AND c.contype = 'c' AND cardinality(c.conkey) = 1 "
        "ORDER BY 1",
        qualified(table));
    for (const auto& row : labels) {
      for (auto& column : table.columns) {
        if (column.name != row[0].as<std::string>()) {
          continue;
        }
        if (row[2].as<bool>()) {
          column.enum_type = true;
          column.allowed_values.push_back(row[1].as<std::string>());
        } else {
          column.allowed_values = quoted_literals(row[1].as<std::string>());
        }
      }
    }
  }

  std::string alter_table_sql(const TargetTable& table,
                              const std::vector<SchemaChange>& changes) const override {
    return target::alter_table_sql(table, changes);
  }

  void alter_table(const TargetTable& table, const std::vector<SchemaChange>& changes) override {
    translate(connection(), table.name, [&] {
      pqxx::work tx(connection());
      for (const auto& change : changes) {
        std::string check_name;
        if (change.kind == SchemaChange::Kind::add_enum_label && !change.column.enum_type) {
          const auto found = tx.exec_params(
              "SELECT c.conname FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = "
              "c.conrelid AND a.attnum = c.conkey[1] WHERE c.conrelid = $1::regclass AND "
              "c.contype = 'c' AND cardinality(c.conkey) = 1 AND a.attname = $2",
              qualified(table),
              change.column.name);
          check_name = found.empty() ? table.name + "_" + change.column.name + "_check"
                                     : found[0][0].as<std::string>();
        }
        tx.exec(change_sql(table, change, check_name));
      }
      tx.commit();
    });
  }

  void ensure_tool_columns(const TargetTable& table) override {
    translate(connection(), table.name, [&] {
      pqxx::work tx(connection());
      const auto present = [&](const std::string& column) {
        return tx
            .exec_params("SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = $1::regclass "
                         "AND attname = $2 AND NOT attisdropped)",
                         qualified(table),
                         column)[0][0]
            .as<bool>();
      };
      // Checked first: ALTER TABLE takes an exclusive lock even when IF NOT EXISTS finds the
      // column, and a reader of the table would wait for it every run.
      // The rows a target made before a column existed have none: their chunks differ once, and
      // the comparison reads them again and writes the column.
      for (const char* column : {k_digest_column, k_seal_column}) {
        if (!present(column)) {
          spdlog::info("table={} adding column {}: the next comparison reads the rows written "
                       "before it once to fill it",
                       table.name,
                       column);
          tx.exec("ALTER TABLE " + qualified(table) + " ADD COLUMN " + quote_name(column)
                  + " bigint");
        }
      }
      if (!table.soft_delete_column.empty() && !present(table.soft_delete_column)) {
        tx.exec("ALTER TABLE " + qualified(table) + " ADD COLUMN "
                + quote_name(table.soft_delete_column) + " timestamp with time zone");
      }
      tx.commit();
    });
  }

  std::uint64_t count_rows(const TargetTable& table) override {
    return translate(connection(), table.name, [&] {
      pqxx::nontransaction tx(connection());
      return tx.exec(count_rows_sql(table))[0][0].as<std::uint64_t>();
    });
  }

  std::uint64_t count_null(const TargetTable& table, const std::string& column) override {
    return translate(connection(), table.name, [&] {
      pqxx::read_transaction tx(connection());
      return tx.exec(count_null_sql(table, column))[0][0].as<std::uint64_t>();
    });
  }

  std::vector<ChunkDigest> chunk_digests(const TargetTable& table,
                                         const ComparePlan& plan) override {
    const auto query = chunk_digests_sql(table, plan);
    return translate(connection(), table.name, [&] {
      pqxx::read_transaction tx(connection());
      std::vector<ChunkDigest> out;
      for (const auto& r : tx.exec(query.sql)) {
        ChunkDigest digest;
        digest.id = r[0].as<std::string>();
        digest.rows = r[1].as<std::uint64_t>();
        digest.hash = as_bits(r[2]);
        for (std::size_t i = 0; i < query.float_sums; ++i) {
          digest.float_sums.push_back(r[static_cast<int>(3 + i)].as<double>());
        }
        if (query.hash_sum) {
          digest.hash_sum = r[static_cast<int>(3 + query.float_sums)].as<std::string>();
        }
        digest.rows_unsealed = r[r.size() - 1].as<std::uint64_t>();
        out.push_back(std::move(digest));
      }
      return out;
    });
  }

  std::vector<RowDigest> row_digests(const TargetTable& table, const ChunkFilter& chunk) override {
    const auto sql = row_digests_sql(table, chunk);
    return translate(connection(), table.name, [&] {
      pqxx::read_transaction tx(connection());
      std::vector<RowDigest> out;
      for (const auto& r : tx.exec(sql)) {
        RowDigest digest;
        if (!r[0].is_null()) {
          digest.hash = as_bits(r[0]); // the signed reading of MySQL's unsigned 64 bits
        }
        digest.written_by_migrate = r[1].as<bool>();
        for (int i = 2; i < static_cast<int>(r.size()); ++i) {
          digest.key.push_back(r[i].is_null() ? std::nullopt
                                              : std::optional<std::string>(r[i].c_str()));
        }
        out.push_back(std::move(digest));
      }
      return out;
    });
  }

  std::string identity(const TargetTable& table) override {
    return translate(connection(), table.name, [&] {
      pqxx::nontransaction tx(connection());
      return "oid:"
             + tx.exec_params("SELECT $1::regclass::oid::text", qualified(table))[0][0]
                   .as<std::string>();
    });
  }

  TargetCatalog catalog(const TargetTable& table, const std::string& serial_column) override {
    return translate(connection(), table.name, [&] {
      pqxx::read_transaction tx(connection());
      TargetCatalog out;
      for (const auto& row : tx.exec_params(
               "SELECT c.relname, i.indisunique, i.indisvalid FROM pg_index i JOIN pg_class c "
               "ON c.oid = i.indexrelid WHERE i.indrelid = $1::regclass AND NOT i.indisprimary "
               "ORDER BY c.relname",
               qualified(table))) {
        out.indexes.push_back({row[0].as<std::string>(), row[1].as<bool>(), row[2].as<bool>()});
      }
      for (const auto& row : tx.exec_params("SELECT conname, contype = 'f', convalidated FROM "
                                            "pg_constraint WHERE conrelid = $1::regclass "
                                            "ORDER BY conname",
                                            qualified(table))) {
        out.constraints.push_back({row[0].as<std::string>(), row[1].as<bool>(), row[2].as<bool>()});
      }
      read_columns_and_triggers(tx, table, out);
      if (!serial_column.empty()) {
        read_serial(tx, table, serial_column, out);
      }
      return out;
    });
  }

  static void read_columns_and_triggers(pqxx::transaction_base& tx,
                                        const TargetTable& table,
                                        TargetCatalog& out) {
    for (const auto& row : tx.exec_params("SELECT attname, attnotnull, atthasdef FROM pg_attribute "
                                          "WHERE attrelid = $1::regclass AND attnum > 0 AND NOT "
                                          "attisdropped ORDER BY attnum",
                                          qualified(table))) {
      out.columns.push_back({row[0].as<std::string>(), row[1].as<bool>(), row[2].as<bool>()});
    }
    for (const auto& row : tx.exec_params("SELECT tgname FROM pg_trigger WHERE tgrelid = "
                                          "$1::regclass AND NOT tgisinternal ORDER BY tgname",
                                          qualified(table))) {
      out.triggers.push_back(row[0].as<std::string>());
    }
  }

  // The column's identity, default and sequence (pg_get_serial_sequence finds both an identity's
  // and a serial's), the sequence's next value and the column's highest value.
  static void read_serial(pqxx::transaction_base& tx,
                          const TargetTable& table,
                          const std::string& column,
                          TargetCatalog& out) {
    const auto row = tx.exec_params(
        "SELECT a.attidentity <> '', pg_get_expr(d.adbin, d.adrelid), "
        "pg_get_serial_sequence($1::text, $2::text) FROM pg_attribute a LEFT JOIN pg_attrdef d "
        "ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
        "WHERE a.attrelid = $1::text::regclass AND a.attname = $2::text",
        qualified(table),
        column);
    if (row.empty()) {
      return;
    }
    out.identity = row[0][0].as<bool>();
    out.column_default = row[0][1].is_null() ? "" : row[0][1].as<std::string>();
    out.sequence = row[0][2].is_null() ? "" : row[0][2].as<std::string>();
    if (!out.sequence.empty()) {
      // The owner of the table owns its identity's sequence and may read it.
      const auto seq = tx.exec("SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value "
                               "END FROM "
                               + out.sequence);
      out.sequence_next = seq[0][0].as<std::int64_t>();
    }
    const auto max =
        tx.exec("SELECT max(" + quote_name(column) + ")::text FROM " + qualified(table));
    if (!max[0][0].is_null()) {
      try {
        out.max_value = std::stoll(max[0][0].as<std::string>());
      } catch (const std::exception&) {
        // Not an integer (or beyond bigint): no identity is planned for it anyway.
      }
    }
  }

  void execute(const TargetTable& table, const std::string& sql) override {
    translate(connection(), table.name, [&] {
      pqxx::work tx(connection());
      tx.exec(sql);
      tx.commit();
    });
  }

  std::vector<std::string> orphan_keys(const TargetForeignKey& key, std::size_t limit) override {
    return translate(connection(), key.table, [&] {
      pqxx::read_transaction tx(connection());
      std::vector<std::string> out;
      for (const auto& row : tx.exec(orphan_keys_sql(key, limit))) {
        out.push_back(row[0].as<std::string>());
      }
      return out;
    });
  }

  void drop_table(const TargetTable& table) override {
    translate(connection(), table.name, [&] {
      pqxx::work tx(connection());
      tx.exec("DROP TABLE IF EXISTS " + qualified(table));
      for (const auto& column : table.columns) {
        if (column.enum_type) { // made with the table (enum_as: type); CREATE would find it
          tx.exec("DROP TYPE IF EXISTS " + column.pg_type);
        }
      }
      tx.commit();
    });
  }

  bool is_empty(const TargetTable& table) override {
    return translate(connection(), table.name, [&] {
      pqxx::nontransaction tx(connection());
      return tx.exec("SELECT NOT EXISTS (SELECT 1 FROM " + qualified(table) + ")")[0][0].as<bool>();
    });
  }

private:
  // The connection, opened again when the last one broke (a restart, a failover): the run's retry
  // calls in here again after a wait. A load session holds the old one until it ends.
  pqxx::connection& connection() {
    if (!m_connection || !m_connection->is_open()) {
      m_connection.reset();
      m_connection = open_connection(m_endpoint);
    }
    return *m_connection;
  }

  config::PostgresEndpoint m_endpoint;
  std::unique_ptr<pqxx::connection> m_connection;
};

} // namespace

std::unique_ptr<Target> make_postgres_target(const config::PostgresEndpoint& endpoint) {
  return std::make_unique<PostgresTarget>(endpoint);
}

} // namespace migrate::target
