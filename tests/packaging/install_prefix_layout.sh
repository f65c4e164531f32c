#!/usr/bin/env bash
# `cmake --install BUILD_DIR --prefix P` puts every file under P in the GNUInstallDirs layout, and
# the installed man page renders with man(1).
#
#   install_prefix_layout.sh BUILD_DIR
set -euo pipefail

build_dir=${1:?usage: $0 BUILD_DIR}
prefix=$(mktemp -d /tmp/migrate-prefix.XXXXXX)
trap 'rm -rf -- "$prefix"' EXIT

cmake --install "$build_dir" --prefix "$prefix" >"$prefix.log" 2>&1 || {
  cat "$prefix.log"
  rm -f "$prefix.log"
  echo "FAIL: cmake --install failed"
  exit 1
}
# Nothing outside the prefix.
if grep -E '^-- (Installing|Up-to-date): ' "$prefix.log" | grep -vF -- "$prefix/"; then
  rm -f "$prefix.log"
  echo "FAIL: the lines above install outside $prefix"
  exit 1
fi
rm -f "$prefix.log"

expected="bin/migrate
etc/cron.d/migrate
etc/migrate/database.yaml
etc/migrate/env
etc/migrate/migrate.yaml
etc/migrate/table_mapping.yaml
lib/systemd/system/migrate.service
lib/systemd/system/migrate.timer
share/doc/migrate/README.md.gz
share/doc/migrate/changelog.gz
share/doc/migrate/copyright
share/doc/migrate/docs/change-detection.md.gz
share/doc/migrate/docs/configuration.md.gz
share/doc/migrate/docs/cutover.md.gz
share/doc/migrate/docs/mysql-compatibility.md.gz
share/doc/migrate/docs/operations.md.gz
share/doc/migrate/docs/performance.md.gz
share/doc/migrate/docs/type-mapping.md.gz
share/doc/migrate/docs/validation.md.gz
share/doc/migrate/examples/database.yaml
share/doc/migrate/examples/env
share/doc/migrate/examples/migrate.yaml
share/doc/migrate/examples/table_mapping.yaml
share/man/man1/migrate.1.gz"
actual=$(cd "$prefix" && find . -type f | sed 's|^\./||' | LC_ALL=C sort)
if [[ $actual != "$(LC_ALL=C sort <<<"$expected")" ]]; then
  echo "FAIL: installed files differ from the expected layout:"
  diff <(LC_ALL=C sort <<<"$expected") <(echo "$actual") || true
  exit 1
fi
[[ -x $prefix/bin/migrate ]] || { echo "FAIL: bin/migrate is not executable"; exit 1; }
"$prefix/bin/migrate" --version >/dev/null || { echo "FAIL: the installed migrate --version failed"; exit 1; }
gzip -t "$prefix/share/man/man1/migrate.1.gz" || { echo "FAIL: migrate.1.gz is not gzip"; exit 1; }
name=$(MANPATH=$prefix/share/man LC_ALL=C.UTF-8 man -w migrate) || { echo "FAIL: man -w does not find the installed page"; exit 1; }
[[ $name == "$prefix/share/man/man1/migrate.1.gz" ]] || { echo "FAIL: man found $name"; exit 1; }
MANPATH=$prefix/share/man LC_ALL=C.UTF-8 man migrate 2>/dev/null | grep -q '^EXIT STATUS' ||
  { echo "FAIL: the installed man page does not render"; exit 1; }
echo "$(wc -l <<<"$actual") files installed under the prefix, as expected"
