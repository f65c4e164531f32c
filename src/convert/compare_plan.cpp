#include "migrate/convert/compare_plan.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace migrate::convert {
namespace {

HashColumn hash_column(const ColumnPlan& column) {
  HashColumn out{column.source.name,
                 column.target_name,
                 hash_kind(column),
                 0,
                 {},
                 source_text(column.source),
                 column.source.data_type};
  out.width = column.source.numeric_precision;
  using Kind = config::TransformKind;
  for (const auto& t : column.transforms) {
    switch (t.kind) {
    case Kind::lowercase:
      out.transforms.push_back({HashTransform::Kind::lowercase, {}});
      break;
    case Kind::uppercase:
      out.transforms.push_back({HashTransform::Kind::uppercase, {}});
      break;
    case Kind::trim:
      out.transforms.push_back({HashTransform::Kind::trim, {}});
      break;
    case Kind::null_if:
      out.transforms.push_back({HashTransform::Kind::null_if, t.value});
      break;
    case Kind::default_value:
      out.transforms.push_back({HashTransform::Kind::default_value, t.value});
      break;
    default:
      // SQL cannot repeat it (a salted hash, phone formatting): compare NULL-ness only.
      out.kind = HashKind::presence;
    }
  }
  if (column.fix_double_encoding) {
    out.kind = HashKind::presence;
  }
  return out;
}

std::string whole_number(long double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.0Lf", std::max(1.0L, std::ceil(value)));
  return buffer;
}

} // namespace

SourceText source_text(const SourceColumn& column) {
  const auto& type = column.data_type;
  const bool binary = column.charset.empty() || column.charset == "binary";
  if (is_geometry_type(type)) {
    return SourceText::as_hashed_text; // read as WKT
  }
  if (type == "char" || type == "varchar" || type == "enum" || type == "set") {
    return binary ? SourceText::as_sized_bytes : SourceText::as_sized_text;
  }
  if (type.find("text") != std::string::npos) {
    return binary ? SourceText::as_hashed_bytes : SourceText::as_hashed_text;
  }
  if (type == "binary" || type == "varbinary" || type == "bit") {
    return SourceText::as_sized_bytes;
  }
  if (type == "json" || type.find("blob") != std::string::npos) {
    return SourceText::as_hashed_bytes;
  }
  return SourceText::as_text; // numbers, doubles, dates and times, inet, uuid
}

std::vector<HashColumn> digest_columns(const TablePlan& plan) {
  std::vector<HashColumn> out;
  for (const auto& column : plan.columns) {
    out.push_back(hash_column(column));
  }
  return out;
}

// The part of a target type that decides the text a value is stored as: a length limit or an
// integer's width does not (a wider varchar, int -> bigint, a higher numeric precision keep every
// value), so widening a column does not make every row's digest differ; a numeric scale does.
std::string value_class(const std::string& pg_type) {
  const auto open = pg_type.find('(');
  const auto base = pg_type.substr(0, open);
  if (base == "smallint" || base == "integer" || base == "bigint") {
    return "integer";
  }
  if (base == "varchar" || base == "character varying" || base == "text") {
    return "text";
  }
  if (base == "numeric" && open != std::string::npos) {
    const auto comma = pg_type.find(',', open);
    return "numeric scale "
           + (comma == std::string::npos
                  ? std::string("0")
                  : pg_type.substr(comma + 1, pg_type.find(')', comma) - comma - 1));
  }
  return pg_type;
}

std::string mapping_fingerprint(const TablePlan& plan) {
  // Everything that decides what the load writes for a value: a change to it makes every row's
  // digest differ once, so the next comparison rewrites the rows with the new mapping.
  std::string text;
  const auto add = [&text](const auto&... parts) {
    ((text += parts, text += '|'), ...);
  };
  add(std::to_string(static_cast<int>(plan.bad_text)),
      plan.zero_date.value_or("-"),
      std::to_string(static_cast<int>(plan.enum_as)));
  for (const auto& column : plan.columns) {
    add(column.target_name,
        value_class(column.type.pg_type),
        column.fix_double_encoding ? "f" : "-");
    for (const auto& t : column.transforms) {
      add(std::to_string(static_cast<int>(t.kind)),
          t.value,
          t.country_code,
          std::to_string(static_cast<int>(t.on_error)),
          std::to_string(static_cast<int>(t.mask)),
          t.salt);
    }
  }
  std::uint64_t hash = 14695981039346656037ULL; // FNV-1a: the same in every build
  for (const char c : text) {
    hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(hash));
  return out;
}

HashKind hash_kind(const ColumnPlan& column) {
  switch (column.type.kind) {
  case ValueKind::integer:
  case ValueKind::year:
    return HashKind::integer;
  case ValueKind::boolean:
  case ValueKind::bit_boolean:
    return HashKind::boolean;
  case ValueKind::bit_string:
    return HashKind::bits;
  case ValueKind::decimal:
    return HashKind::decimal;
  case ValueKind::floating:
    return HashKind::float_value;
  case ValueKind::set:
    return HashKind::set;
  case ValueKind::bytes:
    return HashKind::bytes;
  case ValueKind::date:
    return HashKind::date;
  case ValueKind::datetime:
  case ValueKind::timestamp:
    return HashKind::datetime;
  case ValueKind::time_interval:
    return HashKind::time;
  case ValueKind::text:
    break;
  }
  if (column.type.pg_type == "inet") {
    return HashKind::inet;
  }
  if (column.type.pg_type == "jsonb") {
    return HashKind::presence;
  }
  if (is_geometry_type(column.source.data_type)) {
    return HashKind::geometry;
  }
  return HashKind::text;
}

ComparePlan compare_plan(const TablePlan& plan, const KeyRange& range, std::size_t chunk_rows) {
  ComparePlan out;
  for (const auto& column : plan.columns) {
    out.columns.push_back(hash_column(column));
  }
  out.zero_date = plan.zero_date;
  out.where = plan.where;
  out.digest_fingerprint = mapping_fingerprint(plan);
  if (plan.sync == config::SyncMode::replace) {
    // Replaced whole, so compared whole: no key is needed, and duplicate rows count.
    out.chunking = Chunking{Chunking::Kind::whole, "1"};
    return out;
  }
  for (const auto position : plan.key_positions) {
    out.key_columns.push_back(hash_column(plan.columns[position]));
  }
  out.key = out.key_columns.front();
  const auto rows = static_cast<long double>(std::max<std::uint64_t>(range.rows, 1));
  const auto per_chunk = static_cast<long double>(std::max<std::size_t>(chunk_rows, 1));
  if (out.key.kind == HashKind::integer && !range.min.empty()) {
    const long double span = std::stold(range.max) - std::stold(range.min) + 1.0L;
    out.chunking = Chunking{Chunking::Kind::range, whole_number(span * per_chunk / rows)};
  } else {
    out.chunking = Chunking{Chunking::Kind::hash, whole_number(rows / per_chunk)};
  }
  return out;
}

} // namespace migrate::convert
