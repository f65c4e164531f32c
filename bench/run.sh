#!/usr/bin/env bash
# The migrate benchmark: one table of mixed types, measured against the physical limits of the two
# servers and against pgloader, in one run on this machine.
#
#   bench/run.sh [--rows N] [--skip-pgloader] [--skip-fdw] [--out FILE]
#                [--link RTT_MS:MBIT[:PER_CONN_MBIT]] [--placement near-mysql|near-pg|both]
#                [--compress off|on|both] [--parallel [--sakila DIR]] [--compare-with REV]
#
# Starts throwaway servers (scripts/servers.sh) unless MIGRATE_MYSQL_HOST is set, builds a Release
# binary in build-bench/, generates N rows (default 2,000,000) and prints wall time, rows/s, MB/s
# and peak RSS for:
#   a  extract limit: mariadb --quick streaming SELECT * to /dev/null
#   b  load limit: psql \copy of the same rows into a bare table, then primary key + index built
#      (and, for reference, \copy into a table that already has them)
#   c  migrate: initial load into an empty target
#   d  migrate: incremental run after updating 0.1% of the rows, spread over the table
#   e  migrate: run with no changes
#   v  migrate: run with no changes that verifies one slice of four (verify_every: 4, the default;
#      d and e run with verify_every: 0, the cursor alone)
#   f  migrate validate --checksum
#   g  pgloader 3.6 (Debian) loading the same table
#   h  mysql_fdw (Debian's postgresql-NN-mysql-fdw): CREATE TABLE AS SELECT from the foreign table,
#      then the same primary key and index (--skip-fdw leaves it out)
# MariaDB's InnoDB buffer pool is set to 3 GiB first (as a production server would hold the table).
# and the ratios c/max(a, b), g/c, h/c, d/c. Figures go to a CSV file (bench/results/ by default). Each
# step also reports the CPU time (user + system) of the process it ran: for migrate, the client's
# own cost per row, apart from the servers'.
#
# --compare-with REV also builds the Release binary of git revision REV (in a worktree under
# build-bench-compare/) and runs c and f with it on the same rows into a fresh target, right after
# the current build's c and f: two builds measured side by side in one run (c@REV, f@REV).
#
# With --link, c, d, e and f run again with bench/wan_link (build-bench/bench/wan_link) between
# migrate and the database on the far side: RTT_MS round trip, MBIT per direction for all
# connections (and PER_CONN_MBIT for each, if given). near-mysql: migrate beside MySQL, PostgreSQL
# across the link; near-pg: beside PostgreSQL, MySQL across the link. --compress on runs them with
# `compress: true` on the mysql connection, both runs each placement both ways. Each step reports
# the bytes that crossed the link, the fraction of the link's capacity they used in the busier
# direction (bytes / (bandwidth x wall time)) and its round trips (request/response exchanges).
# Then 20 small tables are synced with no change over a link of 50 ms RTT, for each placement.
# Each run also compares COPY in text and binary format: bytes sent and the server's CPU time.
#
# --parallel (with --link) measures the two kinds of parallelism, beside PostgreSQL with MySQL across
# the link (give the link a per-connection cap, as a long-distance TCP connection is limited by its
# window, e.g. --link 20:100:20): the initial load of `wide` with parallel_ranges 1 and 4, and the
# initial load of a Sakila-like database with --jobs 1 and 4 (the tests' generated stand-in, or the
# Sakila files of --sakila DIR: sakila-schema.sql and sakila-data.sql); both also on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."

rows=2000000
run_pgloader=1
run_fdw=1
out=""
link=""
placement=both
compress=off
parallel=0
sakila=""
compare_rev=""
usage="usage: bench/run.sh [--rows N] [--skip-pgloader] [--skip-fdw] [--out FILE]
       [--link RTT_MS:MBIT[:PER_CONN_MBIT]] [--placement near-mysql|near-pg|both]
       [--compress off|on|both] [--parallel [--sakila DIR]] [--compare-with REV]"
while [[ $# -gt 0 ]]; do
  case $1 in
    --rows) rows=$2; shift 2 ;;
    --skip-pgloader) run_pgloader=0; shift ;;
    --skip-fdw) run_fdw=0; shift ;;
    --out) out=$2; shift 2 ;;
    --link) link=$2; shift 2 ;;
    --placement) placement=$2; shift 2 ;;
    --compress) compress=$2; shift 2 ;;
    --parallel) parallel=1; shift ;;
    --compare-with) compare_rev=$2; shift 2 ;;
    --sakila) sakila=$2; shift 2 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
