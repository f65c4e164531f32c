#include "migrate/config/config.hpp"

#include "migrate/config/compression.hpp"
#include "migrate/config/env.hpp"
#include "migrate/core/error.hpp"
#include "migrate/core/file_mode.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <regex>
#include <set>
#include <stdexcept>

namespace migrate::config {
namespace fs = std::filesystem;

std::string Location::to_string() const {
  return line > 0 ? file + ":" + std::to_string(line) : file;
}

std::string Endpoint::describe() const {
  return username + "@" + host + ":" + std::to_string(port) + "/" + database;
}

void Config::use_state(StateLocation location) {
  if (location.shared()) {
    location.file = state.file; // a shared store leaves the SQLite path as it was
  }
  state = std::move(location);
}

const TableMapping* Config::find_table(const std::string& name) const {
  for (const auto& table : tables) {
    if (table.name == name || table.source_table == name || table.target_table == name
        || table.target_schema + "." + table.target_table == name) {
      return &table;
    }
  }
  return nullptr;
}

const char* to_string(SslMode mode) noexcept {
  switch (mode) {
  case SslMode::disable:
    return "disable";
  case SslMode::prefer:
    return "prefer";
  case SslMode::require:
    return "require";
  case SslMode::verify_ca:
    return "verify-ca";
  case SslMode::verify_full:
    return "verify-full";
  }
  return "prefer";
}

std::optional<SslMode> parse_ssl_mode(const std::string& text) {
  for (const auto mode : {SslMode::disable,
                          SslMode::prefer,
                          SslMode::require,
                          SslMode::verify_ca,
                          SslMode::verify_full}) {
    if (text == to_string(mode)) {
      return mode;
    }
  }
  return std::nullopt;
}

std::string password_from_file_text(const std::string& text) {
  auto line = text.substr(0, text.find('\n'));
  if (!line.empty() && line.back() == '\r') {
    line.pop_back();
  }
  return line;
}

std::chrono::seconds parse_duration(const std::string& text) {
  if (text.empty()) {
    throw std::invalid_argument("empty duration");
  }
  std::size_t used = 0;
  long long value = 0;
  try {
    value = std::stoll(text, &used);
  } catch (const std::exception&) {
    throw std::invalid_argument("not a duration: '" + text + "' (use e.g. 30s, 15m, 2h, 1d)");
  }
  const std::string unit = text.substr(used);
  long long factor = 0;
  if (unit.empty() || unit == "s") {
    factor = 1;
  } else if (unit == "m") {
    factor = 60;
  } else if (unit == "h") {
    factor = 3600;
  } else if (unit == "d") {
    factor = 86400;
  }
  if (factor == 0 || value < 0) {
    throw std::invalid_argument("not a duration: '" + text + "' (use e.g. 30s, 15m, 2h, 1d)");
  }
  // A century at most: beyond, a cutoff counted back from now would overflow into the future.
  constexpr long long k_longest = 100LL * 366 * 86400;
  if (value > k_longest / factor) {
    throw std::invalid_argument("duration too long: '" + text + "' (at most 36500d)");
  }
  return std::chrono::seconds(value * factor);
}

namespace {

// One YAML node plus where it came from; every accessor reports errors as file:line: key: what.
class Node {
public:
  Node(YAML::Node node, std::string file, std::string path)
      : m_node(std::move(node))
      , m_file(std::move(file))
      , m_path(std::move(path)) {}

  Location location() const {
    const auto mark = m_node.Mark();
    return Location{m_file, mark.is_null() ? 0 : mark.line + 1};
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw Error(ErrorArea::config, location().to_string() + ": " + m_path + ": " + what);
  }

  bool is_map() const { return m_node.IsMap(); }
  bool is_sequence() const { return m_node.IsSequence(); }
  bool is_scalar() const { return m_node.IsScalar(); }
  const std::string& path() const { return m_path; }

  // A mapping whose keys are all different: YAML parsers keep the first of two equal keys and drop
  // the second without a word, so a duplicate is an error naming both lines.
  void require_map() const {
    if (!m_node.IsMap()) {
      fail("expected a mapping of keys to values");
    }
    std::map<std::string, int> lines;
    for (const auto& entry : m_node) {
      const auto key = entry.first.as<std::string>();
      const Node key_node(entry.first, m_file, child_path(key));
      const auto [first, inserted] = lines.emplace(key, key_node.location().line);
      if (!inserted) {
        key_node.fail("duplicate key: already set on line " + std::to_string(first->second)
                      + "; remove one of the two");
      }
    }
  }

  // Rejects keys outside `allowed`, so that a typo is an error rather than a silent default.
  void allow_only(const std::set<std::string>& allowed) const {
    require_map();
    for (const auto& entry : m_node) {
      const auto key = entry.first.as<std::string>();
      if (allowed.count(key) == 0) {
        Node(entry.first, m_file, child_path(key)).fail("unknown key");
      }
    }
  }

  bool has(const std::string& key) const { return m_node.IsMap() && m_node[key]; }

  std::vector<std::string> keys() const {
    std::vector<std::string> out;
    for (const auto& entry : m_node) {
      out.push_back(entry.first.as<std::string>());
    }
    return out;
  }

