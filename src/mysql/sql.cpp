#include "mysql/sql.hpp"

#include "migrate/core/error.hpp"

namespace migrate::source {
namespace {

bool is_numeric_type(const std::string& type) {
  static const char* const k_types[] = {
      "tinyint", "smallint", "mediumint", "int", "bigint", "decimal", "float", "double", "year"};
  for (const char* name : k_types) {
    if (type == name) {
      return true;
    }
  }
  return false;
}

bool looks_numeric(const std::string& value) {
  if (value.empty()) {
    return false;
  }
  for (const char c : value) {
    if ((c < '0' || c > '9') && c != '-' && c != '.' && c != 'e' && c != 'E' && c != '+') {
      return false;
    }
  }
  return true;
}

// ORDER BY sorts an ENUM by its index but compares it with a string as text, so a cursor on an ENUM
// compares indexes: the order the rows were read in.
std::string cursor_operand(const SourceColumn& column) {
  return column.data_type == "enum" ? "(" + quote_name(column.name) + " + 0)"
                                    : quote_name(column.name);
}

std::string
cursor_value(const SourceColumn& column, const std::string& value, const Literal& literal) {
  if (column.data_type == "enum") {
    const auto labels = convert::parse_enum_values(column.column_type);
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (labels[i] == value) {
        return std::to_string(i + 1);
      }
    }
    return "0"; // '', MySQL's error value, has index 0
  }
  return literal_for(column, value, literal);
}

// "a > x OR (a = x AND b > y)": rows after the tuple (a, b) = (x, y) in lexicographic order.
std::string after_tuple(const std::vector<SourceColumn>& columns,
                        const std::vector<std::string>& values,
                        const Literal& literal) {
  std::string out = "(";
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) {
      out += " OR ";
    }
    out += "(";
    for (std::size_t j = 0; j < i; ++j) {
      out += cursor_operand(columns[j]) + " = " + cursor_value(columns[j], values[j], literal)
             + " AND ";
    }
    out += cursor_operand(columns[i]) + " > " + cursor_value(columns[i], values[i], literal);
    out += ")";
  }
  return out + ")";
}

std::string order_list(const std::vector<SourceColumn>& columns) {
  std::string out;
  for (const auto& column : columns) {
    out += (out.empty() ? "" : ", ") + quote_name(column.name);
  }
  return out;
}

// Zero dates become what the load writes: NULL, or the sentinel formatted like a real date.
std::string zero_date_guard(const std::string& c,
                            const std::string& format,
                            const std::optional<std::string>& sentinel) {
  const auto replacement =
      sentinel ? "DATE_FORMAT(CAST(" + sql_literal(*sentinel) + " AS DATETIME(6)), " + format + ")"
               : std::string("NULL");
  return "IF(YEAR(" + c + ") = 0 OR MONTH(" + c + ") = 0 OR DAYOFMONTH(" + c + ") = 0, "
         + replacement + ", DATE_FORMAT(" + c + ", " + format + "))";
}

std::string with_transforms(const HashColumn& column, std::string text) {
  for (const auto& t : column.transforms) {
    switch (t.kind) {
    case HashTransform::Kind::lowercase:
      text = "LOWER(" + text + ")";
      break;
    case HashTransform::Kind::uppercase:
      text = "UPPER(" + text + ")";
      break;
    case HashTransform::Kind::trim:
      text = "TRIM(" + text + ")";
      break;
    case HashTransform::Kind::null_if:
      text = "NULLIF(" + text + ", " + sql_literal(t.value) + ")";
      break;
    case HashTransform::Kind::default_value:
      text = "COALESCE(" + text + ", " + sql_literal(t.value) + ")";
      break;
    }
  }
  return text;
}

// The first 64 bits of the SHA-256 of the joined parts, as an unsigned integer.
std::string digest_sql(const std::vector<std::string>& parts) {
  return "CAST(CONV(SUBSTRING(SHA2(" + joined_row_sql(parts)
         + ", 256), 1, 16), 16, 10) AS UNSIGNED)";
}

// "<bytes>:<value>" of a value of bounded size, as bytes: bytes have no collation to clash
// with the other parts' in concat_ws().
std::string sized_sql(const std::string& value) {
  const auto bytes = "CAST(" + value + " AS BINARY)";
  return "CONCAT(LENGTH(" + bytes + "), ':', " + bytes + ")";
}

