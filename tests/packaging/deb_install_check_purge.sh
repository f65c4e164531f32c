#!/usr/bin/env bash
# Builds the Debian package (scripts/package.sh, lintian errors fail it), installs it with dpkg -i,
# checks what postinst made, runs `migrate --version`, then `migrate check`, the cron job's command
# (a sync) and `status` as the migrate user with /etc/migrate pointing at the test servers, verifies
# the installed units, reinstalls, then removes and purges the package and checks that nothing of
# it is left.
#
#   deb_install_check_purge.sh SOURCE_DIR BUILD_DIR
#
# Needs root (dpkg -i) and the test servers (MIGRATE_MYSQL_* / MIGRATE_PG_*, scripts/servers.sh).
# Exit 77 (skipped) when not root, when the servers are not configured (a failure under CI=true),
# or when this machine already has a migrate package, /etc/migrate or /var/lib/migrate that this
# test did not make: it never touches an installation of someone else's.
set -uo pipefail

source_dir=${1:?usage: $0 SOURCE_DIR BUILD_DIR}
build_dir=${2:?usage: $0 SOURCE_DIR BUILD_DIR}
skip() {
  echo "SKIP: $*"
  exit 77
}
die() {
  echo "FAIL: $*" >&2
  exit 1
}
step() { echo "---- $*"; }

((EUID == 0)) || skip "not root: installing a package needs root (CI runs as root)"
for var in MIGRATE_MYSQL_HOST MIGRATE_MYSQL_PORT MIGRATE_MYSQL_USER MIGRATE_MYSQL_PASSWORD \
  MIGRATE_PG_HOST MIGRATE_PG_PORT MIGRATE_PG_USER MIGRATE_PG_PASSWORD; do
  if [[ -z ${!var:-} ]]; then
    [[ ${CI:-} == true ]] && die "CI=true but $var is not set: start the test servers (scripts/servers.sh)"
    skip "$var is not set: no test servers (source scripts/servers.sh; servers_start DIR)"
  fi
done
for tool in dpkg dpkg-query dpkg-statoverride runuser mariadb psql timeout; do
  command -v "$tool" >/dev/null || die "$tool not found (run scripts/install-deps.sh)"
done
package_status=$(dpkg-query -W -f='${db:Status-Status}' migrate 2>/dev/null || true)
if [[ -n $package_status && $package_status != not-installed ]]; then
  skip "a migrate package is already on this machine (status $package_status); not touching it"
fi
for path in /etc/migrate /var/lib/migrate /var/log/migrate /etc/cron.d/migrate; do
  [[ ! -e $path ]] || skip "$path exists and belongs to no package; a purge would delete it"
done

user_existed=0
getent passwd migrate >/dev/null && user_existed=1
group_existed=0
getent group migrate >/dev/null && group_existed=1
db=migrate_pkg_$$
installed=0

mysql_q() { MYSQL_PWD=$MIGRATE_MYSQL_PASSWORD timeout 60 mariadb --no-defaults --protocol=tcp \
  -h "$MIGRATE_MYSQL_HOST" -P "$MIGRATE_MYSQL_PORT" -u "$MIGRATE_MYSQL_USER" -N -B "$@"; }
pg_q() { PGPASSWORD=$MIGRATE_PG_PASSWORD PGCONNECT_TIMEOUT=10 timeout 60 psql -X -q -v ON_ERROR_STOP=1 \
  -h "$MIGRATE_PG_HOST" -p "$MIGRATE_PG_PORT" -U "$MIGRATE_PG_USER" -At "$@"; }

# dpkg refuses at once while apt or another dpkg holds its lock: retry for up to two minutes.
dpkg_run() {
  local deadline=$((SECONDS + 120)) out status
  while :; do
    out=$(dpkg "$@" 2>&1)
    status=$?
    if ((status == 0)) || [[ $out != *"lock"* ]] || ((SECONDS >= deadline)); then
      echo "$out"
      return "$status"
    fi
    sleep 2
  done
}

