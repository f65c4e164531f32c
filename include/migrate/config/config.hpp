// Configuration: plain structs parsed and validated once by load_config(), then passed by const&.
//
// A config directory holds database.yaml (connections), table_mapping.yaml (what to move) and an
// optional migrate.yaml (state file, logging). Every scalar may reference the environment as
// ${VAR} or ${VAR:-default}. Errors are migrate::Error with area config and a message that names
// the file, line and key.
#pragma once

#include "migrate/config/state_location.hpp"
#include "migrate/core/error.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace migrate::config {

// Where a value came from, for error messages: "config/table_mapping.yaml:12".
struct Location {
  std::string file;
  int line = 0; // 1-based; 0 when unknown

  std::string to_string() const;
};

// How a connection uses TLS, as libpq's sslmode: `prefer` encrypts when the server offers it,
// `require` insists without checking the certificate, `verify_ca` also checks that ssl_ca signed it
// and `verify_full` also that it names the host connected to.
enum class SslMode { disable, prefer, require, verify_ca, verify_full };

struct Tls {
  SslMode mode = SslMode::prefer;
  std::filesystem::path ca;   // PEM file of the certificate authorities to trust
  std::filesystem::path cert; // client certificate (PEM), with `key`
  std::filesystem::path key;  // its private key (PEM)
};

// Protocol compression of a connection: `automatic` compresses when the server is not on this
// machine (see use_compression() in config/compression.hpp).
enum class Compression { off, on, automatic };

struct Endpoint {
  std::string host;
  unsigned port = 0;
  std::string database;
  std::string username;
  std::string password; // never logged: use describe(); from `password` or `password_file`
  // `password_command`: a program and its arguments (no shell) whose output is the password, run
  // for each new connection (connection_password()); empty: `password`.
  std::vector<std::string> password_command;
  std::chrono::seconds connect_timeout{10};
  // Every wait is bounded. read_timeout: MySQL's client waits this long for a packet (a filesort
  // before the first row can take long); PostgreSQL's waits this long for the answer to one call
  // (then shuts the connection, and the call is retried as a lost connection), by default
  // statement_timeout plus a minute. lock_timeout: for a lock held by another session (MySQL
  // lock_wait_timeout, PostgreSQL lock_timeout). statement_timeout: PostgreSQL, per statement.
  std::chrono::seconds read_timeout{3600};
  std::chrono::seconds lock_timeout{60};
  std::chrono::seconds statement_timeout{4 * 3600};
  Tls tls;
  Compression compress = Compression::off; // MySQL only: PostgreSQL's libpq has none

  // "user@host:port/database", without the password.
  std::string describe() const;
};

struct PostgresEndpoint : Endpoint {
  std::string schema = "public"; // where target tables live
};

enum class TransformKind {
  lowercase,
  uppercase,
  trim,          // leading and trailing spaces, as MySQL's TRIM()
  null_if,       // value → NULL
  default_value, // NULL → value
  format_phone,  // digits to E.164, with a default country code for national numbers
  mask,          // SHA-256 with a salt from the environment, or a fixed redaction
  rename,        // target column name
  exclude,       // column not moved
};

enum class MaskMethod { sha256, redact };
enum class OnError { quarantine, keep };

struct Transformation {
  TransformKind kind = TransformKind::lowercase;
  std::string column;
  std::string value;                      // null_if, default_value; rename: the new name
  std::string country_code;               // format_phone: digits, e.g. "49"; may be empty
  OnError on_error = OnError::quarantine; // format_phone: an unparseable number
  MaskMethod mask = MaskMethod::sha256;
  std::string salt; // mask sha256: read from the environment variable salt_env
  Location location;
};

// Text that PostgreSQL cannot hold: NUL bytes and invalid UTF-8.
enum class BadTextPolicy { strip, replace, reject };

// How a MySQL ENUM column is created in PostgreSQL.
enum class EnumAs { check, type };

enum class DeletePolicy { ignore, remove, soft };

// What a run does when the MySQL table gained something the target lacks (a column, a wider type,
// an ENUM label): alter the target first, or fail the table as for any other drift.
enum class SchemaChanges { apply, fail };

// How a table's rows reach the target: merged by key, or the whole content replaced when it
// differs (tables without a usable key).
enum class SyncMode { upsert, replace };