// The row digest the load stored (convert/row_digest.cpp computes it from what the text protocol
// sent), recomputed here from the same values: each read with the expression the load reads it
// with, printed as the protocol prints it (CAST AS CHAR), or hashed (SHA-256 of the utf8mb4 text,
// or of the bytes), or with its length in front. Only values of bounded size go in whole, so no
// row's text can reach max_allowed_packet, over which MySQL's string functions return NULL.
// The expression a read selects the column with.
std::string read_sql(const HashColumn& column, const convert::ReadDialect& dialect) {
  SourceColumn read;
  read.name = column.source_name;
  read.data_type = column.source_data_type;
  return convert::select_expression(read, quote_name(column.source_name), dialect);
}

std::string key_text(const ComparePlan& plan) {
  std::string out = "CONCAT(";
  for (std::size_t i = 0; i < plan.key_columns.size(); ++i) {
    // Key columns are never geometry: the dialect does not matter.
    out += (i == 0 ? "" : ", ") + hash_part(plan.key_columns[i], std::nullopt, {});
  }
  return out + ")";
}

// The mapping's `where` and the plan's slice, as the WHERE clause of a chunk digest query.
std::string where_sql(const ComparePlan& plan) {
  std::string out = plan.where.empty() ? "" : "(" + plan.where + ")";
  const auto slice = slice_sql(plan, quote_name(plan.key.source_name), chunk_id_sql(plan));
  if (!slice.empty()) {
    out += (out.empty() ? "" : " AND ") + slice;
  }
  return out.empty() ? "" : " WHERE " + out;
}

std::string float_columns(const ComparePlan& plan) {
  std::string out;
  for (const auto& column : plan.columns) {
    if (column.kind == HashKind::float_value) {
      out += ", " + quote_name(column.source_name);
    }
  }
  return out;
}

} // namespace

std::string quote_name(const std::string& name) {
  std::string out = "`";
  for (const char c : name) {
    out += c;
    if (c == '`') {
      out += '`';
    }
  }
  return out + "`";
}

std::string sql_literal(const std::string& value) {
  std::string out = "'";
  for (const char c : value) {
    if (c == '\\' || c == '\'') {
      out += c;
    }
    out += c;
  }
  return out + "'";
}

std::string
literal_for(const SourceColumn& column, const std::string& value, const Literal& literal) {
  if (is_numeric_type(column.data_type) && looks_numeric(value)) {
    return value;
  }
  return literal(value);
}

// ---- reads ----

std::string where_clause(const ReadRequest& request, const Literal& literal) {
  std::vector<std::string> conditions;
  if (request.order == ReadOrder::by_timestamp_then_key) {
    if (!request.timestamp) {
      throw Error(ErrorArea::internal, "timestamp order without a timestamp column");
    }
    auto order = request.key;
    order.insert(order.begin(), *request.timestamp);
    const auto ts = quote_name(request.timestamp->name);
    if (request.after_timestamp && request.after_key.empty()) {
      conditions.push_back(ts + " > " + literal(*request.after_timestamp));
    } else if (request.after_timestamp) {
      std::vector<std::string> values = {*request.after_timestamp};
      values.insert(values.end(), request.after_key.begin(), request.after_key.end());
      conditions.push_back(after_tuple(order, values, literal));
    }
    if (request.until_timestamp) {
      conditions.push_back(ts + " <= " + literal(*request.until_timestamp));
    }
  } else if (!request.after_key.empty()) {
    conditions.push_back(after_tuple(request.key, request.after_key, literal));
  }
  if (request.only_null_or_zero_timestamp) {
    if (!request.timestamp) {
      throw Error(ErrorArea::internal, "NULL timestamps asked without a timestamp column");
    }
    const auto ts = quote_name(request.timestamp->name);
    const auto zero =
        request.timestamp->data_type == "date" ? "'0000-00-00'" : "'0000-00-00 00:00:00'";
    conditions.push_back("(" + ts + " IS NULL OR " + ts + " = " + zero + ")");
  }
  if (request.chunk) {
    conditions.push_back(chunk_condition_sql(*request.chunk));
  }
  if (!request.where.empty()) {
    conditions.push_back("(" + request.where + ")");
  }
  std::string sql;
  for (std::size_t i = 0; i < conditions.size(); ++i) {
    sql += (i == 0 ? " WHERE " : " AND ") + conditions[i];
  }
  return sql;
}

std::string build_read_sql(const ReadRequest& request,
                           const convert::ReadDialect& dialect,
                           const Literal& literal) {
  std::string sql = "SELECT ";
  for (std::size_t i = 0; i < request.columns.size(); ++i) {
    sql += (i == 0 ? "" : ", ")
           + convert::select_expression(
               request.columns[i], quote_name(request.columns[i].name), dialect);
  }
  sql += " FROM " + quote_name(request.table) + where_clause(request, literal);
  auto order = request.key;
  if (request.order == ReadOrder::by_timestamp_then_key) {
    order.insert(order.begin(), *request.timestamp);
  }
  if (!order.empty()) {
    sql += " ORDER BY " + order_list(order); // a table without a key is read in no order
  }
  return sql;
}