cleanup() {
  if ((installed)); then
    dpkg_run --purge migrate >/dev/null
  fi
  mysql_q -e "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
  pg_q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
  # The account is left by a purge, as Debian recommends; remove it only if this test made it.
  if ((!user_existed)) && getent passwd migrate >/dev/null; then
    userdel migrate >/dev/null 2>&1
  fi
  if ((!group_existed)) && getent group migrate >/dev/null; then
    groupdel migrate >/dev/null 2>&1
  fi
}
trap cleanup EXIT

# mode owner group of a path, e.g. "750 root migrate".
stat_of() { stat -c '%a %U %G' "$1" 2>/dev/null; }
expect_stat() {
  local got
  got=$(stat_of "$1")
  [[ $got == "$2" ]] || die "$1: expected mode/owner/group $2, found ${got:-nothing}"
}
as_migrate() {
  (cd / && runuser -u migrate -- /bin/sh -c 'set -a; . /etc/migrate/env; set +a; exec timeout 180 /usr/bin/migrate --config /etc/migrate "$@"' migrate "$@")
}

step "building the package"
deb=$(bash "$source_dir/scripts/package.sh" -B "$build_dir" | tail -n 1) || die "scripts/package.sh failed"
[[ -f $deb ]] || die "no package built ($deb)"
version=$(dpkg-deb -f "$deb" Version)
arch=$(dpkg --print-architecture)
[[ $(basename "$deb") == "migrate_${version}_${arch}.deb" ]] || die "unexpected file name $(basename "$deb")"
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libmariadb3 libpqxx-6.4 libsqlite3-0 libyaml-cpp0.7 libfmt9 adduser; do
  [[ $depends == *"$lib"* ]] || die "Depends lacks $lib: $depends"
done
echo "$(basename "$deb"): Depends: $depends"

step "test databases"
mysql_q -e "CREATE DATABASE $db; USE $db;
  CREATE TABLE users (id INT PRIMARY KEY, name VARCHAR(50) NOT NULL,
                      updated_at DATETIME(6) NOT NULL);
  INSERT INTO users VALUES (1, 'ada', NOW() - INTERVAL 1 HOUR), (2, 'grace', NOW() - INTERVAL 1 HOUR),
                           (3, 'linus', NOW() - INTERVAL 1 HOUR);" || die "cannot create the MySQL test database"
pg_q -d postgres -c "CREATE DATABASE $db" || die "cannot create the PostgreSQL test database"

step "dpkg -i"
installed=1
dpkg_run -i "$deb" || die "dpkg -i failed"
[[ $(dpkg-query -W -f='${db:Status-Status}' migrate) == installed ]] || die "migrate is not installed after dpkg -i"

step "what the package installed"
[[ -x /usr/bin/migrate ]] || die "/usr/bin/migrate missing"
getent passwd migrate >/dev/null || die "no migrate user"
uid=$(id -u migrate)
((uid < 1000)) || die "the migrate user is not a system user (uid $uid)"
[[ $(getent passwd migrate | cut -d: -f7) == /usr/sbin/nologin ]] || die "the migrate user has a login shell"
expect_stat /etc/migrate "750 root migrate"
for file in env database.yaml table_mapping.yaml migrate.yaml; do
  expect_stat "/etc/migrate/$file" "640 root migrate"
done
expect_stat /var/lib/migrate "750 migrate migrate"
expect_stat /var/log/migrate "750 migrate migrate"
for file in /lib/systemd/system/migrate.service /lib/systemd/system/migrate.timer \
  /etc/cron.d/migrate /usr/share/doc/migrate/copyright; do
  [[ -f $file ]] || die "$file missing"