struct TableMapping {
  // The key of the map form of `tables:`, else source_table: what --table and messages call it.
  std::string name;
  std::string source_table;
  std::string target_table;
  std::string target_schema = "public"; // `target_table: schema.table`, else database.yaml's
  std::optional<std::string> timestamp_column;
  std::vector<std::string> primary_key; // empty: taken from the MySQL table's primary key
  std::size_t batch_size = 1000;        // rows per batch sent to PostgreSQL
  std::size_t commit_rows = 50000;      // rows per PostgreSQL transaction (whole batches)
  // Re-read this far behind the stored position: covers timestamps written by the application and
  // commits later than the open-transaction bound sees (docs/change-detection.md).
  std::chrono::seconds lookback{600};
  std::chrono::seconds safety_lag{0}; // leave rows newer than server-now minus this for later
  // The time zone the writers stamp a DATETIME or DATE timestamp column in ("+00:00",
  // "Europe/Istanbul"); empty: MySQL's global time_zone. TIMESTAMP columns need none.
  std::string timestamp_time_zone;
  // What happens to target rows whose source row is gone. Unset: remove for tables without a
  // timestamp column (their full comparison sees deletes anyway), ignore for the others.
  std::optional<DeletePolicy> deletes;
  std::string soft_delete_column = "deleted_at"; // with deletes: soft
  std::size_t compare_every = 1; // timestamp tables: the delete comparison runs every Nth run
  // Timestamp tables: each run compares a slice of the table (1/N of its chunks, in turn), so the
  // whole table is compared every N runs and a change the cursor missed (a column set without
  // moving the timestamp, a writer's clock) is found and repaired. 0: never.
  std::size_t verify_every = 4;
  // With deletes delete or soft: a run that would delete more than this share of a table's rows
  // (0 to 1) fails the table before it deletes anything, unless --allow-mass-delete.
  double max_delete_ratio = 0.5;
  std::size_t chunk_rows = 10000; // rows per comparison chunk
  // A first load into an empty target split into this many key ranges, each on its own
  // connections (an integer first key column only); 1: one stream.
  std::size_t parallel_ranges = 1;
  BadTextPolicy bad_text = BadTextPolicy::reject;
  std::optional<std::string> zero_date; // unset: zero dates become NULL; else this sentinel date
  EnumAs enum_as = EnumAs::check;
  SchemaChanges schema_changes = SchemaChanges::apply;
  bool indexes = false; // create MySQL's secondary indexes when creating the target
  std::string where;    // extra condition on the extraction query (a data-quality rule)
  std::vector<Transformation> transformations;
  std::map<std::string, std::string> casts;  // column → PostgreSQL type
  std::set<std::string> fix_double_encoding; // columns stored as UTF-8 through a latin1 connection
  // Unset: upsert when the table has a key (the mapping's primary_key, MySQL's primary key, else
  // a unique key over NOT NULL columns), replace when it has none.
  std::optional<SyncMode> sync;
  // A sync by replacement refuses a table with more rows than this.
  std::uint64_t replace_max_rows = 10'000'000;
  Location casts_location;
  Location fix_encoding_location;

  Location location; // the entry in table_mapping.yaml
  Location primary_key_location;
  Location timestamp_column_location;
  Location sync_location;
};

struct Logging {
  std::filesystem::path file; // rotating log file
  std::size_t max_size_bytes = 10 * 1024 * 1024;
  std::size_t max_files = 5;
  std::string level = "info";         // the log file's level
  std::string console_level = "info"; // standard error's level; `warn` keeps cron mail to problems
  std::string format = "text"; // text (key=value lines) or json, for the console and the file
};

// Transient failures (a lost connection, a deadlock, a lock timeout, a server shutting down) are
// retried from the table's last committed position, waiting 2 s, 4 s, 8 s... (capped at max_wait,
// with jitter) between attempts.
struct Retry {
  std::size_t attempts = 5; // retries after the first failure; 0: none
  std::chrono::seconds max_wait{600};
};

// When a channel sends: after a run with a failure (a table failed or the run stopped early),
// after a run without one, or both.
struct NotifyWhen {
  bool failure = true;
  bool success = false;
};

// Mail through an SMTP server: smtp:// uses STARTTLS when the server offers it (and insists on
// it when a username is set, so a password never crosses in clear), smtps:// is TLS from the
// start; the server's certificate is always verified.
struct EmailChannel {
  std::string smtp_url;
  std::string username;
  std::string password; // never logged nor sent in a message
  std::string from;
  std::vector<std::string> to;
  NotifyWhen when;
};

// A JSON POST with a Slack-compatible "text" field.
struct WebhookChannel {
  std::string url; // http:// or https:// (the certificate is verified)
  NotifyWhen when;
};

struct Notify {
  std::optional<EmailChannel> email;
  std::optional<WebhookChannel> webhook;
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds timeout{30}; // a whole delivery, per channel
  // PEM file of the certificate authorities the mail server and webhook are checked against;
  // empty: the system's store.
  std::filesystem::path ca_file;

  bool any() const { return email.has_value() || webhook.has_value(); }
};

// How long the state store keeps what it records (migrate.yaml `retention:`), applied at the end of
// each run and by `migrate state prune`; nullopt: forever. The newest run and validation of each
// table stay whatever their age.
struct Retention {
  std::optional<std::chrono::seconds> history = std::chrono::hours(24 * 400); // runs, invocations
  std::optional<std::chrono::seconds> validations = std::chrono::hours(24 * 400);
  // The raw values of quarantined rows, which can hold personal data; key and reason stay.
  std::optional<std::chrono::seconds> quarantine_values = std::chrono::hours(24 * 90);
};