std::string count_rows_sql(const ReadRequest& request, const Literal& literal) {
  return "SELECT COUNT(*) FROM " + quote_name(request.table) + where_clause(request, literal);
}

std::string
key_range_sql(const std::string& table, const std::string& key_column, const std::string& where) {
  const auto c = quote_name(key_column);
  return "SELECT COUNT(*), CAST(MIN(" + c + ") AS CHAR), CAST(MAX(" + c + ") AS CHAR) FROM "
         + quote_name(table) + (where.empty() ? "" : " WHERE (" + where + ")");
}

// ---- comparison ----

std::string hash_text(const HashColumn& column,
                      const std::optional<std::string>& zero_date,
                      const convert::ReadDialect& dialect) {
  const auto c = quote_name(column.source_name);
  switch (column.kind) {
  case HashKind::integer:
  case HashKind::decimal:
    return with_transforms(column, "CAST(" + c + " AS CHAR)");
  case HashKind::inet:
    return "CAST(" + c + " AS CHAR)";
  case HashKind::boolean:
    return "CAST(" + c + " + 0 AS CHAR)";
  case HashKind::bits:
    return "LPAD(BIN(" + c + " + 0), " + std::to_string(column.width) + ", '0')";
  case HashKind::text:
    return with_transforms(column, "CONVERT(" + c + " USING utf8mb4)");
  case HashKind::geometry: {
    SourceColumn read;
    read.data_type = "geometry";
    return convert::select_expression(read, c, dialect);
  }
  case HashKind::set:
    return "CAST(" + c + " AS CHAR)";
  case HashKind::bytes:
    return c; // hashed as the bytes themselves (hash_part)
  case HashKind::date:
    return zero_date_guard(c, "'%Y-%m-%d'", zero_date);
  case HashKind::datetime:
    return zero_date_guard(c, "'%Y-%m-%d %H:%i:%s.%f'", zero_date);
  case HashKind::time:
    // TIME_TO_SEC() drops the fraction on MySQL (MariaDB keeps it): the seconds are summed from
    // the parts, which both keep; HOUR() of a negative TIME is its magnitude.
    return "CAST(IF(" + c + " < TIME'00:00:00', -1, 1) * (HOUR(" + c + ") * 3600 + MINUTE(" + c
           + ") * 60 + SECOND(" + c + ") + MICROSECOND(" + c + ") * 0.000001) AS DECIMAL(20,6))";
  case HashKind::float_value:
  case HashKind::presence:
    return "IF(" + c + " IS NULL, NULL, 'v')";
  }
  return c;
}

std::string hash_part(const HashColumn& column,
                      const std::optional<std::string>& zero_date,
                      const convert::ReadDialect& dialect) {
  const auto text = hash_text(column, zero_date, dialect);
  if (!hashed_alone(column.kind)) {
    return "COALESCE(" + text + ", 'N')";
  }
  return "COALESCE(SHA2(" + text + ", 256), 'N')";
}

std::string source_digest_part(const HashColumn& column, const convert::ReadDialect& dialect) {
  const auto value = read_sql(column, dialect);
  std::string text;
  switch (column.source_text) {
  case SourceText::as_text:
    text = "CAST(" + value + " AS CHAR)";
    break;
  case SourceText::as_sized_text:
    text = sized_sql("CONVERT(" + value + " USING utf8mb4)");
    break;
  case SourceText::as_sized_bytes:
    text = sized_sql(value);
    break;
  case SourceText::as_hashed_text:
    text = "SHA2(CONVERT(" + value + " USING utf8mb4), 256)";
    break;
  case SourceText::as_hashed_bytes:
    text = "SHA2(" + value + ", 256)";
    break;
  }
  return "COALESCE(" + text + ", 'N')";
}

std::string source_digest_sql(const std::vector<HashColumn>& columns,
                              const std::string& fingerprint,
                              const convert::ReadDialect& dialect) {
  std::vector<std::string> parts;
  for (const auto& column : columns) {
    parts.push_back(source_digest_part(column, dialect));
  }
  parts.push_back(sql_literal("m:" + fingerprint));
  return digest_sql(parts);
}