if (( rows < 1000 || rows > 20000000 )); then
  echo "bench: --rows must be between 1000 and 20000000" >&2
  exit 2
fi
link_rtt="" link_mbit="" link_conn_mbit=0
if [[ -n $link ]]; then
  if ! [[ $link =~ ^([0-9]+(\.[0-9]+)?):([0-9]+(\.[0-9]+)?)(:([0-9]+(\.[0-9]+)?))?$ ]]; then
    echo "bench: --link expects RTT_MS:MBIT[:PER_CONN_MBIT], e.g. 20:100" >&2
    exit 2
  fi
  link_rtt=${BASH_REMATCH[1]} link_mbit=${BASH_REMATCH[3]} link_conn_mbit=${BASH_REMATCH[6]:-0}
fi
case $placement in
  both) placements=(near-mysql near-pg) ;;
  near-mysql | near-pg) placements=("$placement") ;;
  *) echo "bench: --placement expects near-mysql, near-pg or both" >&2; exit 2 ;;
esac
case $compress in
  off) compress_modes=(false) ;;
  on) compress_modes=(true) ;;
  both) compress_modes=(false true) ;;
  *) echo "bench: --compress expects off, on or both" >&2; exit 2 ;;
esac
if (( parallel )) && [[ -z $link ]]; then
  echo "bench: --parallel needs --link" >&2
  exit 2
fi
if [[ -n $sakila && ! -f $sakila/sakila-schema.sql ]]; then
  echo "bench: --sakila $sakila: no sakila-schema.sql there" >&2
  exit 2
fi
mkdir -p bench/results
out=${out:-bench/results/$(date -u +%Y%m%dT%H%M%SZ)-${rows}.csv}