// The success metrics' targets (migrate.yaml `targets:`), the design document's by default; the
// data age target is max_age.
struct Targets {
  double consistency = 0.999;             // rows equal / rows, from the last checksum
  std::chrono::seconds window{4 * 3600};  // a run's duration
  std::size_t runs = 52;                  // runs the failure rate and recovery look back over
  double failure_rate = 0.01;             // failed runs / runs
  std::chrono::seconds recovery{30 * 60}; // a failed run's end to the next success's end
};

// What a sync run validates once its tables are synced (migrate.yaml `validate_after`).
enum class ValidateAfter { none, counts, checksum };

struct Config {
  std::filesystem::path directory;
  Retry retry;
  std::optional<std::chrono::seconds> max_runtime; // the whole run stops after the commit then
  std::chrono::seconds stall_warning{60};          // log when no row has arrived for this long
  std::size_t jobs = 1; // tables run at once, each on its own connections
  Endpoint mysql;
  PostgresEndpoint postgresql;
  std::vector<TableMapping> tables;
  // The SQLite file (by default ../state/migrate.db beside the configuration directory), or a
  // store several workers share (`state: postgresql://...`).
  StateLocation state;
  Logging logging;
  // A table whose data is older than this is flagged by status (exit 1), the metrics and alerts.
  std::chrono::seconds max_age{8 * 86400};
  Notify notify; // read only with ReadScope::full: its ${VAR}s need not be set for status
  // Prometheus text exposition, rewritten at the end of each run (node_exporter's textfile
  // collector); empty: none.
  std::filesystem::path metrics_textfile;
  Retention retention;
  Targets targets;
  // Counts by default: a table read from start to end each week would double the window.
  ValidateAfter validate_after = ValidateAfter::counts;
  // With counts: every Nth successful run of a table compares its content instead (0: never).
  std::size_t checksum_every = 0;
  // Content comparisons after a run stop once this much time has passed; the rest get counts.
  std::optional<std::chrono::seconds> checksum_budget;

  // Takes `location` as the state store: a SQLite file, or a shared PostgreSQL store.
  void use_state(StateLocation location);

  // The mapping whose source or target table is `name`, or nullptr.
  const TableMapping* find_table(const std::string& name) const;
};

// What a command needs of the configuration.
enum class ReadScope {
  full, // everything: the commands that connect to the databases
  // For the commands that read only the state file (status, quarantine): database.yaml is not read,
  // so its ${VAR}s (passwords, hosts) need not be set, and mask salts are not read from the
  // environment. The endpoints stay empty; postgresql.schema is taken from database.yaml when it
  // can be read, for target names in --table, and is `public` otherwise.
  state_only,
  // state_only plus migrate.yaml's `notify` block: `migrate notify --test`.
  state_and_notify,
};

// The configuration directory when --config is not given: $MIGRATE_CONFIG (`from_environment`,
// null when unset), else ./config when it is a directory, else /etc/migrate when it is one (where
// the package installs it), else ./config, whose absence the loader then reports.
std::string find_config_directory(const char* from_environment,
                                  const std::function<bool(const std::string&)>& is_directory);

// Reads and validates the files of `directory` that `mode` needs. Throws Error(area config).
Config load_config(const std::filesystem::path& directory, ReadScope mode = ReadScope::full);

// The logging settings alone: migrate.yaml's `logging` block (defaults when the file is absent),
// paths resolved against `directory`. Read before the rest so that errors in the other files reach
// the log file. Throws Error(area config).
Logging load_logging(const std::filesystem::path& directory);

// The logging settings when migrate.yaml is absent: the log file is ../logs/migrate.log relative to
// `directory`.
Logging default_logging(const std::filesystem::path& directory);

// "disable", "prefer", "require", "verify-ca" or "verify-full" (as the YAML and libpq spell them).
const char* to_string(SslMode mode) noexcept;
std::optional<SslMode> parse_ssl_mode(const std::string& text);

// The password in a password_file's text: the first line, without its line end.
std::string password_from_file_text(const std::string& text);

// The password for a new connection to `endpoint` (`area`: source for MySQL, target for
// PostgreSQL): the first line its password_command prints, run each time so that a short-lived
// token (an IAM authentication token lasts 15 minutes) is fresh for every connection; else its
// password. Throws Error(area) saying which command failed and how, never what it printed.
std::string connection_password(const Endpoint& endpoint, ErrorArea area);

// Parses "90", "90s", "15m", "2h" or "1d" into seconds. Throws std::invalid_argument.
std::chrono::seconds parse_duration(const std::string& text);

} // namespace migrate::config
