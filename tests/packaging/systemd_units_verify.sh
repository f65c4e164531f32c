#!/usr/bin/env bash
# systemd-analyze verify on migrate.service and migrate.timer, in a scratch root that holds the
# host's own units, the package's units, /usr/bin/migrate (the built binary) and the man page, so
# the check covers what the package installs without installing it. Any message fails the test
# (verify exits 0 on an unknown key); so does a security exposure above 2.0.
#
# Every file the package's migrate.yaml and docs/operations.md tell the unit to write (state, log,
# metrics) must lie under one of the unit's ReadWritePaths, or ProtectSystem=strict refuses it.
#
#   systemd_units_verify.sh MIGRATE_BINARY UNIT_DIR MAN_DIR SOURCE_DIR
# Exit 77 (skipped) when systemd-analyze is not installed.
set -euo pipefail

usage="usage: $0 MIGRATE_BINARY UNIT_DIR MAN_DIR SOURCE_DIR"
binary=${1:?$usage}
unit_dir=${2:?$usage}
man_dir=${3:?$usage}
source_dir=${4:?$usage}

# The paths documented for the installed package: migrate.yaml's (commented examples included) and
# the metrics textfile of docs/operations.md.
writable=$(sed -n 's/^ *ReadWritePaths=//p' "$unit_dir/migrate.service" | tr ' ' '\n' | sed 's/^-//')
documented=$(sed -n -E 's/^#? *(state_file|file|textfile): *(\/[^ ]+).*/\2/p' \
  "$source_dir/packaging/etc/migrate.yaml"; \
  sed -n -E 's/^ *textfile: *(\/[^ ]+).*/\1/p' "$source_dir/docs/operations.md")
[[ $(wc -l <<<"$documented") -ge 3 ]] || { echo "FAIL: found only these documented paths: $documented"; exit 1; }
for path in $documented; do
  covered=no
  for dir in $writable; do
    [[ $path == "$dir"/* ]] && covered=yes
  done
  [[ $covered == yes ]] || { echo "FAIL: $path is documented but not under ReadWritePaths ($writable)"; exit 1; }
done
echo "writable under the unit: $(echo $documented)"

if ! command -v systemd-analyze >/dev/null; then
  echo "SKIP: systemd-analyze not found (apt-get install systemd); the units were not verified"
  exit 77
fi
host_units=/lib/systemd/system
[[ -f $host_units/timers.target ]] || host_units=/usr/lib/systemd/system

root=$(mktemp -d /tmp/migrate-units.XXXXXX)
trap 'rm -rf -- "$root"' EXIT
mkdir -p "$root/lib/systemd/system" "$root/usr/bin" "$root/etc/migrate"
# The targets and services the units order against (network-online.target, timers.target, ...).
cp -a "$host_units/." "$root/lib/systemd/system/"
cp "$unit_dir/migrate.service" "$unit_dir/migrate.timer" "$root/lib/systemd/system/"
cp "$binary" "$root/usr/bin/migrate"
: >"$root/etc/migrate/env"

status=0
# verify also runs `man migrate(1)` for Documentation=: MANPATH finds the built page.
output=$(cd "$root" && MANPATH=$man_dir systemd-analyze verify --root="$root" migrate.service migrate.timer 2>&1) || status=$?
if ((status != 0)) || [[ -n $output ]]; then
  echo "FAIL: systemd-analyze verify (exit $status):"
  echo "$output"
  exit 1
fi
echo "systemd-analyze verify: migrate.service and migrate.timer are clean"

grep -qx 'Type=oneshot' "$root/lib/systemd/system/migrate.service" || { echo "FAIL: migrate.service is not Type=oneshot"; exit 1; }
# The timer's OnCalendar=, as systemd reads it: Sundays at 02:00.
on_calendar=$(sed -n 's/^OnCalendar=//p' "$root/lib/systemd/system/migrate.timer")
normalized=$(systemd-analyze calendar "$on_calendar" 2>&1 | sed -n 's/^ *Normalized form: //p')
if [[ $normalized != 'Sun *-*-* 02:00:00' ]]; then
  echo "FAIL: migrate.timer's OnCalendar=$on_calendar is '$normalized', not Sundays at 02:00"
  exit 1
fi
grep -qx 'Persistent=true' "$root/lib/systemd/system/migrate.timer" || { echo "FAIL: migrate.timer is not Persistent=true"; exit 1; }

if ! systemd-analyze security --offline=yes --threshold=20 --root="$root" migrate.service >"$root/security.txt" 2>&1; then
  echo "FAIL: migrate.service exposes more than 2.0 (systemd-analyze security):"
  grep -v '^✓' "$root/security.txt"
  exit 1
fi
tail -n 1 "$root/security.txt"