bash scripts/install-deps.sh
extra=()
command -v /usr/bin/time >/dev/null || extra+=(time)
command -v bc >/dev/null || extra+=(bc)
command -v column >/dev/null || extra+=(bsdextrautils)
if (( run_pgloader )) && ! command -v pgloader >/dev/null; then extra+=(pgloader); fi
pg_major=$(pg_config --version 2>/dev/null | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
fdw_package=postgresql-${pg_major:-15}-mysql-fdw
if (( run_fdw )) && ! dpkg -s "$fdw_package" >/dev/null 2>&1; then extra+=("$fdw_package"); fi
if (( ${#extra[@]} )); then
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${extra[@]}" >/dev/null
fi

cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DMIGRATE_BUILD_TESTS=OFF >/dev/null
cmake --build build-bench -j2 >/dev/null
migrate_bin=$PWD/build-bench/migrate
wan_bin=$PWD/build-bench/bench/wan_link
compare_bin=""
if [[ -n $compare_rev ]]; then
  compare_tree=$PWD/build-bench-compare/tree
  git worktree remove --force "$compare_tree" 2>/dev/null || rm -rf "$compare_tree"
  git worktree add --detach "$compare_tree" "$compare_rev" >/dev/null
  cmake -S "$compare_tree" -B build-bench-compare/build -DCMAKE_BUILD_TYPE=Release \
    -DMIGRATE_BUILD_TESTS=OFF >/dev/null
  cmake --build build-bench-compare/build -j2 --target migrate >/dev/null
  compare_bin=$PWD/build-bench-compare/build/migrate
  compare_tag=$(git rev-parse --short "$compare_rev")
fi

work=$(mktemp -d /tmp/migrate-bench.XXXXXX)
chmod 755 "$work"
if [[ -z ${MIGRATE_MYSQL_HOST:-} ]]; then
  # shellcheck source=scripts/servers.sh
  source scripts/servers.sh
  trap 'servers_stop; rm -rf "$work"' EXIT
  servers_start "$work/servers"
else
  trap 'rm -rf "$work"' EXIT
fi

export MYSQL_PWD=$MIGRATE_MYSQL_PASSWORD PGPASSWORD=$MIGRATE_PG_PASSWORD
my=(mariadb --default-character-set=utf8mb4 -h "$MIGRATE_MYSQL_HOST" -P "$MIGRATE_MYSQL_PORT"
    -u "$MIGRATE_MYSQL_USER")
pg=(psql -X -q -v ON_ERROR_STOP=1 -h "$MIGRATE_PG_HOST" -p "$MIGRATE_PG_PORT" -U "$MIGRATE_PG_USER")

# A production server holds its working set in memory; the test servers' 512 MB pool would make every
# incremental read a disk read on the larger tables.
"${my[@]}" -e "SET GLOBAL innodb_buffer_pool_size = 3221225472"

echo "bench: generating $rows rows"
"${my[@]}" -e "DROP DATABASE IF EXISTS bench; CREATE DATABASE bench CHARACTER SET utf8mb4"
"${pg[@]}" -d postgres -c "DROP DATABASE IF EXISTS bench" -c "DROP DATABASE IF EXISTS bench_pgloader" \
  -c "CREATE DATABASE bench" -c "CREATE DATABASE bench_pgloader"
"${my[@]}" bench <<'SQL'
CREATE TABLE wide (
  id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  account_id INT NOT NULL,
  status ENUM('new','active','suspended','closed') NOT NULL,
  amount DECIMAL(12,2) NOT NULL,
  score DOUBLE NULL,
  quantity SMALLINT NOT NULL,
  flag TINYINT(1) NOT NULL,
  name VARCHAR(120) NOT NULL,
  city VARCHAR(60) CHARACTER SET latin1 NULL,
  note TEXT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  KEY idx_wide_updated_at (updated_at)
) ENGINE=InnoDB;
SQL
step=500000
for (( from = 1; from <= rows; from += step )); do
  to=$(( from + step - 1 < rows ? from + step - 1 : rows ))
  "${my[@]}" bench -e "
    INSERT INTO wide SELECT seq, seq % 100000, ELT(1 + seq % 4, 'new', 'active', 'suspended', 'closed'),
      (seq % 1000000) / 100, IF(seq % 10 = 0, NULL, seq / 7), seq % 1000, seq % 2,
      CONCAT('customer ', seq, ' ', REPEAT('x', seq % 60)),
      IF(seq % 5 = 0, NULL, ELT(1 + seq % 4, 'Zürich', 'Québec', 'Ñuñoa', 'Tromsø')),
      IF(seq % 3 = 0, NULL, REPEAT(CONCAT('note ', seq, ' — ', 'lorem ipsum dolor '), 2 + seq % 16)),
      '2024-01-01' + INTERVAL seq SECOND + INTERVAL seq % 1000000 MICROSECOND,
      '2025-01-01' + INTERVAL (seq * 7919) % 31000000 SECOND
    FROM seq_${from}_to_${to}"
done

# Let InnoDB flush and purge what the load left behind, so the measured runs do not pay for it.
echo "bench: letting the servers settle"
"${my[@]}" -e "SET GLOBAL innodb_max_dirty_pages_pct = 0"
for _ in $(seq 1 120); do
  dirty=$("${my[@]}" -N -e "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS
                               WHERE VARIABLE_NAME = 'INNODB_BUFFER_POOL_PAGES_DIRTY'")
  (( dirty < 100 )) && break
  sleep 1
done
"${my[@]}" -e "SET GLOBAL innodb_max_dirty_pages_pct = DEFAULT"
"${pg[@]}" -d postgres -c "CHECKPOINT"

# write_config DIR PG_DATABASE COMPRESS: a configuration directory for the `wide` table. The ports
# come from BENCH_MYSQL_PORT and BENCH_PG_PORT, so that a step can send either connection through
# the link simulator.
write_config() {
  mkdir -p "$1"
  cat >"$1/database.yaml" <<EOF2
mysql:
  host: \${MIGRATE_MYSQL_HOST}
  port: \${BENCH_MYSQL_PORT}
  database: \${BENCH_MYSQL_DATABASE:-bench}
  username: \${MIGRATE_MYSQL_USER}
  password: \${MIGRATE_MYSQL_PASSWORD}
  compress: $3
postgresql:
  host: \${MIGRATE_PG_HOST}
  port: \${BENCH_PG_PORT}
  database: $2
  username: \${MIGRATE_PG_USER}
  password: \${MIGRATE_PG_PASSWORD}
EOF2
  # Quoted: migrate itself fills ${BENCH_VERIFY_EVERY:-0} from its environment.
  cat >"$1/table_mapping.yaml" <<'EOF2'
tables:
  - source_table: wide
    timestamp_column: updated_at
    batch_size: 5000
    commit_rows: 200000
    lookback: 0s
    safety_lag: 0s
    indexes: true
    verify_every: ${BENCH_VERIFY_EVERY:-0}
EOF2
  # The sync alone is measured (pgloader and mysql_fdw compare nothing afterwards); step f times
  # the comparison on its own.
  printf 'state_file: %s/state.db\nlogging: {file: %s/migrate.log}\nvalidate_after: none\n' \
    "$1" "$1" >"$1/migrate.yaml"
}
export BENCH_MYSQL_PORT=$MIGRATE_MYSQL_PORT BENCH_PG_PORT=$MIGRATE_PG_PORT
cfg=$work/config
write_config "$cfg" bench false

# measure NAME COMMAND...: wall seconds, peak RSS (KiB) and CPU seconds (user + system) of COMMAND
# into $wall / $rss / $cpu.
declare -A wall rss cpu
measure() {
  local name=$1 user system
  shift
  /usr/bin/time -f '%e %M %U %S' -o "$work/time" "$@" >"$work/$name.out" 2>&1 || {
    echo "bench: step $name failed:" >&2
    tail -n 20 "$work/$name.out" >&2
    exit 1
  }
  read -r wall[$name] rss[$name] user system <"$work/time"
  cpu[$name]=$(echo "$user + $system" | bc -l)
  echo "bench: $name ${wall[$name]} s, CPU ${cpu[$name]} s"
}

# link_start UPSTREAM_PORT RTT_MS MBIT CONN_MBIT STATS_FILE: starts the link simulator in front of
# UPSTREAM_PORT; its port goes to $link_port.
link_start() {
  rm -f "$work/link.port"
  "$wan_bin" --listen 0 --upstream "$1" --rtt-ms "$2" --mbit "$3" --conn-mbit "$4" \
    --max-seconds 7200 --port-file "$work/link.port" --stats "$5" >/dev/null &
  link_pid=$!
  for _ in $(seq 1 100); do
    [[ -s $work/link.port ]] && break
    sleep 0.05
  done
  link_port=$(<"$work/link.port")
}
link_stop() {
  kill -TERM "$link_pid"
  wait "$link_pid" || true
}
json_field() { grep -o "\"$2\":[0-9.]*" "$1" | cut -d: -f2; }

# link_measure NAME FAR(mysql|pg) RTT_MS COMMAND...: measure with the link in front of FAR; the
# link's counters into link_bytes, link_busiest and link_trips.
declare -A link_bytes link_busiest link_trips
link_measure() {
  local name=$1 far=$2 rtt=$3 stats=$work/$1.link.json
  shift 3
  if [[ $far == mysql ]]; then
    link_start "$MIGRATE_MYSQL_PORT" "$rtt" "$link_mbit" "$link_conn_mbit" "$stats"
    BENCH_MYSQL_PORT=$link_port measure "$name" "$@"
  else
    link_start "$MIGRATE_PG_PORT" "$rtt" "$link_mbit" "$link_conn_mbit" "$stats"
    BENCH_PG_PORT=$link_port measure "$name" "$@"
  fi
  link_stop
  local up down
  up=$(json_field "$stats" bytes_to_server)
  down=$(json_field "$stats" bytes_to_client)
  link_bytes[$name]=$(( up + down ))
  link_busiest[$name]=$(( up > down ? up : down ))
  link_trips[$name]=$(json_field "$stats" round_trips)
}

# server_cpu_ticks: CPU time (1/100 s) of the PostgreSQL backends that have ended: the postmaster
# collects each one's CPU time when it reaps it (cutime + cstime of /proc/PID/stat).
pg_data=$("${pg[@]}" -d postgres -Atc "SHOW data_directory")
server_cpu_ticks() {
  local pid
  pid=$(head -n 1 "$pg_data/postmaster.pid")
  awk '{print $16 + $17}' "/proc/$pid/stat"
}

measure a bash -c "${my[*]} --quick bench -e 'SELECT * FROM wide' >/dev/null"
measure c "$migrate_bin" --config "$cfg"

copy_file=$work/wide.copy
"${pg[@]}" -d bench -c "\\copy wide TO '$copy_file'"
bytes=$(stat -c %s "$copy_file")
"${pg[@]}" -d bench -c "CREATE TABLE bare (LIKE wide)" -c "CREATE TABLE indexed (LIKE wide INCLUDING ALL)"
measure b_copy "${pg[@]}" -d bench -c "\\copy bare FROM '$copy_file'"
measure b_keys "${pg[@]}" -d bench -c "ALTER TABLE bare ADD PRIMARY KEY (id)" \
  -c "CREATE INDEX ON bare (updated_at)"
measure b_indexed "${pg[@]}" -d bench -c "\\copy indexed FROM '$copy_file'"

# COPY in text and in binary format of the same rows, each into a bare table through the link
# simulator (no delay, no cap: it only counts bytes), with the backend's CPU time.
declare -A copy_bytes copy_cpu
binary_file=$work/wide.copy.bin
"${pg[@]}" -d bench -c "\\copy wide TO '$binary_file' (FORMAT binary)"
for format in text binary; do
  file=$copy_file
  [[ $format == binary ]] && file=$binary_file
  "${pg[@]}" -d bench -c "CREATE UNLOGGED TABLE copy_$format (LIKE wide) WITH (autovacuum_enabled = off)"
  link_start "$MIGRATE_PG_PORT" 0 0 0 "$work/copy_$format.link.json"
  before=$(server_cpu_ticks)
  measure "copy_$format" "${pg[@]}" -h 127.0.0.1 -p "$link_port" -d bench \
    -c "\\copy copy_$format FROM '$file' (FORMAT $format)"
  sleep 0.5 # the postmaster reaps the backend
  copy_cpu[$format]=$(( $(server_cpu_ticks) - before ))
  link_stop
  copy_bytes[$format]=$(json_field "$work/copy_$format.link.json" bytes_to_server)
  "${pg[@]}" -d bench -c "DROP TABLE copy_$format"
done
rm -f "$binary_file"
rm -f "$copy_file"
wall[b]=$(echo "${wall[b_copy]} + ${wall[b_keys]}" | bc -l)
rss[b]=$(( rss[b_copy] > rss[b_keys] ? rss[b_copy] : rss[b_keys] ))

"${my[@]}" bench -e "UPDATE wide SET amount = amount + 1 WHERE id % 1000 = 0"
sleep 1.1 # the run's bound leaves out the current second
measure d "$migrate_bin" --config "$cfg"
measure e "$migrate_bin" --config "$cfg"
# d and e measure the cursor alone (verify_every: 0); v is a run with the default verify_every: 4,
# which compares a quarter of the table after its incremental pass.
BENCH_VERIFY_EVERY=4 measure v "$migrate_bin" --config "$cfg"
measure f "$migrate_bin" --config "$cfg" validate --checksum

if [[ -n $compare_bin ]]; then
  # The same rows, the other build: its own target and state, then its checksum of them.
  "${pg[@]}" -d postgres -c "DROP DATABASE IF EXISTS bench_compare" -c "CREATE DATABASE bench_compare"
  write_config "$work/config-compare" bench_compare false
  # An older build knows none of these keys; the first two are their defaults here, and it
  # compares nothing after a run.
  sed -i '/compress: false/d; /verify_every/d; /validate_after/d' \
    "$work/config-compare/database.yaml" "$work/config-compare/table_mapping.yaml" \
    "$work/config-compare/migrate.yaml"
  "${pg[@]}" -d postgres -c "CHECKPOINT"
  measure "c@$compare_tag" "$compare_bin" --config "$work/config-compare"
  measure "f@$compare_tag" "$compare_bin" --config "$work/config-compare" validate --checksum
  "${pg[@]}" -d postgres -c "DROP DATABASE bench_compare"
fi

if (( run_pgloader )); then
  # pgloader's default prefetch (100,000 rows) exhausts its 1 GiB Lisp heap on this table.
  measure g pgloader --no-ssl-cert-verification --with "prefetch rows = 20000" \
    "mysql://$MIGRATE_MYSQL_USER:$MIGRATE_MYSQL_PASSWORD@$MIGRATE_MYSQL_HOST:$MIGRATE_MYSQL_PORT/bench" \
    "postgresql://$MIGRATE_PG_USER:$MIGRATE_PG_PASSWORD@$MIGRATE_PG_HOST:$MIGRATE_PG_PORT/bench_pgloader"
fi

if (( run_fdw )); then
  # The foreign table has the target's column types; the read is one SELECT * through mysql_fdw.
  "${pg[@]}" -d postgres -c "DROP DATABASE IF EXISTS bench_fdw" -c "CREATE DATABASE bench_fdw"
  "${pg[@]}" -d bench_fdw <<SQL
CREATE EXTENSION mysql_fdw;
CREATE SERVER mysql_source FOREIGN DATA WRAPPER mysql_fdw
  OPTIONS (host '$MIGRATE_MYSQL_HOST', port '$MIGRATE_MYSQL_PORT');
CREATE USER MAPPING FOR CURRENT_USER SERVER mysql_source
  OPTIONS (username '$MIGRATE_MYSQL_USER', password '$MIGRATE_MYSQL_PASSWORD');
CREATE SCHEMA source;
CREATE FOREIGN TABLE source.wide (
  id bigint, account_id integer, status text, amount numeric(12,2), score double precision,
  quantity smallint, flag boolean, name varchar(120), city varchar(60), note text,
  created_at timestamp(6), updated_at timestamptz
) SERVER mysql_source OPTIONS (dbname 'bench', table_name 'wide');
SQL
  "${pg[@]}" -d postgres -c "CHECKPOINT"
  measure h "${pg[@]}" -d bench_fdw -c "CREATE TABLE wide AS SELECT * FROM source.wide" \
    -c "ALTER TABLE wide ADD PRIMARY KEY (id)" -c "CREATE INDEX ON wide (updated_at)"
  "${pg[@]}" -d postgres -c "DROP DATABASE bench_fdw"
fi

# The same steps across a link, for each placement and compression setting: a fresh target
# database and state file each time.
link_steps=()
if [[ -n $link ]]; then
  for where in "${placements[@]}"; do
    far=pg
    [[ $where == near-pg ]] && far=mysql
    for zip in "${compress_modes[@]}"; do
      tag=$where
      [[ $zip == true ]] && tag=$where+zlib
      database=bench_${where//-/_}_$zip
      "${pg[@]}" -d postgres -c "DROP DATABASE IF EXISTS $database" -c "CREATE DATABASE $database"
      write_config "$work/config-$tag" "$database" "$zip"
      link_measure "c@$tag" "$far" "$link_rtt" "$migrate_bin" --config "$work/config-$tag"
      "${my[@]}" bench -e "UPDATE wide SET amount = amount + 1 WHERE id % 1000 = 0"
      sleep 1.1
      link_measure "d@$tag" "$far" "$link_rtt" "$migrate_bin" --config "$work/config-$tag"
      link_measure "e@$tag" "$far" "$link_rtt" "$migrate_bin" --config "$work/config-$tag"
      link_measure "f@$tag" "$far" "$link_rtt" "$migrate_bin" --config "$work/config-$tag" \
        validate --checksum
      link_steps+=("c@$tag" "d@$tag" "e@$tag" "f@$tag")
    done
  done

  # 20 small tables with no change, over a link of 50 ms RTT: the cost is round trips.
  "${my[@]}" -e "DROP DATABASE IF EXISTS bench_small; CREATE DATABASE bench_small"
  for i in $(seq -w 1 20); do
    "${my[@]}" bench_small -e "CREATE TABLE t$i (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL,
      updated_at TIMESTAMP NOT NULL DEFAULT '2025-01-01 00:00:00');
      INSERT INTO t$i (id, name) SELECT seq, CONCAT('row ', seq) FROM seq_1_to_100"
  done
  "${pg[@]}" -d postgres -c "DROP DATABASE IF EXISTS bench_small" -c "CREATE DATABASE bench_small"
  small=$work/config-small
  write_config "$small" bench_small false
  { echo "tables:"; for i in $(seq -w 1 20); do
      printf '  - {source_table: t%s, timestamp_column: updated_at, lookback: 0s, safety_lag: 0s}\n' "$i"
    done; } >"$small/table_mapping.yaml"
  BENCH_MYSQL_DATABASE=bench_small measure small_initial "$migrate_bin" --config "$small"
  for where in "${placements[@]}"; do
    far=pg
    [[ $where == near-pg ]] && far=mysql
    BENCH_MYSQL_DATABASE=bench_small link_measure "e20@$where" "$far" 50 \
      "$migrate_bin" --config "$small"
    link_steps+=("e20@$where")
  done
fi

# parallel_mapping DIR DATABASE: a mapping of every base table of MySQL's DATABASE, each on its
# timestamp column when it has one.
parallel_mapping() {
  "${my[@]}" -N -e "SELECT CONCAT('  - {source_table: ', t.TABLE_NAME,
      IF(c.COLUMN_NAME IS NULL, '', ', timestamp_column: last_update'), '}')
    FROM information_schema.TABLES t LEFT JOIN information_schema.COLUMNS c
      ON c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME
     AND c.COLUMN_NAME = 'last_update'
    WHERE t.TABLE_SCHEMA = '$2' AND t.TABLE_TYPE = 'BASE TABLE' ORDER BY t.TABLE_NAME" |
    { echo "tables:"; cat; } >"$1/table_mapping.yaml"
}

# fresh_target NAME: an empty PostgreSQL database of that name.
fresh_target() { "${pg[@]}" -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"; }

if (( parallel )); then
  # Key ranges: the initial load of `wide`, MySQL across the link, then on loopback.
  for k in 1 4; do
    for where in link loopback; do
      fresh_target "bench_ranges_${k}_$where"
      write_config "$work/config-r$k-$where" "bench_ranges_${k}_$where" false
      echo "    parallel_ranges: $k" >>"$work/config-r$k-$where/table_mapping.yaml"
    done
    link_measure "r$k@near-pg" mysql "$link_rtt" "$migrate_bin" --config "$work/config-r$k-link"
    measure "r$k@loopback" "$migrate_bin" --config "$work/config-r$k-loopback"
    link_steps+=("r$k@near-pg")
  done
  # Tables at once: a Sakila-like database, each table's first load.
  "${my[@]}" -e "DROP DATABASE IF EXISTS bench_sakila; CREATE DATABASE bench_sakila"
  if [[ -n $sakila ]]; then
    for file in sakila-schema.sql sakila-data.sql; do
      sed 's/\bsakila\b/bench_sakila/g' "$sakila/$file" | "${my[@]}" bench_sakila
    done
  else
    "${my[@]}" bench_sakila <tests/data/fixture.sql
  fi
  for j in 1 4; do
    for where in link loopback; do
      fresh_target "bench_jobs_${j}_$where"
      write_config "$work/config-j$j-$where" "bench_jobs_${j}_$where" false
      parallel_mapping "$work/config-j$j-$where" bench_sakila
    done
    BENCH_MYSQL_DATABASE=bench_sakila link_measure "j$j@near-pg" mysql "$link_rtt" \
      "$migrate_bin" --config "$work/config-j$j-link" --jobs "$j"
    BENCH_MYSQL_DATABASE=bench_sakila measure "j$j@loopback" \
      "$migrate_bin" --config "$work/config-j$j-loopback" --jobs "$j"
    link_steps+=("j$j@near-pg")
  done
  sakila_rows=$("${my[@]}" -N -e "SELECT SUM(TABLE_ROWS) FROM information_schema.TABLES
                                   WHERE TABLE_SCHEMA = 'bench_sakila' AND TABLE_TYPE = 'BASE TABLE'")
fi

changed=$(( rows / 1000 ))
mb=$(echo "$bytes / 1048576" | bc -l)
machine="$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -m)"
{
  echo "step,description,rows,wall_s,rows_per_s,mb_per_s,peak_rss_mb,cpu_s,link_mb,link_use,round_trips"
  row() { # step description rows; MB/s only where the whole table moves
    local w=${wall[$1]} r=${rss[$1]:-0} c=${cpu[$1]:-0} rate="-" moved="-" use="-" trips="-"
    [[ $3 == "$rows" ]] && rate=$(printf '%.1f' "$(echo "$mb / $w" | bc -l)")
    if [[ -n ${link_bytes[$1]:-} ]]; then
      moved=$(printf '%.1f' "$(echo "${link_bytes[$1]} / 1048576" | bc -l)")
      use=$(printf '%.0f%%' "$(echo "100 * ${link_busiest[$1]} * 8 / ($link_mbit * 1000000 * $w)" | bc -l)")
      trips=${link_trips[$1]}
    fi
    printf '%s,%s,%s,%.2f,%.0f,%s,%.0f,%.2f,%s,%s,%s\n' "$1" "$2" "$3" "$w" \
      "$(echo "$3 / $w" | bc -l)" "$rate" "$(echo "$r / 1024" | bc -l)" "$c" "$moved" "$use" "$trips"
  }
  row a "extract limit (mariadb --quick)" "$rows"
  row b_copy "load limit: COPY into bare table" "$rows"
  row b_keys "load limit: primary key + index built" "$rows"
  row b "load limit total (b_copy + b_keys)" "$rows"
  row b_indexed "reference: COPY into indexed table" "$rows"
  row c "migrate initial load" "$rows"
  row d "migrate incremental (0.1% changed)" "$changed"
  row e "migrate with no changes" "$rows"
  row v "migrate with no changes verifying a quarter (verify_every: 4)" "$rows"
  row f "migrate validate --checksum" "$rows"
  if [[ -n $compare_bin ]]; then
    row "c@$compare_tag" "migrate initial load (build $compare_tag)" "$rows"
    row "f@$compare_tag" "migrate validate --checksum (build $compare_tag)" "$rows"
  fi
  if (( run_pgloader )); then row g "pgloader 3.6" "$rows"; fi
  if (( run_fdw )); then row h "mysql_fdw: CREATE TABLE AS SELECT + keys" "$rows"; fi
  for step in "${link_steps[@]}"; do
    where=${step#*@}
    rtt=$link_rtt
    case ${step%@*} in
      c) what="initial load"; n=$rows ;;
      d) what="incremental (0.1% changed)"; n=$changed ;;
      e) what="no changes"; n=$rows ;;
      f) what="validate --checksum"; n=$rows ;;
      e20) what="20 small tables with no changes"; n=2000; rtt=50 ;;
      r1 | r4) what="initial load in ${step:1:1} key ranges"; n=$rows ;;
      j1 | j4) what="Sakila-like initial load with --jobs ${step:1:1}"; n=$sakila_rows ;;
    esac
    row "$step" "$what over ${rtt} ms / ${link_mbit} Mbit ($where)" "$n"
  done
  if (( parallel )); then
    row r1@loopback "initial load in 1 key range (loopback)" "$rows"
    row r4@loopback "initial load in 4 key ranges (loopback)" "$rows"
    row j1@loopback "Sakila-like initial load with --jobs 1 (loopback)" "$sakila_rows"
    row j4@loopback "Sakila-like initial load with --jobs 4 (loopback)" "$sakila_rows"
  fi
} >"$out"