  Node child(const std::string& key) const {
    if (!has(key)) {
      fail("missing required key '" + key + "'");
    }
    return Node(m_node[key], m_file, child_path(key));
  }

  std::vector<Node> items() const {
    if (!m_node.IsSequence()) {
      fail("expected a list");
    }
    std::vector<Node> out;
    for (std::size_t i = 0; i < m_node.size(); ++i) {
      out.emplace_back(m_node[i], m_file, m_path + "[" + std::to_string(i) + "]");
    }
    return out;
  }

  std::string text() const {
    if (!m_node.IsScalar()) {
      fail("expected a single value");
    }
    try {
      return interpolate(m_node.Scalar());
    } catch (const std::invalid_argument& e) {
      fail(e.what());
    }
  }

  std::string non_empty_text() const {
    auto value = text();
    if (value.empty()) {
      fail("must not be empty");
    }
    return value;
  }

  unsigned long long number(unsigned long long min, unsigned long long max) const {
    const auto value = text();
    std::size_t used = 0;
    unsigned long long parsed = 0;
    try {
      parsed = std::stoull(value, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != value.size() || value[0] == '-' || parsed < min || parsed > max) {
      fail("expected a whole number from " + std::to_string(min) + " to " + std::to_string(max)
           + ", got '" + value + "'");
    }
    return parsed;
  }

  // A share from 0 to 1: "0.5" or "50%".
  double share() const {
    auto value = text();
    const bool percent = !value.empty() && value.back() == '%';
    if (percent) {
      value.pop_back();
    }
    std::size_t used = 0;
    double parsed = -1;
    try {
      parsed = std::stod(value, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    parsed = percent ? parsed / 100 : parsed;
    if (used == 0 || used != value.size() || !(parsed >= 0 && parsed <= 1)) {
      fail("expected a share from 0 to 1 (0.5) or a percentage (50%), got '" + text() + "'");
    }
    return parsed;
  }

  std::chrono::seconds duration() const {
    try {
      return parse_duration(text());
    } catch (const std::invalid_argument& e) {
      fail(e.what());
    }
  }

  // A single name or a list of names.
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    if (is_sequence()) {
      for (const auto& item : items()) {
        out.push_back(item.non_empty_text());
      }
    } else {
      out.push_back(non_empty_text());
    }
    if (out.empty()) {
      fail("must name at least one column");
    }
    return out;
  }

private:
  std::string child_path(const std::string& key) const {
    return m_path.empty() ? key : m_path + "." + key;
  }

  YAML::Node m_node;
  std::string m_file;
  std::string m_path;
};

Node load_file(const fs::path& path, bool required) {
  const std::string name = path.string();
  if (!fs::exists(path)) {
    if (required) {
      throw Error(ErrorArea::config, name + ": file not found");
    }
    return Node(YAML::Node(YAML::NodeType::Map), name, "");
  }
  try {
    auto root = YAML::LoadFile(name);
    if (root.IsNull()) {
      root = YAML::Node(YAML::NodeType::Map);
    }
    return Node(root, name, "");
  } catch (const YAML::Exception& e) {
    throw Error(ErrorArea::config,
                name + ":" + std::to_string(e.mark.line + 1) + ": malformed YAML: " + e.msg);
  }
}

fs::path resolve(const fs::path& directory, const fs::path& path) {
  return path.is_absolute() ? path : (directory / path).lexically_normal();
}

// A password file must be its owner's alone, as ssh demands of a private key; the messages name
// the file and its mode, never its content.
std::string read_password_file(const Node& node, const fs::path& directory) {
  const auto path = resolve(directory, node.non_empty_text());
  std::error_code error;
  const auto status = fs::status(path, error);
  if (error || !fs::is_regular_file(status)) {
    node.fail("cannot read " + path.string() + ": not a readable file");
  }
  if (open_to_others(status.permissions())) {
    node.fail(path.string() + " is readable by other users (mode " + mode_text(status.permissions())
              + "); refusing to use it: chmod 600 " + path.string());
  }
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  if (!in.good() && !in.eof()) {
    node.fail("cannot read " + path.string());
  }
  return password_from_file_text(text);
}

// The program runs with migrate's rights: whoever can write the file that names it could make
// migrate run anything.
void read_password_command(const Node& node, Endpoint& out) {
  for (const auto& item : node.items()) {
    out.password_command.push_back(item.non_empty_text());
  }
  if (out.password_command.empty()) {
    node.fail(
        "expected the program and its arguments, e.g. [aws, rds, generate-db-auth-token, ...]");
  }
  const auto file = node.location().file;
  std::error_code error;
  const auto mode = fs::status(file, error).permissions();
  if (!error && (mode & (fs::perms::group_write | fs::perms::others_write)) != fs::perms::none) {
    node.fail(file + " is writable by other users (mode " + mode_text(mode)
              + "); refusing to run a command it names: chmod go-w " + file);
  }
}

void read_password(const Node& node, Endpoint& out, const fs::path& directory) {
  const int sources = static_cast<int>(node.has("password")) + node.has("password_file")
                      + node.has("password_command");
  if (sources > 1) {
    node.fail("set one of password, password_file and password_command");
  }
  if (node.has("password_command")) {
    read_password_command(node.child("password_command"), out);
    return;
  }
  if (node.has("password_file")) {
    out.password = read_password_file(node.child("password_file"), directory);
  } else {
    out.password = node.has("password") ? node.child("password").text() : std::string();
  }
}

fs::path read_existing_file(const Node& node, const fs::path& directory) {
  const auto path = resolve(directory, node.non_empty_text());
  std::error_code error;
  if (!fs::is_regular_file(path, error)) {
    node.fail("no such file: " + path.string());
  }
  return path;
}

void read_tls(const Node& node, Tls& out, const fs::path& directory) {
  if (node.has("ssl_mode")) {
    const auto mode_node = node.child("ssl_mode");
    const auto mode = parse_ssl_mode(mode_node.non_empty_text());
    if (!mode) {
      mode_node.fail("expected one of disable, prefer, require, verify-ca, verify-full");
    }
    out.mode = *mode;
  }
  for (auto [key, path] : {std::pair{"ssl_ca", &out.ca},
                           std::pair{"ssl_cert", &out.cert},
                           std::pair{"ssl_key", &out.key}}) {
    if (node.has(key)) {
      *path = read_existing_file(node.child(key), directory);
    }
  }
  if (out.cert.empty() != out.key.empty()) {
    node.fail("ssl_cert and ssl_key go together: set both or neither");
  }
  // Without a CA file there is nothing to verify against: the check would silently not happen.
  if ((out.mode == SslMode::verify_ca || out.mode == SslMode::verify_full) && out.ca.empty()) {
    node.child("ssl_mode")
        .fail(std::string(to_string(out.mode))
              + " needs ssl_ca, the CA file that signed the server's certificate");
  }
}

void read_endpoint(const Node& node,
                   Endpoint& out,
                   const std::set<std::string>& extra_keys,
                   const fs::path& directory) {
  std::set<std::string> allowed = {"host",
                                   "port",
                                   "database",
                                   "username",
                                   "password",
                                   "password_file",
                                   "password_command",
                                   "connect_timeout",
                                   "read_timeout",
                                   "lock_timeout",
                                   "statement_timeout",
                                   "ssl_mode",
                                   "ssl_ca",
                                   "ssl_cert",
                                   "ssl_key",
                                   "compress"};
  allowed.insert(extra_keys.begin(), extra_keys.end());
  node.allow_only(allowed);
  out.host = node.child("host").non_empty_text();
  out.port = static_cast<unsigned>(node.child("port").number(1, 65535));
  out.database = node.child("database").non_empty_text();
  out.username = node.child("username").non_empty_text();
  read_password(node, out, directory);
  for (auto [key, value] : {std::pair{"connect_timeout", &out.connect_timeout},
                            std::pair{"read_timeout", &out.read_timeout},
                            std::pair{"lock_timeout", &out.lock_timeout},
                            std::pair{"statement_timeout", &out.statement_timeout}}) {
    if (node.has(key)) {
      *value = node.child(key).duration();
    }
  }
  read_tls(node, out.tls, directory);
}

void read_compress(const Node& node, Endpoint& out, bool postgres) {
  if (!node.has("compress")) {
    return;
  }
  const auto value_node = node.child("compress");
  const auto value = value_node.non_empty_text();
  const auto compress = parse_compression(value);
  if (!compress) {
    value_node.fail("expected true, false or auto, got '" + value + "'");
  }
  if (postgres && *compress != Compression::off) {
    value_node.fail(postgres_compression_refusal(value));
  }
  out.compress = *compress;
}

// A value MySQL's time_zone may take: an offset from -13:59 to +14:00, SYSTEM, or a name.
bool is_time_zone(const std::string& zone) {
  static const std::regex offset(R"(^[+-]((0?\d|1[0-3]):[0-5]\d|14:00)$)");
  static const std::regex name(R"(^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$)");
  return std::regex_match(zone, offset) || std::regex_match(zone, name);
}

// Per-table settings that table_mapping.yaml's `defaults:` may set for every table.
void read_tunables(const Node& node, TableMapping& out) {
  if (node.has("batch_size")) {
    out.batch_size = node.child("batch_size").number(1, 10'000'000);
  }
  if (node.has("commit_rows")) {
    out.commit_rows = node.child("commit_rows").number(1, 1'000'000'000);
  }
  if (node.has("lookback")) {
    out.lookback = node.child("lookback").duration();
  }
  if (node.has("safety_lag")) {
    out.safety_lag = node.child("safety_lag").duration();
  }
  if (node.has("timestamp_time_zone")) {
    const auto zone = node.child("timestamp_time_zone");
    out.timestamp_time_zone = zone.non_empty_text();
    if (!is_time_zone(out.timestamp_time_zone)) {
      zone.fail("expected an offset such as +03:00, UTC, SYSTEM or a zone name such as "
                "Europe/Istanbul, got '"
                + out.timestamp_time_zone + "'");
    }
  }
  if (node.has("deletes")) {
    const auto deletes = node.child("deletes");
    const auto value = deletes.non_empty_text();
    if (value == "ignore") {
      out.deletes = DeletePolicy::ignore;
    } else if (value == "delete") {
      out.deletes = DeletePolicy::remove;
    } else if (value == "soft") {
      out.deletes = DeletePolicy::soft;
    } else {
      deletes.fail("expected ignore, delete or soft, got '" + value + "'");
    }
  }
  if (node.has("soft_delete_column")) {
    out.soft_delete_column = node.child("soft_delete_column").non_empty_text();
  }
  if (node.has("compare_every")) {
    out.compare_every = node.child("compare_every").number(1, 1'000'000);
  }
  if (node.has("max_delete_ratio")) {
    out.max_delete_ratio = node.child("max_delete_ratio").share();
  }
  if (node.has("verify_every")) {
    out.verify_every = node.child("verify_every").number(0, 1'000'000);
  }
  if (node.has("chunk_rows")) {
    out.chunk_rows = node.child("chunk_rows").number(1, 100'000'000);
  }
  if (node.has("parallel_ranges")) {
    out.parallel_ranges = node.child("parallel_ranges").number(1, 64);
  }
  if (node.has("replace_max_rows")) {
    out.replace_max_rows = node.child("replace_max_rows").number(1, 1'000'000'000'000);
  }
}

const std::set<std::string> k_tunable_keys = {"bad_text",
                                              "zero_date",
                                              "enum_as",
                                              "schema_changes",
                                              "indexes",
                                              "batch_size",
                                              "commit_rows",
                                              "lookback",
                                              "safety_lag",
                                              "timestamp_time_zone",
                                              "deletes",
                                              "soft_delete_column",
                                              "compare_every",
                                              "verify_every",
                                              "max_delete_ratio",
                                              "chunk_rows",
                                              "parallel_ranges",
                                              "replace_max_rows"};

std::set<std::string> with_tunables(std::set<std::string> keys) {
  keys.insert(k_tunable_keys.begin(), k_tunable_keys.end());
  return keys;
}

// Without a country code only numbers written with + or 00 can be placed; the others follow
// on_error.
void read_phone_options(const Node& node, Transformation& out) {
  if (node.has("country_code")) {
    const auto code = node.child("country_code");
    out.country_code = code.non_empty_text();
    if (out.country_code.find_first_not_of("0123456789") != std::string::npos) {
      code.fail("expected digits, e.g. \"49\"");
    }
  }
  if (node.has("on_error")) {
    const auto on_error = node.child("on_error");
    const auto value = on_error.non_empty_text();
    if (value != "quarantine" && value != "keep") {
      on_error.fail("expected quarantine or keep");
    }
    out.on_error = value == "keep" ? OnError::keep : OnError::quarantine;
  }
}

void read_mask_options(const Node& node, ReadScope mode, Transformation& out) {
  const auto method = node.has("method") ? node.child("method").non_empty_text() : "sha256";
  if (method == "redact") {
    out.mask = MaskMethod::redact;
    return;
  }
  if (method != "sha256") {
    node.child("method").fail("expected sha256 or redact");
  }
  out.mask = MaskMethod::sha256;
  const auto salt_env = node.child("salt_env");
  const auto name = salt_env.non_empty_text();
  if (mode != ReadScope::full) {
    return; // the salt is a secret, and a command that reads no rows masks nothing
  }
  const auto salt = process_env(name);
  if (!salt || salt->empty()) {
    salt_env.fail("environment variable " + name + " is not set");
  }
  out.salt = *salt;
}

TransformKind read_transform_kind(const Node& type_node) {
  static const std::map<std::string, TransformKind> k_kinds = {
      {"lowercase", TransformKind::lowercase},
      {"uppercase", TransformKind::uppercase},
      {"trim", TransformKind::trim},
      {"null_if", TransformKind::null_if},
      {"default", TransformKind::default_value},
      {"format_phone", TransformKind::format_phone},
      {"mask", TransformKind::mask},
      {"rename", TransformKind::rename},
      {"exclude", TransformKind::exclude}};
  const auto type = type_node.non_empty_text();
  const auto found = k_kinds.find(type);
  if (found == k_kinds.end()) {
    type_node.fail("unknown transformation '" + type
                   + "' (supported: lowercase, uppercase, trim, null_if, default, format_phone, "
                     "mask, rename, exclude)");
  }
  return found->second;
}

Transformation read_transformation(const Node& node, ReadScope mode) {
  node.allow_only(
      {"column", "type", "value", "to", "country_code", "on_error", "method", "salt_env"});
  Transformation out;
  out.column = node.child("column").non_empty_text();
  out.location = node.location();
  out.kind = read_transform_kind(node.child("type"));
  switch (out.kind) {
  case TransformKind::null_if:
  case TransformKind::default_value:
    out.value = node.child("value").text();
    break;
  case TransformKind::rename:
    out.value = node.child("to").non_empty_text();
    break;
  case TransformKind::format_phone:
    read_phone_options(node, out);
    break;
  case TransformKind::mask:
    read_mask_options(node, mode, out);
    break;
  default:
    break;
  }
  return out;
}

void read_table_policies(const Node& node, TableMapping& out) {
  if (node.has("bad_text")) {
    const auto policy = node.child("bad_text");
    const auto value = policy.non_empty_text();
    static const std::map<std::string, BadTextPolicy> k_policies = {
        {"strip", BadTextPolicy::strip},
        {"replace", BadTextPolicy::replace},
        {"reject", BadTextPolicy::reject}};
    if (k_policies.count(value) == 0) {
      policy.fail("expected strip, replace or reject");
    }
    out.bad_text = k_policies.at(value);
  }
  if (node.has("zero_date")) {
    const auto zero_date = node.child("zero_date");
    const auto value = zero_date.text();
    const bool date_like = value.size() >= 10 && value[4] == '-' && value[7] == '-'
                           && value.find_first_not_of("0123456789-:. ") == std::string::npos;
    if (value != "null" && !date_like) {
      zero_date.fail("expected null or a date such as '1970-01-01', got '" + value + "'");
    }
    if (value != "null") {
      out.zero_date = value;
    }
  }
  if (node.has("enum_as")) {
    const auto enum_as = node.child("enum_as");
    const auto value = enum_as.non_empty_text();
    if (value != "check" && value != "type") {
      enum_as.fail("expected check or type");
    }
    out.enum_as = value == "type" ? EnumAs::type : EnumAs::check;
  }
  if (node.has("schema_changes")) {
    const auto schema_changes = node.child("schema_changes");
    const auto value = schema_changes.non_empty_text();
    if (value != "apply" && value != "fail") {
      schema_changes.fail("expected apply or fail");
    }
    out.schema_changes = value == "fail" ? SchemaChanges::fail : SchemaChanges::apply;
  }
  if (node.has("indexes")) {
    const auto indexes = node.child("indexes");
    const auto value = indexes.non_empty_text();
    if (value != "true" && value != "false") {
      indexes.fail("expected true or false");
    }
    out.indexes = value == "true";
  }
}

// "name" or "schema.name"; PostgreSQL would take a dotted name literally in a quoted identifier.
void read_target_name(const Node& node, TableMapping& out) {
  const auto value = node.non_empty_text();
  const auto dot = value.find('.');
  if (dot == std::string::npos) {
    out.target_table = value;
    return;
  }
  if (dot == 0 || dot + 1 == value.size() || value.find('.', dot + 1) != std::string::npos) {
    node.fail("expected 'table' or 'schema.table', got '" + value + "'");
  }
  out.target_schema = value.substr(0, dot);
  out.target_table = value.substr(dot + 1);
}

// A replacement rewrites the whole target each time it differs: a cursor has nothing to follow and
// rows cannot be kept or marked once their source row is gone.
void read_sync(const Node& node, TableMapping& out) {
  const auto value = node.non_empty_text();
  if (value != "upsert" && value != "replace") {
    node.fail("expected upsert or replace, got '" + value + "'");
  }
  out.sync = value == "replace" ? SyncMode::replace : SyncMode::upsert;
  out.sync_location = node.location();
  if (out.sync != SyncMode::replace) {
    return;
  }
  if (out.timestamp_column) {
    node.fail("replace reads the whole table on every run and cannot use timestamp_column '"
              + *out.timestamp_column + "': remove one of them");
  }
  if (out.deletes && *out.deletes != DeletePolicy::remove) {
    node.fail("replace deletes the target rows whose MySQL row is gone; it cannot be combined "
              "with deletes: ignore or soft");
  }
}

// `cast:` (column → PostgreSQL type) and `fix_encoding:` (column → double_encoded).
void read_column_rules(const Node& node, TableMapping& out) {
  if (node.has("cast")) {
    const auto casts = node.child("cast");
    casts.require_map();
    out.casts_location = casts.location();
    for (const auto& name : casts.keys()) {
      out.casts[name] = casts.child(name).non_empty_text();
    }
  }
  if (node.has("fix_encoding")) {
    const auto fixes = node.child("fix_encoding");
    fixes.require_map();
    out.fix_encoding_location = fixes.location();
    for (const auto& name : fixes.keys()) {
      const auto value = fixes.child(name);
      if (value.non_empty_text() != "double_encoded") {
        value.fail("expected double_encoded");
      }
      out.fix_double_encoding.insert(name);
    }
  }
}

// `map_key` is the key of the map form of `tables:` (empty in the list form): source_table
// defaults to it.
TableMapping read_table(const Node& node,
                        const TableMapping& defaults,
                        const std::string& map_key,
                        ReadScope mode) {
  node.allow_only(with_tunables({"source_table",
                                 "target_table",
                                 "timestamp_column",
                                 "primary_key",
                                 "transformations",
                                 "where",
                                 "cast",
                                 "fix_encoding",
                                 "sync"}));
  TableMapping out = defaults;
  out.location = node.location();
  out.name = map_key;
  out.source_table = map_key.empty() || node.has("source_table")
                         ? node.child("source_table").non_empty_text()
                         : map_key;
  if (out.name.empty()) {
    out.name = out.source_table;
  }
  out.target_table = out.source_table;
  out.target_schema.clear(); // load_config() fills in database.yaml's schema
  if (node.has("target_table")) {
    read_target_name(node.child("target_table"), out);
  }
  if (node.has("timestamp_column")) {
    const auto column = node.child("timestamp_column");
    out.timestamp_column = column.non_empty_text();
    out.timestamp_column_location = column.location();
  }
  if (node.has("primary_key")) {
    const auto key = node.child("primary_key");
    out.primary_key = key.names();
    out.primary_key_location = key.location();
  }
  read_tunables(node, out);
  read_table_policies(node, out);
  if (node.has("sync")) {
    read_sync(node.child("sync"), out);
  }
  if (node.has("where")) {
    out.where = node.child("where").non_empty_text();
  }
  read_column_rules(node, out);
  if (out.commit_rows < out.batch_size) {
    out.commit_rows = out.batch_size;
  }
  if (node.has("transformations")) {
    for (const auto& item : node.child("transformations").items()) {
      out.transformations.push_back(read_transformation(item, mode));
    }
  }
  return out;
}

std::string read_level(const Node& node) {
  auto level = node.non_empty_text();
  static const std::set<std::string> levels = {"trace", "debug", "info", "warn", "error"};
  if (levels.count(level) == 0) {
    node.fail("expected one of trace, debug, info, warn, error");
  }
  return level;
}

// `history: 400d`, or `forever`; at least a day, so that a unit left out (`400`: seconds) cannot
// wipe the history.
std::optional<std::chrono::seconds> read_retention_period(const Node& node) {
  if (node.text() == "forever") {
    return std::nullopt;
  }
  const auto period = node.duration();
  if (period < std::chrono::hours(24)) {
    node.fail("expected at least 1d, or forever");
  }
  return period;
}

void read_retention(const Node& root, Config& config) {
  if (!root.has("retention")) {
    return;
  }
  const auto retention = root.child("retention");
  retention.allow_only({"history", "validations", "quarantine_values"});
  if (retention.has("history")) {
    config.retention.history = read_retention_period(retention.child("history"));
  }
  if (retention.has("validations")) {
    config.retention.validations = read_retention_period(retention.child("validations"));
  }
  if (retention.has("quarantine_values")) {
    config.retention.quarantine_values =
        read_retention_period(retention.child("quarantine_values"));
  }
}

// "99.9%": a share above 0 and at most 100%.
double read_percent(const Node& node) {
  const auto text = node.non_empty_text();
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || text.substr(used) != "%" || !(value > 0 && value <= 100)) {
    node.fail("expected a percentage such as 99.9%");
  }
  return value / 100.0;
}

void read_targets(const Node& root, Config& config) {
  if (!root.has("targets")) {
    return;
  }
  const auto targets = root.child("targets");
  targets.allow_only({"consistency", "window", "runs", "failure_rate", "recovery"});
  auto& out = config.targets;
  if (targets.has("consistency")) {
    out.consistency = read_percent(targets.child("consistency"));
  }
  if (targets.has("window")) {
    out.window = targets.child("window").duration();
  }
  if (targets.has("runs")) {
    out.runs = static_cast<std::size_t>(targets.child("runs").number(1, 1000));
  }
  if (targets.has("failure_rate")) {
    out.failure_rate = read_percent(targets.child("failure_rate"));
  }
  if (targets.has("recovery")) {
    out.recovery = targets.child("recovery").duration();
  }
}

void read_run_limits(const Node& root, Config& config) {
  if (root.has("validate_after")) {
    const auto node = root.child("validate_after");
    const auto text = node.non_empty_text();
    if (text == "none") {
      config.validate_after = ValidateAfter::none;
    } else if (text == "counts") {
      config.validate_after = ValidateAfter::counts;
    } else if (text == "checksum") {
      config.validate_after = ValidateAfter::checksum;
    } else {
      node.fail("expected counts, checksum or none");
    }
  }
  if (root.has("checksum_every")) {
    config.checksum_every = static_cast<std::size_t>(root.child("checksum_every").number(0, 1000));
  }
  if (root.has("checksum_budget")) {
    config.checksum_budget = root.child("checksum_budget").duration();
  }
  if (root.has("retry")) {
    const auto retry = root.child("retry");
    retry.allow_only({"attempts", "max_wait"});
    if (retry.has("attempts")) {
      config.retry.attempts = retry.child("attempts").number(0, 100);
    }
    if (retry.has("max_wait")) {
      config.retry.max_wait = retry.child("max_wait").duration();
    }
  }
  if (root.has("max_runtime")) {
    config.max_runtime = root.child("max_runtime").duration();
  }
  if (root.has("stall_warning")) {
    config.stall_warning = root.child("stall_warning").duration();
  }
  if (root.has("jobs")) {
    config.jobs = static_cast<std::size_t>(root.child("jobs").number(1, 64));
  }
}

NotifyWhen read_when(const Node& node) {
  NotifyWhen when{false, false};
  for (const auto& name : node.names()) {
    if (name == "failure") {
      when.failure = true;
    } else if (name == "success") {
      when.success = true;
    } else if (name == "always") {
      when = NotifyWhen{true, true};
    } else {
      node.fail("expected failure, success or always, got '" + name + "'");
    }
  }
  return when;
}

// The scheme of `url` must be one of `schemes` ("smtp://"...), so that a typo fails here rather
// than at 02:00 when the first alert is due.
std::string read_url(const Node& node, const std::vector<std::string>& schemes) {
  const auto url = node.non_empty_text();
  for (const auto& scheme : schemes) {
    if (url.rfind(scheme, 0) == 0 && url.size() > scheme.size()) {
      return url;
    }
  }
  std::string list;
  for (const auto& scheme : schemes) {
    list += (list.empty() ? "" : ", ") + scheme + "...";
  }
  node.fail("expected a URL starting with " + list);
}

EmailChannel read_email(const Node& node) {
  node.allow_only({"smtp_url", "username", "password", "from", "to", "on"});
  EmailChannel email;
  email.smtp_url = read_url(node.child("smtp_url"), {"smtp://", "smtps://"});
  if (node.has("username")) {
    email.username = node.child("username").text();
  }
  if (node.has("password")) {
    email.password = node.child("password").text();
  }
  if (email.username.empty() && !email.password.empty()) {
    node.child("password").fail("a password needs a username");
  }
  email.from = node.child("from").non_empty_text();
  const auto to = node.child("to");
  if (to.is_sequence() && to.items().empty()) {
    to.fail("must name at least one address");
  }
  email.to = to.names();
  if (node.has("on")) {
    email.when = read_when(node.child("on"));
  }
  return email;
}

void read_notify(const Node& root, Config& config, ReadScope mode) {
  if (root.has("max_age")) {
    config.max_age = root.child("max_age").duration();
  }
  if (root.has("metrics")) {
    const auto metrics = root.child("metrics");
    metrics.allow_only({"textfile"});
    config.metrics_textfile = resolve(config.directory, metrics.child("textfile").non_empty_text());
  }
  if (mode == ReadScope::state_only || !root.has("notify")) {
    return;
  }
  const auto notify = root.child("notify");
  notify.allow_only({"email", "webhook", "connect_timeout", "timeout", "ca_file"});
  if (notify.has("email")) {
    config.notify.email = read_email(notify.child("email"));
  }
  if (notify.has("webhook")) {
    const auto node = notify.child("webhook");
    node.allow_only({"url", "on"});
    WebhookChannel webhook;
    webhook.url = read_url(node.child("url"), {"http://", "https://"});
    if (node.has("on")) {
      webhook.when = read_when(node.child("on"));
    }
    config.notify.webhook = webhook;
  }
  if (notify.has("connect_timeout")) {
    config.notify.connect_timeout = notify.child("connect_timeout").duration();
  }
  if (notify.has("timeout")) {
    config.notify.timeout = notify.child("timeout").duration();
  }
  if (notify.has("ca_file")) {
    const auto node = notify.child("ca_file");
    config.notify.ca_file = resolve(config.directory, node.non_empty_text());
    if (!fs::is_regular_file(config.notify.ca_file)) {
      node.fail("cannot read " + config.notify.ca_file.string() + ": not a readable file");
    }
  }
}

// `state:` (a path, sqlite:///path or a postgresql:// URL), the older `state_file:` (a path), and
// `state_schema:` for a shared store.
void read_state(const Node& root, Config& config) {
  if (root.has("state") && root.has("state_file")) {
    root.child("state").fail("set either state or state_file, not both");
  }
  const bool has_state = root.has("state") || root.has("state_file");
  if (!has_state && !root.has("state_schema")) {
    return;
  }
  const auto node = root.has("state")        ? root.child("state")
                    : root.has("state_file") ? root.child("state_file")
                                             : root.child("state_schema");
  const auto value = has_state ? node.non_empty_text() : config.state.file.string();
  const auto schema =
      root.has("state_schema") ? root.child("state_schema").non_empty_text() : std::string();
  if (root.has("state_file") && value.find("://") != std::string::npos) {
    node.fail("state_file takes a path; use state: for a URL");
  }
  try {
    config.use_state(parse_state_location(value, config.directory, schema));
  } catch (const std::invalid_argument& e) {
    node.fail(e.what());
  }
}

// Without a mode (the logging settings alone) or with state_only, `notify` is not read: its ${VAR}s
// (the SMTP password) need not be set for status.
void read_settings(const Node& root, Config& config, std::optional<ReadScope> mode = std::nullopt) {
  root.allow_only({"state_file",
                   "state",
                   "state_schema",
                   "logging",
                   "retry",
                   "max_runtime",
                   "stall_warning",
                   "jobs",
                   "max_age",
                   "metrics",
                   "notify",
                   "retention",
                   "targets",
                   "validate_after",
                   "checksum_every",
                   "checksum_budget"});
  read_run_limits(root, config);
  read_retention(root, config);
  read_targets(root, config);
  if (mode) {
    read_notify(root, config, *mode);
  }
  read_state(root, config);
  if (root.has("logging")) {
    const auto logging = root.child("logging");
    logging.allow_only({"file", "max_size_mb", "max_files", "level", "console_level", "format"});
    if (logging.has("format")) {
      const auto format = logging.child("format");
      config.logging.format = format.non_empty_text();
      if (config.logging.format != "text" && config.logging.format != "json") {
        format.fail("expected text or json, got '" + config.logging.format + "'");
      }
    }
    if (logging.has("file")) {
      config.logging.file = resolve(config.directory, logging.child("file").non_empty_text());
    }
    if (logging.has("max_size_mb")) {
      config.logging.max_size_bytes = logging.child("max_size_mb").number(1, 100'000) * 1024 * 1024;
    }
    if (logging.has("max_files")) {
      config.logging.max_files = logging.child("max_files").number(1, 1000);
    }
    if (logging.has("level")) {
      config.logging.level = read_level(logging.child("level"));
    }
    if (logging.has("console_level")) {
      config.logging.console_level = read_level(logging.child("console_level"));
    }
  }
}

// The entries of `tables:`, a list (each entry names its source_table) or, as in the design
// document, a map keyed by table name (in file order), as (key or "", entry) pairs.
std::vector<std::pair<std::string, Node>> table_entries(const Node& tables) {
  std::vector<std::pair<std::string, Node>> out;
  if (tables.is_map()) {
    tables.require_map();
    for (const auto& name : tables.keys()) {
      out.emplace_back(name, tables.child(name));
    }
    return out;
  }
  if (!tables.is_sequence()) {
    tables.fail("expected a list of tables or a map of table name to settings");
  }
  for (auto& item : tables.items()) {
    out.emplace_back(std::string(), std::move(item));
  }
  return out;
}

// database.yaml's connections; with ReadScope::state_only only the PostgreSQL schema, if it reads.
void read_database(const fs::path& directory, ReadScope mode, Config& config) {
  if (mode != ReadScope::full) {
    try {
      const auto postgres = load_file(directory / "database.yaml", false).child("postgresql");
      if (postgres.has("schema")) {
        config.postgresql.schema = postgres.child("schema").non_empty_text();
      }
    } catch (const Error&) {
      // Not needed to read the state: a broken or secret-dependent file is the run's to report.
    }
    return;
  }
  const auto database = load_file(directory / "database.yaml", true);
  database.allow_only({"mysql", "postgresql"});
  read_endpoint(database.child("mysql"), config.mysql, {}, directory);
  read_compress(database.child("mysql"), config.mysql, false);
  const auto postgres = database.child("postgresql");
  read_endpoint(postgres, config.postgresql, {"schema"}, directory);
  if (!postgres.has("read_timeout")) {
    // The server answers every statement within statement_timeout, with rows or an error: waiting
    // longer than that (and a margin) means the peer went silent. No statement_timeout (0): no
    // bound either, for a statement may then rightly take hours.
    const auto statement = config.postgresql.statement_timeout;
    config.postgresql.read_timeout =
        statement.count() > 0 ? statement + std::chrono::seconds(60) : std::chrono::seconds(0);
  }
  read_compress(postgres, config.postgresql, true);
  if (postgres.has("schema")) {
    config.postgresql.schema = postgres.child("schema").non_empty_text();
  }
}

} // namespace

Logging default_logging(const fs::path& directory) {
  Logging logging;
  logging.file = resolve(directory, "../logs/migrate.log");
  return logging;
}

Logging load_logging(const fs::path& directory) {
  Config config;
  config.directory = directory;
  config.logging = default_logging(directory);
  read_settings(load_file(directory / "migrate.yaml", false), config);
  return config.logging;
}

Config load_config(const fs::path& directory, ReadScope mode) {
  Config config;
  config.directory = directory;
  config.state.file = resolve(directory, "../state/migrate.db");
  config.logging = default_logging(directory);
  read_database(directory, mode, config);

  const auto mapping = load_file(directory / "table_mapping.yaml", true);
  mapping.allow_only({"defaults", "tables"});
  TableMapping defaults;
  if (mapping.has("defaults")) {
    const auto node = mapping.child("defaults");
    node.allow_only(k_tunable_keys);
    read_tunables(node, defaults);
    read_table_policies(node, defaults);
  }
  std::set<std::string> targets;
  std::set<std::string> names;
  for (const auto& [name, item] : table_entries(mapping.child("tables"))) {
    auto table = read_table(item, defaults, name, mode);
    if (!names.insert(table.name).second) {
      item.fail("table '" + table.name + "' is mapped twice");
    }
    if (table.target_schema.empty()) {
      table.target_schema = config.postgresql.schema;
    }
    const auto target = table.target_schema + "." + table.target_table;
    if (!targets.insert(target).second) {
      item.fail("target table '" + target + "' is mapped twice");
    }
    config.tables.push_back(std::move(table));
  }
  if (config.tables.empty()) {
    mapping.child("tables").fail("maps no table");
  }

  read_settings(load_file(directory / "migrate.yaml", false), config, mode);
  return config;
}

std::string find_config_directory(const char* from_environment,
                                  const std::function<bool(const std::string&)>& is_directory) {
  if (from_environment != nullptr && *from_environment != '\0') {
    return from_environment;
  }
  for (const char* candidate : {"config", "/etc/migrate"}) {
    if (is_directory(candidate)) {
      return candidate;
    }
  }
  return "config";
}

} // namespace migrate::config
