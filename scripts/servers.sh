# shellcheck shell=bash
# Throwaway MariaDB and PostgreSQL servers for the tests and the demo.
#
#   source scripts/servers.sh
#   trap servers_stop EXIT
#   servers_start "$(mktemp -d /tmp/migrate-servers.XXXXXX)"
#
# servers_start DIR  starts both servers with their data under DIR, listening
#                    on 127.0.0.1 only, and exports the MIGRATE_* connection
#                    variables (see _srv_export).
# servers_stop       stops both and removes DIR (kept if MIGRATE_KEEP_SERVERS is
#                    non-empty). Idempotent, safe in an EXIT trap.
#
# Ports: MIGRATE_TEST_MYSQL_PORT (23306) and MIGRATE_TEST_PG_PORT (25432), below Linux's range
# of ephemeral ports (32768 and up), which a test's outgoing connection may still hold in
# TIME_WAIT when a server starts.
#
# TLS: with MIGRATE_SERVERS_TLS=1 both servers also accept TLS, with a server
# certificate made for the name "localhost" only (so 127.0.0.1 is a name it does
# not match) and signed by a throwaway CA. The files, made with the openssl CLI,
# are in DIR/tls: ca.pem (the CA), wrong-ca.pem (an unrelated CA), server.pem,
# server.key; servers_start exports MIGRATE_TLS_DIR=DIR/tls.
#
# This file is sourced, so it must not change the caller's shell options: each
# function makes its options local ("local -") and checks every step itself,
# which gives the same behaviour with or without the caller's set -e.

_srv_say() { printf 'servers: %s\n' "$*" >&2; }
_srv_fail() {
  printf 'servers: error: %s\n' "$*" >&2
  return 1
}

# Last lines of a log, to explain a failure without making the user dig.
_srv_tail() {
  [[ -f $1 ]] || return 0
  printf 'servers: ---- last lines of %s ----\n' "$1" >&2
  tail -n 30 "$1" >&2
  printf 'servers: ----\n' >&2
}

# Path of the first of the given programs found. Server binaries live in
# /usr/sbin, which is often not on a normal user's PATH.
_srv_find() {
  local name dir
  for name in "$@"; do
    if command -v "$name" >/dev/null 2>&1; then
      command -v "$name"
      return 0
    fi
    for dir in /usr/sbin /usr/local/sbin /sbin; do
      if [[ -x $dir/$name ]]; then
        printf '%s\n' "$dir/$name"
        return 0
      fi
    done
  done
  return 1
}

# Debian keeps the PostgreSQL server programs off PATH, one directory per
# major version; take the newest. MIGRATE_PG_BINDIR overrides.
_srv_pg_bindir() {
  local initdb
  if [[ -n ${MIGRATE_PG_BINDIR:-} ]]; then
    printf '%s\n' "$MIGRATE_PG_BINDIR"
    return 0
  fi
  initdb=$(printf '%s\n' /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)
  if [[ -x $initdb ]]; then
    dirname "$initdb"
    return 0
  fi
  initdb=$(command -v initdb) || return 1
  dirname "$initdb"
}

