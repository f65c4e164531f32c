#!/usr/bin/env bash
# The migrate benchmark: one table of mixed types, measured against the physical limits of the two
# servers and against pgloader, in one run on this machine.
#
#   bench/run.sh [--rows N] [--skip-pgloader] [--out FILE]
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
#   f  migrate validate --checksum
#   g  pgloader 3.6 (Debian) loading the same table
# MariaDB's InnoDB buffer pool is set to 3 GiB first (as a production server would hold the table).
# and the ratios c/max(a,b), g/c, d/c. Figures go to a CSV file (bench/results/ by default).
set -euo pipefail
cd "$(dirname "$0")/.."

rows=2000000
run_pgloader=1
out=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --rows) rows=$2; shift 2 ;;
    --skip-pgloader) run_pgloader=0; shift ;;
    --out) out=$2; shift 2 ;;
    *) echo "usage: bench/run.sh [--rows N] [--skip-pgloader] [--out FILE]" >&2; exit 2 ;;
  esac
done
if (( rows < 1000 || rows > 20000000 )); then
  echo "bench: --rows must be between 1000 and 20000000" >&2
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
if (( ${#extra[@]} )); then
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${extra[@]}" >/dev/null
fi

cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DMIGRATE_BUILD_TESTS=OFF >/dev/null
cmake --build build-bench -j2 >/dev/null
migrate_bin=$PWD/build-bench/migrate

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

cfg=$work/config
mkdir -p "$cfg"
cat >"$cfg/database.yaml" <<'EOF2'
mysql:
  host: ${MIGRATE_MYSQL_HOST}
  port: ${MIGRATE_MYSQL_PORT}
  database: bench
  username: ${MIGRATE_MYSQL_USER}
  password: ${MIGRATE_MYSQL_PASSWORD}
postgresql:
  host: ${MIGRATE_PG_HOST}
  port: ${MIGRATE_PG_PORT}
  database: bench
  username: ${MIGRATE_PG_USER}
  password: ${MIGRATE_PG_PASSWORD}
EOF2
cat >"$cfg/table_mapping.yaml" <<'EOF2'
tables:
  - source_table: wide
    timestamp_column: updated_at
    batch_size: 5000
    commit_rows: 200000
    lookback: 0s
    safety_lag: 0s
    indexes: true
EOF2
printf 'state_file: %s/state.db\nlogging: {file: %s/migrate.log}\n' "$work" "$work" >"$cfg/migrate.yaml"

# measure NAME COMMAND...: wall seconds and peak RSS (KiB) of COMMAND into $wall / $rss.
declare -A wall rss
measure() {
  local name=$1
  shift
  /usr/bin/time -f '%e %M' -o "$work/time" "$@" >"$work/$name.out" 2>&1 || {
    echo "bench: step $name failed:" >&2
    tail -n 20 "$work/$name.out" >&2
    exit 1
  }
  read -r wall[$name] rss[$name] <"$work/time"
  echo "bench: $name ${wall[$name]} s"
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
rm -f "$copy_file"
wall[b]=$(echo "${wall[b_copy]} + ${wall[b_keys]}" | bc -l)
rss[b]=$(( rss[b_copy] > rss[b_keys] ? rss[b_copy] : rss[b_keys] ))

"${my[@]}" bench -e "UPDATE wide SET amount = amount + 1 WHERE id % 1000 = 0"
sleep 1.1 # the run's bound leaves out the current second
measure d "$migrate_bin" --config "$cfg"
measure e "$migrate_bin" --config "$cfg"
measure f "$migrate_bin" --config "$cfg" validate --checksum

if (( run_pgloader )); then
  # pgloader's default prefetch (100,000 rows) exhausts its 1 GiB Lisp heap on this table.
  measure g pgloader --no-ssl-cert-verification --with "prefetch rows = 20000" \
    "mysql://$MIGRATE_MYSQL_USER:$MIGRATE_MYSQL_PASSWORD@$MIGRATE_MYSQL_HOST:$MIGRATE_MYSQL_PORT/bench" \
    "postgresql://$MIGRATE_PG_USER:$MIGRATE_PG_PASSWORD@$MIGRATE_PG_HOST:$MIGRATE_PG_PORT/bench_pgloader"
fi

changed=$(( rows / 1000 ))
mb=$(echo "$bytes / 1048576" | bc -l)
machine="$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -m)"
{
  echo "step,description,rows,wall_s,rows_per_s,mb_per_s,peak_rss_mb"
  row() { # step description rows; MB/s only where the whole table moves
    local w=${wall[$1]} r=${rss[$1]:-0} rate="-"
    [[ $3 == "$rows" ]] && rate=$(printf '%.1f' "$(echo "$mb / $w" | bc -l)")
    printf '%s,%s,%s,%.2f,%.0f,%s,%.0f\n' "$1" "$2" "$3" "$w" "$(echo "$3 / $w" | bc -l)" \
      "$rate" "$(echo "$r / 1024" | bc -l)"
  }
  row a "extract limit (mariadb --quick)" "$rows"
  row b_copy "load limit: COPY into bare table" "$rows"
  row b_keys "load limit: primary key + index built" "$rows"
  row b "load limit total (b_copy + b_keys)" "$rows"
  row b_indexed "reference: COPY into indexed table" "$rows"
  row c "migrate initial load" "$rows"
  row d "migrate incremental (0.1% changed)" "$changed"
  row e "migrate with no changes" "$rows"
  row f "migrate validate --checksum" "$rows"
  if (( run_pgloader )); then row g "pgloader 3.6" "$rows"; fi
} >"$out"

echo
echo "migrate benchmark: $rows rows, $(printf '%.0f' "$mb") MB as COPY text, on $machine"
column -s, -t <"$out"
limit=$(echo "if (${wall[a]} > ${wall[b]}) ${wall[a]} else ${wall[b]}" | bc -l)
printf '\nc / max(a, b) = %.2f   (target <= 1.25)\n' "$(echo "${wall[c]} / $limit" | bc -l)"
printf 'd / c          = %.4f (target <= 0.02 at 10M rows)\n' "$(echo "${wall[d]} / ${wall[c]}" | bc -l)"
printf 'e              = %.2f s (target < 2 s at 10M rows)\n' "${wall[e]}"
if (( run_pgloader )); then
  printf 'g / c          = %.2f   (target >= 5)\n' "$(echo "${wall[g]} / ${wall[c]}" | bc -l)"
fi
printf 'migrate peak RSS: initial %.0f MB, incremental %.0f MB (target <= 256 MB)\n' \
  "$(echo "${rss[c]} / 1024" | bc -l)" "$(echo "${rss[d]} / 1024" | bc -l)"
echo "figures written to $out"
