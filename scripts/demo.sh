#!/usr/bin/env bash
# End-to-end demo on a fresh machine: installs the dependencies, builds
# migrate, starts throwaway MariaDB and PostgreSQL servers, loads sample data
# into MariaDB database "app", syncs it into PostgreSQL database "app", then
# validates and shows the status. The servers and the state are removed on
# exit (MIGRATE_KEEP_SERVERS=1 keeps them).
set -euo pipefail
cd "$(dirname "$0")/.."

header() { printf '\n==== %s ====\n' "$*"; }

header "dependencies"
bash scripts/install-deps.sh

header "build"
# The binary alone, as it would be installed: Release, stripped, no tests.
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DMIGRATE_BUILD_TESTS=OFF
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
export MIGRATE_MYSQL_DATABASE=app
export MIGRATE_PG_DATABASE=app
# config/database.yaml (the design document's) reads these.
export MYSQL_HOST=$MIGRATE_MYSQL_HOST MYSQL_PORT=$MIGRATE_MYSQL_PORT MYSQL_DATABASE=$MIGRATE_MYSQL_DATABASE
export MYSQL_USERNAME=$MIGRATE_MYSQL_USER MYSQL_PASSWORD=$MIGRATE_MYSQL_PASSWORD
export POSTGRES_HOST=$MIGRATE_PG_HOST POSTGRES_PORT=$MIGRATE_PG_PORT POSTGRES_DATABASE=$MIGRATE_PG_DATABASE
export POSTGRES_USERNAME=$MIGRATE_PG_USER POSTGRES_PASSWORD=$MIGRATE_PG_PASSWORD

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

if ((rc != 0)); then
  echo "demo.sh: failed (status $rc)" >&2
fi
exit "$rc"