echo
echo "migrate benchmark: $rows rows, $(printf '%.0f' "$mb") MB as COPY text, on $machine"
column -s, -t <"$out"
limit=$(echo "if (${wall[a]} > ${wall[b]}) ${wall[a]} else ${wall[b]}" | bc -l)
printf '\nc / max(a, b) = %.2f   (target <= 1.0)\n' "$(echo "${wall[c]} / $limit" | bc -l)"
printf 'f / max(a, b) = %.2f   (target <= 1.0)\n' "$(echo "${wall[f]} / $limit" | bc -l)"
if [[ -n $compare_bin ]]; then
  printf 'against %s: c %.2f s / %.2f s, client CPU of c %.2f s / %.2f s (%.2f times), f %.2f s / %.2f s\n' \
    "$compare_tag" "${wall[c]}" "${wall[c@$compare_tag]}" "${cpu[c]}" "${cpu[c@$compare_tag]}" \
    "$(echo "${cpu[c]} / ${cpu[c@$compare_tag]}" | bc -l)" "${wall[f]}" "${wall[f@$compare_tag]}"
fi
printf 'd / c          = %.4f (target <= 0.02 at 10M rows)\n' "$(echo "${wall[d]} / ${wall[c]}" | bc -l)"
printf 'e              = %.2f s (target < 2 s at 10M rows)\n' "${wall[e]}"
if (( run_pgloader )); then
  printf 'g / c          = %.2f   (target >= 3)\n' "$(echo "${wall[g]} / ${wall[c]}" | bc -l)"