done
# Minimal images (Docker's debian) tell dpkg not to unpack documentation (path-exclude).
docs_excluded=0
if grep -hqsE '^path-exclude[= ]+/usr/share/(man|doc)/' /etc/dpkg/dpkg.cfg /etc/dpkg/dpkg.cfg.d/*; then
  docs_excluded=1
  echo "dpkg excludes /usr/share/man or /usr/share/doc here: the man page and changelog are not checked"
fi
conffiles=$(dpkg-query -W -f='${Conffiles}' migrate)
for file in /etc/migrate/env /etc/migrate/database.yaml /etc/migrate/table_mapping.yaml \
  /etc/migrate/migrate.yaml /etc/cron.d/migrate; do
  grep -q "^ $file " <<<"$conffiles" || die "$file is not a conffile"
done
# Disabled as installed: no active job line in the cron file, the timer not enabled.
if grep -vE '^[[:space:]]*(#|$|[A-Z_]+=)' /etc/cron.d/migrate | grep -q .; then
  die "/etc/cron.d/migrate has an active job line"
fi
grep -q '^#0 2 \* \* 0  migrate ' /etc/cron.d/migrate || die "/etc/cron.d/migrate lacks the commented job line"
[[ ! -e /etc/systemd/system/timers.target.wants/migrate.timer ]] || die "migrate.timer is enabled"
if ((!docs_excluded)); then
  [[ -f /usr/share/doc/migrate/changelog.gz ]] || die "/usr/share/doc/migrate/changelog.gz missing"
  [[ $(MANPATH=/usr/share/man man -w migrate 2>/dev/null) == /usr/share/man/man1/migrate.1.gz ]] ||
    die "man -w migrate does not find the page"
fi
if runuser -u nobody -- cat /etc/migrate/env >/dev/null 2>&1; then
  die "/etc/migrate/env is readable by other users"
fi

step "migrate --version"
out=$(timeout 30 /usr/bin/migrate --version 2>&1) || die "migrate --version failed: $out"
[[ $out == *"$version"* ]] || die "migrate --version printed '$out', expected $version"
echo "$out"

step "configure /etc/migrate for the test servers"
# Written through the existing files, so their modes and group stay as postinst set them.
cat >/etc/migrate/env <<ENV
MIGRATE_MYSQL_HOST=$MIGRATE_MYSQL_HOST
MIGRATE_MYSQL_PORT=$MIGRATE_MYSQL_PORT
MIGRATE_MYSQL_DATABASE=$db
MIGRATE_MYSQL_USER=$MIGRATE_MYSQL_USER
MIGRATE_MYSQL_PASSWORD='$MIGRATE_MYSQL_PASSWORD'
MIGRATE_PG_HOST=$MIGRATE_PG_HOST
MIGRATE_PG_PORT=$MIGRATE_PG_PORT
MIGRATE_PG_DATABASE=$db
MIGRATE_PG_USER=$MIGRATE_PG_USER
MIGRATE_PG_PASSWORD='$MIGRATE_PG_PASSWORD'
MIGRATE_PG_SCHEMA=public
ENV
cat >/etc/migrate/table_mapping.yaml <<'YAML'
tables:
  - source_table: users
    timestamp_column: updated_at
YAML
expect_stat /etc/migrate/env "640 root migrate"

step "migrate check as the migrate user"
out=$(as_migrate check 2>&1)
status=$?
echo "$out"
((status == 0)) || die "migrate check exited $status"
grep -q 'ok' <<<"$out" || die "migrate check printed no ok line"
[[ ! -e /var/lib/migrate/migrate.db ]] || die "migrate check created the state file"

step "the cron job's command as the migrate user (a sync)"
# The job line of /etc/cron.d/migrate, without its "#": minute hour day month weekday user command.
job=$(sed -n 's/^#\([0-9].*\)$/\1/p' /etc/cron.d/migrate)
read -r _ _ _ _ _ job_user job_command <<<"$job"
[[ $job_user == migrate && -n $job_command ]] || die "cannot read the job line of /etc/cron.d/migrate: $job"
out=$(cd / && timeout 180 runuser -u migrate -- /bin/sh -c "$job_command" 2>&1)
status=$?
echo "$out"
((status == 0)) || die "the cron job's command exited $status"
rows=$(pg_q -d "$db" -c "SELECT count(*) FROM public.users") || die "cannot count the target rows"
[[ $rows == 3 ]] || die "PostgreSQL has $rows rows in users, expected 3"
expect_stat /var/lib/migrate/migrate.db "600 migrate migrate"
[[ -s /var/log/migrate/migrate.log ]] || die "nothing in /var/log/migrate/migrate.log"
out=$(as_migrate status 2>&1) || die "migrate status failed: $out"
echo "$out"

step "the installed binary finds /etc/migrate without --config, as the migrate user and as root"
out=$(cd / && runuser -u migrate -- timeout 60 /usr/bin/migrate status 2>&1) ||
  die "migrate status without --config (migrate user) failed: $out"
grep -q users <<<"$out" || die "migrate status without --config listed no table: $out"
# As root, a command that opens no state file (SQLite would leave root-owned -wal files behind).
out=$(cd /root && /bin/sh -c 'set -a; . /etc/migrate/env; set +a; exec timeout 180 /usr/bin/migrate check' 2>&1) ||
  die "migrate check without --config (root, from /root) failed: $out"
grep -q 'table users' <<<"$out" || die "migrate check without --config named no table: $out"

step "systemd-analyze verify on the installed units"
if command -v systemd-analyze >/dev/null; then
  # Documentation=man:migrate(1) is checked with man, unless dpkg left the page out.
  man_check=yes
  ((!docs_excluded)) || man_check=no
  out=$(cd / && systemd-analyze verify --man="$man_check" /lib/systemd/system/migrate.service \
    /lib/systemd/system/migrate.timer 2>&1) ||
    die "systemd-analyze verify failed: $out"
  [[ -z $out ]] || die "systemd-analyze verify: $out"
else
  echo "systemd-analyze not installed: not verified here"
fi

step "the system calls of migrate.service's SystemCallFilter= cover what migrate uses"
# systemd kills a call outside the filter with EPERM, which would only show when the timer fires:
# trace check, a sync, validate --checksum --repair, plan, schema, status, quarantine and report as
# the migrate user and compare the calls with the unit's filter, expanded by systemd-analyze.
if command -v strace >/dev/null && command -v systemd-analyze >/dev/null; then
  trace_dir=$(mktemp -d /tmp/migrate-trace.XXXXXX)
  chown migrate: "$trace_dir"
  for args in check "" "validate --checksum --repair" plan schema status quarantine \
    "report --html $trace_dir/report.html"; do
    # shellcheck disable=SC2086,SC2016 # $args is several words; $0 and $@ are the inner shell's
    out=$(cd / && runuser -u migrate -- /bin/sh -c 'set -a; . /etc/migrate/env; set +a; exec timeout 180 strace -f -qq -o "$0" /usr/bin/migrate --config /etc/migrate "$@"' \
      "$trace_dir/trace.${args%% *}" $args 2>&1) || die "migrate ${args:-(sync)} under strace failed: $out"
  done
  used=$(sed -E 's/^[0-9]+ +//; s/^<\.\.\. ([a-z0-9_]+) resumed>.*/\1/; s/\(.*//' "$trace_dir"/trace.* |
    grep -E '^[a-z0-9_]+$' | LC_ALL=C sort -u)
  families=$(grep -ohE 'socket\(AF_[A-Z0-9]+' "$trace_dir"/trace.* | sed 's/^socket(//' | LC_ALL=C sort -u)
  rm -rf -- "$trace_dir"
  # The calls of a filter item (a group such as @system-service, recursively, or a call's name).
  filter_calls() {
    local item
    for item in "$@"; do
      if [[ $item == @* ]]; then
        # shellcheck disable=SC2046 # one word per call or group
        filter_calls $(systemd-analyze syscall-filter "$item" | awk 'NR > 1 && /^$/ { exit } NR > 1 && $1 !~ /^#/ { print $1 }')
      else
        echo "$item"
      fi
    done
  }
  unit=/lib/systemd/system/migrate.service
  # shellcheck disable=SC2046
  allowed=$(filter_calls $(sed -n 's/^SystemCallFilter=\([^~]\)/\1/p' "$unit") | LC_ALL=C sort -u)
  # shellcheck disable=SC2046
  denied=$(filter_calls $(sed -n 's/^SystemCallFilter=~//p' "$unit") | LC_ALL=C sort -u)
  [[ -n $allowed && -n $used ]] || die "no allow-list in $unit or no traced calls"
  outside=$(LC_ALL=C comm -23 <(echo "$used") <(LC_ALL=C comm -23 <(echo "$allowed") <(echo "$denied")))
  [[ -z $outside ]] || die "migrate uses system calls that migrate.service's SystemCallFilter= forbids: $(tr '\n' ' ' <<<"$outside")"
  echo "$(wc -l <<<"$used") distinct system calls, all allowed by $unit"
  # Likewise the socket families against RestrictAddressFamilies=.
  restricted=$(sed -n 's/^RestrictAddressFamilies=//p' "$unit" | tr ' ' '\n' | LC_ALL=C sort -u)
  [[ $families == *AF_INET* ]] || die "no AF_INET socket traced: $families"
  outside=$(LC_ALL=C comm -23 <(echo "$families") <(echo "$restricted"))
  [[ -z $outside ]] || die "migrate opens sockets that RestrictAddressFamilies= forbids: $(tr '\n' ' ' <<<"$outside")"
  echo "socket families $(tr '\n' ' ' <<<"$families")all allowed by RestrictAddressFamilies="
