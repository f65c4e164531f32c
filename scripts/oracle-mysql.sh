# shellcheck shell=bash
# A throwaway Oracle MySQL server for the tests, beside the MariaDB of servers.sh.
#
#   source scripts/oracle-mysql.sh
#   trap oracle_mysql_stop EXIT
#   oracle_mysql_start "$(mktemp -d /tmp/migrate-oracle.XXXXXX)"
#
# oracle_mysql_chroot  makes sure a chroot holding Oracle's mysqld exists in the
#                      cache directory, building it when it is missing or
#                      incomplete, and exports MIGRATE_ORACLE_MYSQL_ROOT (its path).
# oracle_mysql_start DIR  starts a server with a fresh data directory on
#                      127.0.0.1:MIGRATE_TEST_ORACLE_PORT (23406) and exports
#                      MIGRATE_ORACLE_{HOST,PORT,USER,PASSWORD,VERSION}.
# oracle_mysql_stop    stops it and removes its files (kept if MIGRATE_KEEP_SERVERS
#                      is non-empty). Idempotent, safe in an EXIT trap.
#
# Debian 12 packages only MariaDB; Oracle's server (mysql-server-core, 9.x) is in
# Debian's development suite (sid), whose programs need that suite's newer C
# library. So the server runs from a minimal sid tree made by debootstrap and
# entered with chroot, which shares the network: clients outside reach it over
# TCP on 127.0.0.1. The tree is kept in MIGRATE_ORACLE_MYSQL_CACHE (default
# /var/cache/migrate-test/oracle-mysql) between runs on one machine.
#
# Needs: root (debootstrap, chroot; mysqld runs as root in the tree, which has no
# mysql account), debootstrap (installed with apt-get if missing), and the Debian
# mirror the machine's apt sources name (MIGRATE_ORACLE_MYSQL_MIRROR overrides);
# nothing else is downloaded. Nothing is mounted: debootstrap creates the device
# nodes mysqld needs, and mysqld runs without /proc (debootstrap mounts /proc
# while it works; a build cut short is redone, its mounts undone first).
# Measured on a 2-core machine with mysql-server-core 9.7.4: building the tree
# (about 600 MB) took 94 s (110 s another time); a start from the cached tree
# 7 to 9 s (13 s the first time, cold caches): data directory, time zone
# tables, account; a stop 2 s.
#
# Accounts: root@localhost without a password, on the server's socket only
# (inside the tree); migrate/migrate_pw at %, localhost and 127.0.0.1 with all
# privileges, authenticated by caching_sha2_password (9.x has no
# mysql_native_password). MariaDB Connector/C logs in with it over plain TCP by
# fetching the server's RSA key, or over TLS: the server makes its own
# self-signed certificate and accepts both (a client that verifies it fails).
#
# This file is sourced, so it must not change the caller's shell options: each
# function makes its options local ("local -") and checks every step itself.

# shellcheck source=scripts/servers.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/servers.sh" || return 1

_om_say() { printf 'oracle-mysql: %s\n' "$*" >&2; }
_om_fail() {
  printf 'oracle-mysql: error: %s\n' "$*" >&2
  return 1
}

_om_tail() {
  [[ -f $1 ]] || return 0
  printf 'oracle-mysql: ---- last lines of %s ----\n' "$1" >&2
  tail -n 30 "$1" >&2
  printf 'oracle-mysql: ----\n' >&2
}

# Seconds since START (microseconds, from _om_now), with one decimal.
_om_now() { printf '%s\n' "${EPOCHREALTIME/[.,]/}"; }
_om_since() {
  local tenths=$((($(_om_now) - $1) / 100000))
  printf '%s.%s\n' "$((tenths / 10))" "$((tenths % 10))"
}

_om_cache() { printf '%s\n' "${MIGRATE_ORACLE_MYSQL_CACHE:-/var/cache/migrate-test/oracle-mysql}"; }

# A command inside the tree ROOT, with a plain environment.
_om_in() {
  local root=$1
  shift
  env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C DEBIAN_FRONTEND=noninteractive \
    ${TZ:+TZ="$TZ"} chroot "$root" "$@"
}