std::string chunk_id_sql(const ComparePlan& plan) {
  const auto& n = plan.chunking.width_or_buckets;
  if (plan.chunking.kind == Chunking::Kind::whole) {
    return "0";
  }
  if (plan.chunking.kind == Chunking::Kind::range) {
    return quote_name(plan.key.source_name) + " DIV " + n;
  }
  return "CAST(CONV(SUBSTRING(SHA2(" + key_text(plan) + ", 256), 1, 8), 16, 10) AS UNSIGNED) % "
         + n;
}

std::string chunk_condition_sql(const ChunkFilter& chunk) {
  const auto& plan = *chunk.plan;
  if (plan.chunking.kind == Chunking::Kind::whole) {
    return "1 = 1";
  }
  if (plan.chunking.kind == Chunking::Kind::hash) {
    return chunk_id_sql(plan) + " = " + chunk.id;
  }
  // A range keeps the primary key index in use.
  const auto bounds = range_bounds(chunk.id, plan.chunking.width_or_buckets);
  const auto key = quote_name(plan.key.source_name);
  return "(" + key + (bounds.low_inclusive ? " >= " : " > ") + bounds.low + " AND " + key
         + (bounds.high_inclusive ? " <= " : " < ") + bounds.high + ")";
}

// One row's 64 bits, as chunk_digests() folds them and row_digests() lists them: they must
// agree for a differing chunk to be narrowed down to its rows.
std::string row_hash_sql(const ComparePlan& plan, const convert::ReadDialect& dialect) {
  if (!plan.digest_column.empty()) {
    return source_digest_sql(plan.columns, plan.digest_fingerprint, dialect);
  }
  std::vector<std::string> parts;
  for (const auto& column : plan.columns) {
    parts.push_back(hash_part(column, plan.zero_date, dialect));
  }
  return digest_sql(parts);
}

ChunkDigestQuery chunk_digests_sql(const std::string& table,
                                   const ComparePlan& plan,
                                   const convert::ReadDialect& dialect) {
  // One hash per row, used once: MariaDB merges the derived table and would compute it again
  // for every use.
  const bool source_digest = !plan.digest_column.empty();
  std::string floats;
  std::size_t float_count = 0;
  for (const auto& column : plan.columns) {
    if (column.kind == HashKind::float_value && !source_digest) {
      floats += ", COALESCE(SUM(" + quote_name(column.source_name) + "), 0)";
      ++float_count;
    }
  }
  const auto row = row_hash_sql(plan, dialect);
  // SUM of an exact integer is an exact DECIMAL: no overflow, however many rows.
  const bool whole = plan.chunking.kind == Chunking::Kind::whole;
  const std::string sql =
      "SELECT CAST(chunk_id AS CHAR), COUNT(*), CAST(BIT_XOR(h) AS CHAR)" + floats
      + (whole ? ", CAST(SUM(h) AS CHAR)" : "") + " FROM (SELECT " + chunk_id_sql(plan)
      + " AS chunk_id, " + row + " AS h" + (source_digest ? "" : float_columns(plan)) + " FROM "
      + quote_name(table) + where_sql(plan) + ") AS rows_hashed GROUP BY chunk_id";
  return {sql, float_count, whole};
}

std::string row_digests_sql(const std::string& table,
                            const ChunkFilter& chunk,
                            const convert::ReadDialect& dialect) {
  const auto& plan = *chunk.plan;
  std::string sql = "SELECT CAST(" + row_hash_sql(plan, dialect) + " AS CHAR)";
  for (const auto& key : plan.key_columns) {
    sql += ", " + hash_text(key, plan.zero_date, {});
  }
  sql += " FROM " + quote_name(table) + " WHERE " + chunk_condition_sql(chunk)
         + (plan.where.empty() ? "" : " AND (" + plan.where + ")");
  return sql;
}

std::string digest_samples_sql(const std::string& table,
                               const ChunkFilter& chunk,
                               std::size_t limit,
                               const convert::ReadDialect& dialect) {
  const auto& plan = *chunk.plan;
  std::string sql = "SELECT ";
  for (const auto& column : plan.columns) {
    sql += read_sql(column, dialect) + ", ";
  }
  for (const auto& column : plan.columns) {
    sql += source_digest_part(column, dialect) + ", ";
  }
  sql += "CAST(" + source_digest_sql(plan.columns, plan.digest_fingerprint, dialect)
         + " AS CHAR) FROM " + quote_name(table) + " WHERE " + chunk_condition_sql(chunk)
         + (plan.where.empty() ? "" : " AND (" + plan.where + ")") + " LIMIT "
         + std::to_string(limit);
  return sql;
}

} // namespace migrate::source
