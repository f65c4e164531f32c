#!/usr/bin/env bash
# Runs the whole test suite: installs the dependencies, builds with warnings
# as errors, starts throwaway MariaDB and PostgreSQL servers and runs ctest
# against them; then starts Oracle MySQL (scripts/oracle-mysql.sh: a chroot of
# Debian's development suite, built once and cached) and runs the integration
# tests again with it as the source. Extra arguments go to ctest, e.g.
# scripts/test.sh -R mysql
#
# Environment: MIGRATE_TEST_MYSQL_PORT / MIGRATE_TEST_PG_PORT (server ports),
# MIGRATE_KEEP_SERVERS=1 (keep the server files for a post-mortem),
# MIGRATE_BUILD_JOBS (default 2), MIGRATE_TEST_TIMEOUT (per test, seconds),
# MIGRATE_TEST_ORACLE=0 (MariaDB only; needs root and the Debian mirror
# otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMIGRATE_WERROR=ON
cmake --build build -j "${MIGRATE_BUILD_JOBS:-2}"

# shellcheck source=scripts/servers.sh
source scripts/servers.sh
servers_dir=$(mktemp -d /tmp/migrate-test.XXXXXX)
# rmdir covers a start that failed before servers_start took the directory.
# shellcheck source=scripts/oracle-mysql.sh
source scripts/oracle-mysql.sh
trap 'oracle_mysql_stop; servers_stop; rmdir "$servers_dir" 2>/dev/null || true' EXIT
# Turn Ctrl-C and kill into a normal exit, so the EXIT trap stops the servers.
trap 'exit 130' INT
trap 'exit 143' TERM
servers_start "$servers_dir"
# servers_start exported MIGRATE_{MYSQL,PG}_{HOST,PORT,USER,PASSWORD}, which the
# integration tests read to reach the servers.

log=build/ctest-output.log
status=0
# A default per-test timeout keeps a hung test from eating the whole CI run;
# a TIMEOUT property on a test, or --timeout in "$@", takes precedence.
ctest --test-dir build --output-on-failure --timeout "${MIGRATE_TEST_TIMEOUT:-900}" "$@" 2>&1 |
  tee "$log" || status=${PIPESTATUS[0]}

summary() { # LOG: ctest's closing lines
  if ! sed -n '/tests passed, /,$p' "$1" | grep .; then
    tail -n 20 "$1"
  fi
}

# The integration tests again, with Oracle MySQL as the source: every statement the tool sends
# to MySQL, run on the server users have (MariaDB differs in SQL, catalog and protocol).
oracle_status=0
oracle_log=build/ctest-oracle-output.log
if [[ ${MIGRATE_TEST_ORACLE:-1} != 0 ]]; then
  oracle_dir=$(mktemp -d /tmp/migrate-oracle.XXXXXX)
  rmdir "$oracle_dir"
  oracle_mysql_start "$oracle_dir"
  MIGRATE_MYSQL_HOST=$MIGRATE_ORACLE_HOST MIGRATE_MYSQL_PORT=$MIGRATE_ORACLE_PORT \
    MIGRATE_MYSQL_USER=$MIGRATE_ORACLE_USER MIGRATE_MYSQL_PASSWORD=$MIGRATE_ORACLE_PASSWORD \
    ctest --test-dir build -L integration --output-on-failure \
    --timeout "${MIGRATE_TEST_TIMEOUT:-900}" "$@" 2>&1 | tee "$oracle_log" ||
    oracle_status=${PIPESTATUS[0]}
  oracle_mysql_stop
fi

echo
echo "==== ctest summary, MariaDB $(mariadb --version | grep -o '[0-9.]*-MariaDB' || true) (full output in $log) ===="
summary "$log"
if [[ ${MIGRATE_TEST_ORACLE:-1} != 0 ]]; then
  echo "==== integration tests on Oracle MySQL ${MIGRATE_ORACLE_VERSION:-} (full output in $oracle_log) ===="
  summary "$oracle_log"
fi
echo "test.sh: ctest exited with status $status (MariaDB), $oracle_status (Oracle MySQL)"
(( status == 0 )) || exit "$status"
exit "$oracle_status"
