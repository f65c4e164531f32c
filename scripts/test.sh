#!/usr/bin/env bash
# Runs the whole test suite: installs the dependencies, builds with warnings
# as errors, starts throwaway MariaDB and PostgreSQL servers and runs ctest
# against them. Extra arguments go to ctest, e.g. scripts/test.sh -R mysql
#
# Environment: MIGRATE_TEST_MYSQL_PORT / MIGRATE_TEST_PG_PORT (server ports),
# MIGRATE_KEEP_SERVERS=1 (keep the server files for a post-mortem),
# MIGRATE_BUILD_JOBS (default 2), MIGRATE_TEST_TIMEOUT (per test, seconds).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMIGRATE_WERROR=ON
cmake --build build -j "${MIGRATE_BUILD_JOBS:-2}"

# shellcheck source=scripts/servers.sh
source scripts/servers.sh
servers_dir=$(mktemp -d /tmp/migrate-test.XXXXXX)
# rmdir covers a start that failed before servers_start took the directory.
trap 'servers_stop; rmdir "$servers_dir" 2>/dev/null || true' EXIT
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

echo
echo "==== ctest summary (full output in $log) ===="
if ! sed -n '/tests passed, /,$p' "$log" | grep .; then
  tail -n 20 "$log"
fi
echo "test.sh: ctest exited with status $status"
exit "$status"