# True if PID is a running (not zombie) process; with NAME, also checks that
# it is that program, so a recycled pid from a stale pid file is left alone.
_srv_alive() {
  local pid=$1 name=${2:-} stat comm
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  if read -r stat <"/proc/$pid/stat" 2>/dev/null; then
    stat=${stat##*) }
    [[ ${stat%% *} != Z ]] || return 1
  fi
  if [[ -n $name ]] && read -r comm <"/proc/$pid/comm" 2>/dev/null; then
    [[ $comm == "$name"* ]] || return 1
  fi
  return 0
}

# Waits up to SECONDS for PID to go away.
_srv_wait_gone() {
  local pid=$1 deadline=$((SECONDS + $2))
  while _srv_alive "$pid"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

# True if something already accepts connections on 127.0.0.1:PORT.
_srv_port_busy() {
  # shellcheck disable=SC2016 # $1 is expanded by the inner bash
  timeout 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

# PostgreSQL refuses to run as root: as root run its programs as the postgres
# account (from / so it is not left in root's unreadable working directory);
# as a normal user run them as that user.
_srv_as_pg() {
  if ((EUID == 0)); then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# Where the PostgreSQL files of DIR live (see _srv_start_postgres).
_srv_pg_root() {
  local root
  if [[ -f $1/pg-root ]] && read -r root <"$1/pg-root" && [[ -n $root ]]; then
    printf '%s\n' "$root"
  else
    printf '%s\n' "$1/pg"
  fi
}

_srv_mariadb_tools() {
  _SRV_MARIADBD=$(_srv_find mariadbd mysqld) || _srv_fail "mariadbd not found (run scripts/install-deps.sh)" || return 1
  _SRV_INSTALL_DB=$(_srv_find mariadb-install-db mysql_install_db) || _srv_fail "mariadb-install-db not found" || return 1
  _SRV_MYSQL=$(_srv_find mariadb mysql) || _srv_fail "mariadb client not found" || return 1
  _SRV_MYSQLADMIN=$(_srv_find mariadb-admin mysqladmin) || _srv_fail "mariadb-admin not found" || return 1
  _SRV_TZINFO=$(_srv_find mariadb-tzinfo-to-sql mysql_tzinfo_to_sql) || _SRV_TZINFO=
}

# Client as the passwordless root account, over the server's own socket.
_srv_mysql_root() {
  "$_SRV_MYSQL" --no-defaults --protocol=socket --socket="$MIGRATE_SERVERS_DIR/mysql.sock" \
    --user=root --default-character-set=utf8mb4 "$@"
}

# A throwaway CA, a server certificate for "localhost" signed by it and an
# unrelated second CA, in DIR/tls.
_srv_make_certs() {
  local tls=$1/tls
  mkdir -p "$tls" || return 1
  {
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=migrate-test-ca \
      -keyout "$tls/ca.key" -out "$tls/ca.pem" &&
      openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=migrate-wrong-ca \
        -keyout "$tls/wrong-ca.key" -out "$tls/wrong-ca.pem" &&
      openssl req -newkey rsa:2048 -nodes -subj /CN=localhost \
        -keyout "$tls/server.key" -out "$tls/server.csr" &&
      printf 'subjectAltName=DNS:localhost\n' >"$tls/server.ext" &&
      openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" \
        -CAcreateserial -days 2 -extfile "$tls/server.ext" -out "$tls/server.pem"
  } >"$1/tls.log" 2>&1 || {
    _srv_tail "$1/tls.log"
    _srv_fail "could not make the TLS certificates (openssl)"
    return 1
  }
}

_srv_start_mariadb() {
  local dir=$1 port=$2
  local datadir=$dir/mysql sock=$dir/mysql.sock log=$dir/mariadb.log
  local user_opt=() tls_opt=() pid deadline extra account host status tzcheck
  # mariadbd refuses to run as root unless told to; DIR is root's anyway.
  if ((EUID == 0)); then
    user_opt=(--user=root)
  fi

  # A kept DIR (MIGRATE_KEEP_SERVERS) is reused as it is.
  if [[ ! -d $datadir/mysql ]]; then
    if ! "$_SRV_INSTALL_DB" --no-defaults --datadir="$datadir" \
      --auth-root-authentication-method=normal --skip-test-db "${user_opt[@]}" \
      >"$dir/mariadb-install.log" 2>&1; then
      _srv_tail "$dir/mariadb-install.log"
      _srv_fail "mariadb-install-db failed"
      return 1
    fi
  fi

  if [[ -n ${MIGRATE_SERVERS_TLS:-} ]]; then
    tls_opt=(--ssl-ca="$dir/tls/ca.pem" --ssl-cert="$dir/tls/server.pem" --ssl-key="$dir/tls/server.key")
  fi

  # UTC server zone so TIMESTAMP handling does not depend on the machine's zone. The process's own
  # (system) zone is +05:30, as on a host not kept in UTC: what the server shows in its system zone
  # (INNODB_TRX.trx_started) must not be taken for UTC.
  TZ=Asia/Kolkata "$_SRV_MARIADBD" --no-defaults "${user_opt[@]}" \
    --datadir="$datadir" --socket="$sock" --port="$port" \
    --bind-address=127.0.0.1 --skip-name-resolve \
    --pid-file="$dir/mysql.pid" --log-error="$log" \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
    --default-time-zone=+00:00 \
    --innodb-buffer-pool-size=512M --max-allowed-packet=256M \
    --innodb-flush-log-at-trx-commit=2 --skip-log-bin "${tls_opt[@]}" \
    </dev/null >>"$log" 2>&1 &
  pid=$!
  printf '%s\n' "$pid" >"$dir/mariadbd.pid"

  deadline=$((SECONDS + 60))
  until "$_SRV_MYSQLADMIN" --no-defaults --protocol=socket --socket="$sock" --user=root \
    --connect-timeout=2 ping >/dev/null 2>&1; do
    if ! _srv_alive "$pid"; then
      _srv_tail "$log"
      _srv_fail "mariadbd exited during startup (port $port taken? see $log)"
      return 1
    fi
    if ((SECONDS >= deadline)); then
      _srv_tail "$log"
      _srv_fail "mariadbd did not answer within 60 s"
      return 1
    fi
    sleep 0.2
  done

  # Tests create and drop their own databases, hence ALL ... WITH GRANT OPTION.
  # Anonymous accounts would shadow migrate@% for some hosts, and accounts
  # named by host name only cause warnings under --skip-name-resolve: drop them.
  extra=$(_srv_mysql_root -N -B -e "SELECT CONCAT(QUOTE(User), '@', QUOTE(Host)) FROM mysql.user
    WHERE User = '' OR (User = 'root' AND Host NOT IN ('localhost', '127.0.0.1', '::1'))") || extra=
  {
    while read -r account; do
      [[ -n $account ]] && printf 'DROP USER IF EXISTS %s;\n' "$account"
    done <<<"$extra"
    for host in % localhost 127.0.0.1; do
      printf "CREATE OR REPLACE USER 'migrate'@'%s' IDENTIFIED BY 'migrate_pw';\n" "$host"
      printf "GRANT ALL PRIVILEGES ON *.* TO 'migrate'@'%s' WITH GRANT OPTION;\n" "$host"
    done
    printf 'FLUSH PRIVILEGES;\n'
  } | _srv_mysql_root >>"$dir/mariadb-setup.log" 2>&1
  status=${PIPESTATUS[1]}
  if ((status != 0)); then
    _srv_tail "$dir/mariadb-setup.log"
    _srv_fail "could not create the migrate account in MariaDB"
    return 1
  fi

  # Named zones (e.g. Europe/Berlin) for CONVERT_TZ and time_zone. The
  # converter warns about some files it skips; only the load itself matters.
  if [[ -n $_SRV_TZINFO && -d /usr/share/zoneinfo ]]; then
    "$_SRV_TZINFO" /usr/share/zoneinfo 2>/dev/null | _srv_mysql_root mysql >>"$dir/mariadb-setup.log" 2>&1
    status=${PIPESTATUS[1]}
    tzcheck=$(_srv_mysql_root -N -B -e "SELECT CONVERT_TZ('2025-07-01 12:00:00', 'UTC', 'Europe/Berlin')" 2>/dev/null)
    if ((status != 0)) || [[ $tzcheck != "2025-07-01 14:00:00" ]]; then
      _srv_tail "$dir/mariadb-setup.log"
      _srv_fail "loading the MariaDB time zone tables failed"
      return 1
    fi
  fi

  # Prove the exported credentials work over TCP, as the tool will use them.
  if ! "$_SRV_MYSQL" --no-defaults --protocol=tcp --host=127.0.0.1 --port="$port" \
    --user=migrate --password=migrate_pw -N -B -e 'SELECT 1' >/dev/null 2>>"$dir/mariadb-setup.log"; then
    _srv_tail "$dir/mariadb-setup.log"
    _srv_fail "cannot log in to MariaDB as migrate on 127.0.0.1:$port"
    return 1
  fi
}

_srv_start_postgres() {
  local dir=$1 port=$2 bindir root data sock locale tls_opt=
  bindir=$(_srv_pg_bindir) || _srv_fail "PostgreSQL server programs not found (run scripts/install-deps.sh)" || return 1
  [[ -x $bindir/initdb && -x $bindir/pg_ctl && -x $bindir/psql ]] ||
    _srv_fail "initdb/pg_ctl/psql missing in $bindir" || return 1

  root=$dir/pg
  if ((EUID == 0)); then
    id -u postgres >/dev/null 2>&1 || _srv_fail "the postgres account does not exist (install postgresql)" || return 1
    command -v runuser >/dev/null 2>&1 || _srv_fail "runuser not found (util-linux)" || return 1
    # The server runs as postgres, which must reach its files: DIR has to be
    # traversable. If a parent of DIR is closed to it (e.g. under /root), put
    # the PostgreSQL files in a directory of their own under /tmp instead.
    chmod 755 "$dir" || return 1
    mkdir -p "$root" && chown postgres: "$root" || return 1
    if ! runuser -u postgres -- test -w "$root" 2>/dev/null; then
      rm -rf -- "$root"
      root=$(mktemp -d /tmp/migrate-pg.XXXXXX) || return 1
      chmod 755 "$root" && chown postgres: "$root" || return 1
      printf '%s\n' "$root" >"$dir/pg-root"
      _srv_say "postgres cannot reach $dir; PostgreSQL files are in $root"
    fi
  else
    mkdir -p "$root" || return 1
  fi
  data=$root/data
  sock=$root/sock
  # A Unix socket path is limited to 107 bytes.
  if ((${#sock} + 16 > 107)); then
    _srv_fail "path too long for a Unix socket: $sock (use a shorter DIR)"
    return 1
  fi
  _srv_as_pg mkdir -p "$sock" || return 1

  if [[ ! -f $data/PG_VERSION ]]; then
    locale=C
    if locale -a 2>/dev/null | grep -qix 'c\.utf-\?8'; then
      locale=C.UTF-8
    fi
    # Trust only on the local socket (used below to create the role); TCP
    # connections need the password, so the tool's password path is exercised.
    if ! _srv_as_pg "$bindir/initdb" -D "$data" -U postgres -E UTF8 --locale="$locale" \
      --auth-local=trust --auth-host=scram-sha-256 --no-sync \
      >"$dir/pg-initdb.log" 2>&1; then
      _srv_tail "$dir/pg-initdb.log"
      _srv_fail "initdb failed"
      return 1
    fi
  fi

  # PostgreSQL wants its key owned by its own account with mode 0600.
  if [[ -n ${MIGRATE_SERVERS_TLS:-} ]]; then
    cp "$dir/tls/server.pem" "$dir/tls/server.key" "$root/" || return 1
    chmod 600 "$root/server.key" || return 1
    if ((EUID == 0)); then
      chown postgres: "$root/server.pem" "$root/server.key" || return 1
    fi
    tls_opt="-c ssl=on -c ssl_cert_file=$root/server.pem -c ssl_key_file=$root/server.key"
  fi

  # Durability is pointless for a throwaway server; speed matters.
  if ! _srv_as_pg "$bindir/pg_ctl" -D "$data" -l "$root/pg.log" -w -t 60 \
    -o "$tls_opt -p $port -k $sock -c listen_addresses=127.0.0.1 -c timezone=UTC -c log_timezone=UTC -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_wal_size=4GB -c shared_buffers=512MB -c maintenance_work_mem=512MB" \
    start </dev/null >"$dir/pg-ctl.log" 2>&1; then
    _srv_tail "$dir/pg-ctl.log"
    _srv_tail "$root/pg.log"
    _srv_fail "PostgreSQL did not start (port $port taken?)"
    return 1
  fi

  if ! _srv_as_pg "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$sock" -p "$port" -U postgres -d postgres \
    >"$dir/pg-setup.log" 2>&1 <<'SQL'; then
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'migrate') THEN
    CREATE ROLE migrate;
  END IF;
END
$$;
ALTER ROLE migrate WITH LOGIN SUPERUSER PASSWORD 'migrate_pw';
SQL
    _srv_tail "$dir/pg-setup.log"
    _srv_fail "could not create the migrate role in PostgreSQL"
    return 1
  fi

  if ! PGPASSWORD=migrate_pw PGCONNECT_TIMEOUT=5 "$bindir/psql" -X -q -h 127.0.0.1 -p "$port" \
    -U migrate -d postgres -Atc 'SELECT 1' >/dev/null 2>>"$dir/pg-setup.log"; then
    _srv_tail "$dir/pg-setup.log"
    _srv_fail "cannot log in to PostgreSQL as migrate on 127.0.0.1:$port"
    return 1
  fi
}

_srv_export() {
  export MIGRATE_MYSQL_HOST=127.0.0.1
  export MIGRATE_MYSQL_PORT=$1
  export MIGRATE_MYSQL_USER=migrate
  export MIGRATE_MYSQL_PASSWORD=migrate_pw
  export MIGRATE_PG_HOST=127.0.0.1
  export MIGRATE_PG_PORT=$2
  export MIGRATE_PG_USER=migrate
  export MIGRATE_PG_PASSWORD=migrate_pw
}

servers_start() {
  local -
  set +e -u -o pipefail
  local dir=${1:-} my_port=${MIGRATE_TEST_MYSQL_PORT:-23306} pg_port=${MIGRATE_TEST_PG_PORT:-25432}
  local started=${EPOCHREALTIME/[.,]/} port elapsed

  [[ -n $dir ]] || _srv_fail "usage: servers_start DIR" || return 1
  if [[ -n ${MIGRATE_SERVERS_DIR:-} ]]; then
    _srv_fail "servers already started in $MIGRATE_SERVERS_DIR (call servers_stop first)"
    return 1
  fi
  for port in "$my_port" "$pg_port"; do
    [[ $port =~ ^[0-9]+$ ]] && ((port > 0 && port < 65536)) ||
      _srv_fail "invalid port: $port" || return 1
  done
  ((my_port != pg_port)) || _srv_fail "MariaDB and PostgreSQL ports are both $my_port" || return 1
  # Someone else's server (a developer's own, or a leftover) is not ours to use.
  if _srv_port_busy "$my_port"; then
    _srv_fail "127.0.0.1:$my_port is already in use; stop what listens there or set MIGRATE_TEST_MYSQL_PORT"
    return 1
  fi
  if _srv_port_busy "$pg_port"; then
    _srv_fail "127.0.0.1:$pg_port is already in use; stop what listens there or set MIGRATE_TEST_PG_PORT"
    return 1
  fi
  _srv_mariadb_tools || return 1

  mkdir -p -- "$dir" || _srv_fail "cannot create $dir" || return 1
  # Absolute, since the servers get paths inside it.
  dir=$(cd -- "$dir" && pwd -P) || return 1
  # pg_ctl passes its options through a shell: keep the path plain.
  if [[ $dir =~ [^A-Za-z0-9/._+@,:=-] ]]; then
    _srv_fail "DIR must not contain spaces, quotes or other special characters: $dir"
    return 1
  fi
  # servers_stop deletes DIR: never take over a directory that is not ours.
  if [[ ! -e $dir/.migrate-servers && -n $(ls -A -- "$dir") ]]; then
    _srv_fail "$dir is not empty and was not made by servers_start"
    return 1
  fi
  if ((${#dir} + 11 > 107)); then
    _srv_fail "path too long for a Unix socket: $dir/mysql.sock (use a shorter DIR)"
    return 1
  fi
  : >"$dir/.migrate-servers" || return 1
  # From here on servers_stop knows what to clean up.
  export MIGRATE_SERVERS_DIR=$dir

  if [[ -n ${MIGRATE_SERVERS_TLS:-} ]] && ! _srv_make_certs "$dir"; then
    servers_stop
    return 1
  fi
  if ! _srv_start_mariadb "$dir" "$my_port" || ! _srv_start_postgres "$dir" "$pg_port"; then
    servers_stop
    return 1
  fi

  _srv_export "$my_port" "$pg_port"
  if [[ -n ${MIGRATE_SERVERS_TLS:-} ]]; then
    export MIGRATE_TLS_DIR=$dir/tls
  fi
  # EPOCHREALTIME without its decimal separator is microseconds.
  elapsed=$(((${EPOCHREALTIME/[.,]/} - started) / 100000))
  _srv_say "ready in $((elapsed / 10)).$((elapsed % 10)) s: MariaDB on 127.0.0.1:$my_port, PostgreSQL on 127.0.0.1:$pg_port, files in $dir"
}

_srv_stop_postgres() {
  local dir=$1 root data pid bindir
  root=$(_srv_pg_root "$dir")
  data=$root/data
  [[ -f $data/postmaster.pid ]] || return 0
  read -r pid <"$data/postmaster.pid" || return 0
  _srv_alive "$pid" postgres || return 0
  if bindir=$(_srv_pg_bindir) &&
    _srv_as_pg "$bindir/pg_ctl" -D "$data" -m fast -w -t 30 stop </dev/null >/dev/null 2>&1 &&
    _srv_wait_gone "$pid" 5; then
    return 0
  fi
  # SIGQUIT is PostgreSQL's immediate shutdown; SIGKILL if even that hangs.
  _srv_say "pg_ctl stop failed; killing postgres (pid $pid)"
  kill -QUIT "$pid" 2>/dev/null
  _srv_wait_gone "$pid" 10 || kill -KILL "$pid" 2>/dev/null
  _srv_wait_gone "$pid" 5
}

_srv_stop_mariadb() {
  local dir=$1 pid admin
  [[ -f $dir/mariadbd.pid ]] || return 0
  read -r pid <"$dir/mariadbd.pid" || return 0
  _srv_alive "$pid" || return 0
  if admin=$(_srv_find mariadb-admin mysqladmin); then
    timeout 30 "$admin" --no-defaults --protocol=socket --socket="$dir/mysql.sock" --user=root \
      --connect-timeout=5 shutdown </dev/null >/dev/null 2>&1
  fi
  _srv_wait_gone "$pid" 30 && return 0
  _srv_say "mariadbd did not shut down; killing it (pid $pid)"
  kill -TERM "$pid" 2>/dev/null
  _srv_wait_gone "$pid" 10 || kill -KILL "$pid" 2>/dev/null
  _srv_wait_gone "$pid" 5
}

servers_stop() {
  local -
  set +e +u
  local dir=${MIGRATE_SERVERS_DIR:-} pg_root=
  [[ -n $dir ]] || return 0
  if [[ -d $dir ]]; then
    [[ -f $dir/pg-root ]] && pg_root=$(_srv_pg_root "$dir")
    _srv_stop_postgres "$dir"
    _srv_stop_mariadb "$dir"
    if [[ -n ${MIGRATE_KEEP_SERVERS:-} ]]; then
      _srv_say "servers stopped; keeping $dir${pg_root:+ and $pg_root} (MIGRATE_KEEP_SERVERS is set)"
    else
      [[ -n $pg_root && -d $pg_root ]] && rm -rf -- "$pg_root"
      [[ -e $dir/.migrate-servers ]] && rm -rf -- "$dir"
      _srv_say "servers stopped"
    fi
  fi
  unset MIGRATE_SERVERS_DIR
  return 0
}

# Restarts one server of the running pair (tests of a server going away mid-run). Each waits
# until the server answers again, at most 60 s.
servers_restart_postgres() {
  local -
  set +e
  [[ -n ${MIGRATE_SERVERS_DIR:-} ]] || _srv_fail "no servers running" || return 1
  local root bindir
  root=$(_srv_pg_root "$MIGRATE_SERVERS_DIR")
  bindir=$(_srv_pg_bindir) || return 1
  _srv_as_pg "$bindir/pg_ctl" -D "$root/data" -l "$root/pg.log" -m fast -w -t 60 restart \
    >/dev/null || _srv_fail "PostgreSQL did not restart (see $root/pg.log)"
}

servers_restart_mariadb() {
  local -
  set +e
  [[ -n ${MIGRATE_SERVERS_DIR:-} ]] || _srv_fail "no servers running" || return 1
  _srv_mariadb_tools || return 1
  _SRV_TZINFO= # the zone tables are in the data directory already
  local pid deadline
  read -r pid <"$MIGRATE_SERVERS_DIR/mariadbd.pid" || return 1
  _srv_mysql_root -e "SHUTDOWN" >/dev/null 2>&1
  deadline=$((SECONDS + 60))
  while kill -0 "$pid" 2>/dev/null; do
    ((SECONDS < deadline)) || _srv_fail "mariadbd did not stop" || return 1
    sleep 0.1
  done
  _srv_start_mariadb "$MIGRATE_SERVERS_DIR" "${MIGRATE_MYSQL_PORT:?}"
}