# The Debian mirror of the machine's own apt sources: the URI of the first "deb"
# source of the machine's release (its codename, not -security or -updates), in
# one-line (.list) or deb822 (.sources) form.
_om_mirror() {
  local codename='' file line types uris suites enabled word
  local -a fields
  if [[ -n ${MIGRATE_ORACLE_MYSQL_MIRROR:-} ]]; then
    printf '%s\n' "$MIGRATE_ORACLE_MYSQL_MIRROR"
    return 0
  fi
  # shellcheck disable=SC1091 # the machine's own file
  codename=$(. /etc/os-release 2>/dev/null && printf '%s' "${VERSION_CODENAME:-}")
  [[ -n $codename ]] || _om_fail "cannot read the release codename from /etc/os-release" || return 1
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f $file ]] || continue
    while read -r -a fields; do
      [[ ${fields[0]:-} == deb ]] || continue
      fields=("${fields[@]:1}")
      # Options: "[arch=amd64 signed-by=...]", possibly over several words.
      if [[ ${fields[0]:-} == '['* ]]; then
        while ((${#fields[@]} > 0)) && [[ ${fields[0]} != *']' ]]; do fields=("${fields[@]:1}"); done
        fields=("${fields[@]:1}")
      fi
      if [[ ${fields[1]:-} == "$codename" && ${fields[0]:-} == http* ]]; then
        printf '%s\n' "${fields[0]%/}"
        return 0
      fi
    done <"$file"
  done
  for file in /etc/apt/sources.list.d/*.sources; do
    [[ -f $file ]] || continue
    types='' uris='' suites='' enabled=yes
    # A blank line ends a stanza; the extra empty line ends the last one.
    while IFS= read -r line; do
      case $line in
      [Tt]ypes:*) types=${line#*:} ;;
      [Uu][Rr][Ii]s:*) uris=${line#*:} ;;
      [Ss]uites:*) suites=${line#*:} ;;
      [Ee]nabled:*) enabled=${line#*:} ;;
      '')
        if [[ " $types " == *" deb "* && " $suites " == *" $codename "* && $enabled != *no* ]]; then
          for word in $uris; do
            if [[ $word == http* ]]; then
              printf '%s\n' "${word%/}"
              return 0
            fi
          done
        fi
        types='' uris='' suites='' enabled=yes
        ;;
      esac
    done < <(cat "$file" && echo)
  done
  _om_fail "no Debian mirror for $codename in /etc/apt/sources.list{,.d}; set MIGRATE_ORACLE_MYSQL_MIRROR"
}

# True if the tree at ROOT was completely built: the marker is written last.
_om_tree_ok() {
  [[ -f $1/.migrate-oracle-mysql-complete && -x $1/usr/sbin/mysqld && -x $1/usr/bin/mysql &&
    -x $1/usr/bin/mysqladmin && -c $1/dev/null && -c $1/dev/urandom ]]
}

# Mount points at or under PATH (from /proc/self/mountinfo, octal escapes
# undone), deepest first.
_om_mounts_under() {
  local path=$1 mnt
  # shellcheck disable=SC2034 # fields before the mount point
  while read -r _ _ _ _ mnt _; do
    mnt=$(printf '%b' "$mnt")
    [[ $mnt == "$path" || $mnt == "$path"/* ]] && printf '%s\n' "$mnt"
  done </proc/self/mountinfo | sort -r
}

# Removes the tree at ROOT, e.g. what an interrupted build left: first anything
# still mounted in it (debootstrap mounts /proc and /sys while it works), and
# never while a process runs inside it.
_om_remove_tree() {
  local root=$1 mnt pid link busy=
  [[ -e $root ]] || return 0
  for link in /proc/[0-9]*/root; do
    [[ $(readlink "$link" 2>/dev/null) == "$root" ]] || continue
    pid=${link#/proc/}
    busy+=" ${pid%/root}"
  done
  [[ -z $busy ]] || _om_fail "processes still run inside $root (pids:$busy); stop them first" || return 1
  while read -r mnt; do
    [[ -n $mnt ]] || continue
    umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null
  done < <(_om_mounts_under "$root")
  if [[ -n $(_om_mounts_under "$root") ]]; then
    _om_fail "cannot unmount what is mounted under $root: $(_om_mounts_under "$root" | tr '\n' ' ')"
    return 1
  fi
  rm -rf --one-file-system -- "$root" || _om_fail "cannot remove $root" || return 1
}

# Builds the tree at ROOT (which must not exist), logging to LOG.
_om_build_tree() {
  local root=$1 log=$2 mirror
  mirror=$(_om_mirror) || return 1
  if ! command -v debootstrap >/dev/null 2>&1 && [[ ! -x /usr/sbin/debootstrap ]]; then
    _om_say "installing debootstrap"
    if ! { DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends debootstrap ||
      { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends debootstrap; }; } \
      >>"$log" 2>&1; then
      _om_tail "$log"
      _om_fail "could not install debootstrap"
      return 1
    fi
  fi
  _om_say "building a Debian sid tree with Oracle MySQL in $root from $mirror (log: $log)"
  if ! PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH debootstrap --variant=minbase --include=ca-certificates \
    sid "$root" "$mirror" </dev/null >>"$log" 2>&1; then
    _om_tail "$log"
    [[ -f $root/debootstrap/debootstrap.log ]] && _om_tail "$root/debootstrap/debootstrap.log"
    _om_fail "debootstrap of Debian sid from $mirror failed"
    return 1
  fi
  # Check-Valid-Until: a mirror that is a dated snapshot has expired Release files.
  if ! _om_in "$root" apt-get -o Acquire::Check-Valid-Until=false update </dev/null >>"$log" 2>&1 ||
    ! _om_in "$root" apt-get install -y --no-install-recommends mysql-server-core mysql-client-core tzdata \
      </dev/null >>"$log" 2>&1; then
    _om_tail "$log"
    _om_fail "could not install mysql-server-core in the sid tree"
    return 1
  fi
  _om_in "$root" apt-get clean >>"$log" 2>&1
  if ! _om_in "$root" /usr/sbin/mysqld --version >>"$log" 2>&1 ||
    ! _om_in "$root" /usr/bin/mysql --version >>"$log" 2>&1 ||
    ! _om_in "$root" /usr/bin/mysqladmin --version >>"$log" 2>&1; then
    _om_tail "$log"
    _om_fail "the installed mysqld, mysql or mysqladmin does not run in the sid tree"
    return 1
  fi
  _om_in "$root" /usr/sbin/mysqld --version >"$root/.migrate-oracle-mysql-complete" 2>&1
}

oracle_mysql_chroot() {
  local -
  set +e -u -o pipefail
  local cache root log started lock status=0
  cache=$(_om_cache)
  root=$cache/root
  log=$cache/build.log
  ((EUID == 0)) || _om_fail "building and entering the Oracle MySQL tree needs root" || return 1
  command -v chroot >/dev/null 2>&1 || _om_fail "chroot not found (coreutils)" || return 1
  mkdir -p -- "$cache" || _om_fail "cannot create $cache" || return 1
  cache=$(cd -- "$cache" && pwd -P) || return 1
  root=$cache/root
  log=$cache/build.log

  # One build at a time; a second caller waits for it and then uses its tree.
  exec {lock}>"$cache/lock" || _om_fail "cannot open $cache/lock" || return 1
  if ! flock -w 1800 "$lock"; then
    exec {lock}>&-
    _om_fail "another build of $root has held $cache/lock for 30 minutes"
    return 1
  fi
  if ! _om_tree_ok "$root"; then
    started=$(_om_now)
    : >"$log"
    if [[ -e $root ]]; then
      _om_say "$root is incomplete (an interrupted build?); building it again"
    fi
    if _om_remove_tree "$root" && _om_build_tree "$root" "$log" && _om_tree_ok "$root"; then
      _om_say "built $(head -n 1 "$root/.migrate-oracle-mysql-complete") in $root in $(_om_since "$started") s"
    else
      status=1
    fi
  fi
  exec {lock}>&-
  ((status == 0)) || return 1
  export MIGRATE_ORACLE_MYSQL_ROOT=$root
}

# Client as the passwordless root account, over the server's socket, inside the tree.
_om_mysql_root() {
  local dir=$MIGRATE_ORACLE_DIR root inner
  read -r root <"$dir/chroot-root" && read -r inner <"$dir/chroot-data" || return 1
  _om_in "$root" /usr/bin/mysql --no-defaults --protocol=socket --socket="$inner/mysql.sock" \
    --user=root --default-character-set=utf8mb4 "$@"
}

oracle_mysql_start() {
  local -
  set +e -u -o pipefail
  local dir=${1:-} port=${MIGRATE_TEST_ORACLE_PORT:-23406} started root inner host_inner pid deadline
  local client log status host version tzcheck
  started=$(_om_now)

  [[ -n $dir ]] || _om_fail "usage: oracle_mysql_start DIR" || return 1
  if [[ -n ${MIGRATE_ORACLE_DIR:-} ]]; then
    _om_fail "Oracle MySQL already started in $MIGRATE_ORACLE_DIR (call oracle_mysql_stop first)"
    return 1
  fi
  [[ $port =~ ^[0-9]+$ ]] && ((port > 0 && port < 65536)) || _om_fail "invalid port: $port" || return 1
  if _srv_port_busy "$port"; then
    _om_fail "127.0.0.1:$port is already in use; stop what listens there or set MIGRATE_TEST_ORACLE_PORT"
    return 1
  fi
  client=$(_srv_find mariadb mysql) || _om_fail "mariadb client not found (run scripts/install-deps.sh)" || return 1
  oracle_mysql_chroot || return 1
  root=$MIGRATE_ORACLE_MYSQL_ROOT

  mkdir -p -- "$dir" || _om_fail "cannot create $dir" || return 1
  dir=$(cd -- "$dir" && pwd -P) || return 1
  # oracle_mysql_stop deletes DIR: never take over a directory that is not ours.
  if [[ ! -e $dir/.migrate-oracle-mysql && -n $(ls -A -- "$dir") ]]; then
    _om_fail "$dir is not empty and was not made by oracle_mysql_start"
    return 1
  fi
  : >"$dir/.migrate-oracle-mysql" || return 1
  # The server's files live inside the tree, which it cannot see out of: a new
  # directory under the tree's /tmp, named in DIR.
  host_inner=$(mktemp -d "$root/tmp/migrate-oracle.XXXXXX") || _om_fail "cannot create a directory in $root/tmp" || return 1
  inner=${host_inner#"$root"}
  printf '%s\n' "$root" >"$dir/chroot-root" && printf '%s\n' "$inner" >"$dir/chroot-data" || return 1
  ln -sfn -- "$host_inner" "$dir/server" || return 1
  # From here on oracle_mysql_stop knows what to clean up.
  export MIGRATE_ORACLE_DIR=$dir
  log=$host_inner/mysqld.log

  if ! _om_in "$root" /usr/sbin/mysqld --no-defaults --initialize-insecure --user=root \
    --datadir="$inner/data" --log-error="$inner/initialize.log" </dev/null >>"$host_inner/initialize.log" 2>&1; then
    _om_tail "$host_inner/initialize.log"
    _om_fail "mysqld --initialize-insecure failed"
    oracle_mysql_stop
    return 1
  fi

  # As servers.sh: UTC server zone, the process's own zone +05:30.
  # Started directly, not through _om_in: env and chroot exec the next program,
  # so $! is mysqld's own pid.
  env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C TZ=Asia/Kolkata \
    chroot "$root" /usr/sbin/mysqld --no-defaults --user=root \
    --datadir="$inner/data" --socket="$inner/mysql.sock" --port="$port" \
    --bind-address=127.0.0.1 --skip-name-resolve --mysqlx=OFF --secure-file-priv= \
    --pid-file="$inner/mysqld.pid" --log-error="$inner/mysqld.log" \
    --character-set-server=utf8mb4 --default-time-zone=+00:00 \
    --innodb-buffer-pool-size=512M --max-allowed-packet=256M \
    --innodb-flush-log-at-trx-commit=2 --skip-log-bin \
    </dev/null >>"$log" 2>&1 &
  pid=$!
  printf '%s\n' "$pid" >"$dir/mysqld.pid"

  deadline=$((SECONDS + 120))
  until _om_in "$root" /usr/bin/mysqladmin --no-defaults --protocol=socket --socket="$inner/mysql.sock" \
    --user=root --connect-timeout=2 ping >/dev/null 2>&1; do
    if ! _srv_alive "$pid"; then
      _om_tail "$log"
      _om_fail "mysqld exited during startup (port $port taken?)"
      oracle_mysql_stop
      return 1
    fi
    if ((SECONDS >= deadline)); then
      _om_tail "$log"
      _om_fail "mysqld did not answer within 120 s"
      oracle_mysql_stop
      return 1
    fi
    sleep 0.2
  done

  # As servers.sh: migrate has everything, at every host the tests connect from.
  {
    for host in % localhost 127.0.0.1; do
      printf "DROP USER IF EXISTS 'migrate'@'%s';\n" "$host"
      printf "CREATE USER 'migrate'@'%s' IDENTIFIED WITH caching_sha2_password BY 'migrate_pw';\n" "$host"
      printf "GRANT ALL PRIVILEGES ON *.* TO 'migrate'@'%s' WITH GRANT OPTION;\n" "$host"
    done
  } | _om_mysql_root >>"$host_inner/setup.log" 2>&1
  status=${PIPESTATUS[1]}
  if ((status != 0)); then
    _om_tail "$host_inner/setup.log"
    _om_fail "could not create the migrate account in Oracle MySQL"
    oracle_mysql_stop
    return 1
  fi

  # Named zones for CONVERT_TZ and time_zone, from the tree's tzdata.
  _om_in "$root" /usr/bin/mysql_tzinfo_to_sql /usr/share/zoneinfo 2>/dev/null |
    _om_mysql_root mysql >>"$host_inner/setup.log" 2>&1
  status=${PIPESTATUS[1]}
  tzcheck=$(_om_mysql_root -N -B -e "SELECT CONVERT_TZ('2025-07-01 12:00:00', 'UTC', 'Europe/Berlin')" 2>/dev/null)
  if ((status != 0)) || [[ $tzcheck != "2025-07-01 14:00:00" ]]; then
    _om_tail "$host_inner/setup.log"
    _om_fail "loading the Oracle MySQL time zone tables failed"
    oracle_mysql_stop
    return 1
  fi

  # Prove the exported credentials work over TCP from outside the tree, with
  # the MariaDB client library the tool uses, without TLS: the first login
  # takes caching_sha2_password's full path (the server's RSA key).
  if ! version=$("$client" --no-defaults --protocol=tcp --host=127.0.0.1 --port="$port" --skip-ssl \
    --user=migrate --password=migrate_pw -N -B -e 'SELECT VERSION()' 2>>"$host_inner/setup.log"); then
    _om_tail "$host_inner/setup.log"
    _om_fail "cannot log in to Oracle MySQL as migrate on 127.0.0.1:$port"
    oracle_mysql_stop
    return 1
  fi

  export MIGRATE_ORACLE_HOST=127.0.0.1
  export MIGRATE_ORACLE_PORT=$port
  export MIGRATE_ORACLE_USER=migrate
  export MIGRATE_ORACLE_PASSWORD=migrate_pw
  export MIGRATE_ORACLE_VERSION=$version
  _om_say "ready in $(_om_since "$started") s: MySQL $version on 127.0.0.1:$port, files in $host_inner"
}

oracle_mysql_stop() {
  local -
  set +e +u
  local dir=${MIGRATE_ORACLE_DIR:-} root='' inner='' pid=''
  [[ -n $dir ]] || return 0
  if [[ -d $dir ]]; then
    [[ -f $dir/chroot-root ]] && read -r root <"$dir/chroot-root"
    [[ -f $dir/chroot-data ]] && read -r inner <"$dir/chroot-data"
    [[ -f $dir/mysqld.pid ]] && read -r pid <"$dir/mysqld.pid"
    if [[ -n $pid ]] && _srv_alive "$pid" mysqld; then
      if [[ -n $root && -n $inner ]]; then
        _om_in "$root" timeout 30 /usr/bin/mysqladmin --no-defaults \
          --protocol=socket --socket="$inner/mysql.sock" --user=root --connect-timeout=5 shutdown \
          </dev/null >/dev/null 2>&1
      fi
      if ! _srv_wait_gone "$pid" 30; then
        _om_say "mysqld did not shut down; killing it (pid $pid)"
        kill -TERM "$pid" 2>/dev/null
        _srv_wait_gone "$pid" 10 || kill -KILL "$pid" 2>/dev/null
        _srv_wait_gone "$pid" 5
      fi
    fi
    if [[ -n ${MIGRATE_KEEP_SERVERS:-} ]]; then
      _om_say "Oracle MySQL stopped; keeping $dir${inner:+ and $root$inner} (MIGRATE_KEEP_SERVERS is set)"
    else
      # Only a directory oracle_mysql_start made in the tree's /tmp.
      [[ -n $root && $inner == /tmp/migrate-oracle.* && -d $root$inner ]] && rm -rf -- "$root$inner"
      [[ -e $dir/.migrate-oracle-mysql ]] && rm -rf -- "$dir"
      _om_say "Oracle MySQL stopped"
    fi
  fi
  unset MIGRATE_ORACLE_DIR
  return 0
}
