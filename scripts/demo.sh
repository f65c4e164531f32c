#!/usr/bin/env bash
# End-to-end demo on a fresh machine: installs the dependencies, builds
# migrate, starts throwaway MariaDB and PostgreSQL servers, loads sample data
# into MariaDB database "app", syncs it into PostgreSQL database "app", then
# validates and shows the status. The servers and the state are removed on
# exit (MIGRATE_KEEP_SERVERS=1 keeps them).
#
#   scripts/demo.sh           the run, validate and status
#   scripts/demo.sh --alert   then a run where one mapped table does not exist, with
#                             notify: email pointed at a local SMTP sink on 127.0.0.1
#                             (port MIGRATE_DEMO_SMTP_PORT, default 18425), and the
#                             alert mail it received, the history and the metrics
set -euo pipefail
cd "$(dirname "$0")/.."

alert=0
case "${1:-}" in
  --alert) alert=1 ;;
  "") ;;
  *)
    echo "usage: $0 [--alert]" >&2
    exit 2
    ;;
esac

header() { printf '\n==== %s ====\n' "$*"; }

header "dependencies"
bash scripts/install-deps.sh

header "build"
# The binary alone, as it would be installed: Release, stripped, no tests.
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DMIGRATE_BUILD_TESTS=OFF -DMIGRATE_BUILD_BENCH=OFF
cmake --build build-release -j "${MIGRATE_BUILD_JOBS:-2}"

header "servers"
# shellcheck source=scripts/servers.sh
source scripts/servers.sh
demo_dir=$(mktemp -d /tmp/migrate-demo.XXXXXX)
# rmdir covers a start that failed before servers_start took the directory.
trap 'servers_stop; rmdir "$demo_dir" 2>/dev/null || true' EXIT
# Turn Ctrl-C and kill into a normal exit, so the EXIT trap stops the servers.
trap 'exit 130' INT
trap 'exit 143' TERM
servers_start "$demo_dir"
# config/database.yaml reads the MIGRATE_MYSQL_* and MIGRATE_PG_* variables servers_start set.
export MIGRATE_MYSQL_DATABASE=app
export MIGRATE_PG_DATABASE=app

header "sample data"
mysql_cmd=(mariadb --no-defaults --protocol=tcp --host="$MIGRATE_MYSQL_HOST" --port="$MIGRATE_MYSQL_PORT"
  --user="$MIGRATE_MYSQL_USER" --password="$MIGRATE_MYSQL_PASSWORD" --default-character-set=utf8mb4)
"${mysql_cmd[@]}" -e "CREATE DATABASE $MIGRATE_MYSQL_DATABASE CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
"${mysql_cmd[@]}" "$MIGRATE_MYSQL_DATABASE" <scripts/sample-data.sql
PGPASSWORD=$MIGRATE_PG_PASSWORD psql -X -q -v ON_ERROR_STOP=1 -h "$MIGRATE_PG_HOST" -p "$MIGRATE_PG_PORT" \
  -U "$MIGRATE_PG_USER" -d postgres -c "CREATE DATABASE $MIGRATE_PG_DATABASE OWNER $MIGRATE_PG_USER"
"${mysql_cmd[@]}" "$MIGRATE_MYSQL_DATABASE" -e \
  "SELECT 'users' AS source_table, COUNT(*) AS source_rows FROM users UNION ALL SELECT 'orders', COUNT(*) FROM orders"

if [[ ! -x build-release/migrate ]]; then
  echo "demo.sh: build-release/migrate was not built" >&2
  exit 1
fi
migrate=(build-release/migrate --config config --state "$demo_dir/state.db")

header "migrate"
"${migrate[@]}"

# Show the status even when validation fails; the exit status still says so.
header "migrate validate"
rc=0
"${migrate[@]}" validate || rc=$?

header "migrate status"
"${migrate[@]}" status || { status_rc=$?; ((rc != 0)) || rc=$status_rc; }

# A copy of the configuration with alerts by mail, a metrics textfile and a table that fails.
alert_demo() {
  local port=${MIGRATE_DEMO_SMTP_PORT:-18425} dir=$demo_dir/alert
  mkdir -p "$dir/mail"
  cp -r config "$dir/config"
  printf '  invoices:            # not in the sample data: this table fails\n    source_table: invoices\n' \
    >>"$dir/config/table_mapping.yaml"
  cat >>"$dir/config/migrate.yaml" <<YAML
metrics:
  textfile: ../metrics/migrate.prom
notify:
  email:
    smtp_url: \${MIGRATE_SMTP_URL}
    from: migrate@example.com
    to: [dba@example.com]
    on: [failure]
YAML
  mkdir -p "$dir/metrics"
  /usr/bin/python3 scripts/alert-sink.py smtp "$port" "$dir/mail" 300 &
  sink_pid=$!
  for _ in $(seq 100); do
    [[ -f $dir/mail/ready ]] && break
    kill -0 "$sink_pid" 2>/dev/null || { echo "demo.sh: the SMTP sink did not start on port $port" >&2; return 1; }
    sleep 0.1
  done
  [[ -f $dir/mail/ready ]] || { echo "demo.sh: the SMTP sink did not start" >&2; return 1; }
  echo "SMTP sink listening on 127.0.0.1:$port, config in $dir/config"

  local demo=(build-release/migrate --config "$dir/config" --state "$demo_dir/state.db")
  header "migrate (invoices fails; the alert goes to the sink)"
  local run_rc=0
  MIGRATE_SMTP_URL=smtp://127.0.0.1:$port "${demo[@]}" || run_rc=$?
  echo "exit code $run_rc (1: a table failed)"

  header "the alert mail"
  for _ in $(seq 100); do
    [[ -f $dir/mail/001.eml ]] && break
    sleep 0.1
  done
  kill "$sink_pid" 2>/dev/null || true
  wait "$sink_pid" 2>/dev/null || true
  if [[ ! -f $dir/mail/001.eml ]]; then
    echo "demo.sh: no alert mail arrived" >&2
    return 1
  fi
  tr -d '\r' <"$dir/mail/001.eml"

  header "migrate history"
  "${demo[@]}" history
  header "migrate history --table invoices"
  "${demo[@]}" history --table invoices

  header "metrics textfile (first lines)"
  head -n 12 "$dir/metrics/migrate.prom"
}

if ((alert)); then
  header "alerts"
  alert_demo || rc=1
fi

if ((rc != 0)); then
  echo "demo.sh: failed (status $rc)" >&2
fi
exit "$rc"