else
  echo "strace or systemd-analyze not installed: the system call filter was not checked"
fi

step "dpkg -i again (a reinstall keeps the edited configuration and its modes)"
dpkg_run -i "$deb" || die "the second dpkg -i failed"
grep -q "^MIGRATE_MYSQL_DATABASE=$db\$" /etc/migrate/env || die "reinstalling replaced the edited /etc/migrate/env"
expect_stat /etc/migrate "750 root migrate"
expect_stat /etc/migrate/env "640 root migrate"
expect_stat /etc/migrate/database.yaml "640 root migrate"
expect_stat /var/lib/migrate/migrate.db "600 migrate migrate"

step "dpkg -r"
dpkg_run -r migrate || die "dpkg -r failed"
[[ ! -e /usr/bin/migrate ]] || die "/usr/bin/migrate left after remove"
[[ ! -e /lib/systemd/system/migrate.service ]] || die "migrate.service left after remove"
[[ -f /etc/migrate/env && -f /var/lib/migrate/migrate.db ]] || die "remove deleted the configuration or the state"
[[ $(dpkg-query -W -f='${db:Status-Status}' migrate) == config-files ]] || die "not in config-files state after dpkg -r"

step "dpkg -P"
dpkg_run -P migrate || die "dpkg -P failed"
installed=0
for path in /etc/migrate /var/lib/migrate /var/log/migrate /etc/cron.d/migrate /usr/share/doc/migrate \
  /usr/share/man/man1/migrate.1.gz /lib/systemd/system/migrate.timer; do
  [[ ! -e $path ]] || die "$path left after purge"
done
if dpkg-statoverride --list | grep -q ' /etc/migrate'; then
  die "dpkg-statoverride entries left after purge: $(dpkg-statoverride --list | grep ' /etc/migrate')"
fi
status_after=$(dpkg-query -W -f='${db:Status-Status}' migrate 2>/dev/null || true)
[[ -z $status_after || $status_after == not-installed ]] || die "dpkg still knows migrate after purge ($status_after)"
echo "installed, ran, removed and purged cleanly"