fi
if (( run_fdw )); then
  printf 'h / c          = %.2f   (mysql_fdw)\n' "$(echo "${wall[h]} / ${wall[c]}" | bc -l)"
fi
printf 'migrate peak RSS: initial %.0f MB, incremental %.0f MB (target <= 256 MB)\n' \
  "$(echo "${rss[c]} / 1024" | bc -l)" "$(echo "${rss[d]} / 1024" | bc -l)"
for format in text binary; do
  printf 'COPY %-6s: %.1f MB sent, %.2f s, server CPU %.2f s\n' "$format" \
    "$(echo "${copy_bytes[$format]} / 1048576" | bc -l)" "${wall[copy_$format]}" \
    "$(echo "${copy_cpu[$format]} / 100" | bc -l)"
done
for step in "${link_steps[@]}"; do
  if [[ $step == e20@* ]]; then
    printf '%s: %.2f s (target < 10 s), %s round trips, %.1f per table\n' "$step" "${wall[$step]}" \
      "${link_trips[$step]}" "$(echo "${link_trips[$step]} / 20" | bc -l)"
  fi
done
if (( parallel )); then
  ratio() { echo "${wall[$1]} / ${wall[$2]}" | bc -l; }
  printf 'parallel_ranges 4 against 1 over the link: %.2f times as fast (target >= 3)\n' \
    "$(ratio r1@near-pg r4@near-pg)"
  printf -- '--jobs 4 against 1 over the link: %.2f times as fast (target >= 2.5)\n' \
    "$(ratio j1@near-pg j4@near-pg)"
  printf 'on loopback: ranges 4 / 1 = %.2f of the time, jobs 4 / 1 = %.2f of the time\n' \
    "$(ratio r4@loopback r1@loopback)" "$(ratio j4@loopback j1@loopback)"
fi
echo "figures written to $out"
