-- A stand-in for MySQL 8.0's information_schema, built on MariaDB's: each view has exactly the
-- columns the MySQL 8.0 Reference Manual documents for its table (28.3.8 COLUMNS, 28.3.34
-- STATISTICS, 28.3.5 CHECK_CONSTRAINTS, 17.15.2 / 28.4.28 INNODB_TRX), in MySQL's upper case, and
-- reports values as MySQL 8.0.19+ does: a JSON column as 'json' (DATA_TYPE and COLUMN_TYPE), a
-- geometry collection as 'geomcollection', integer types without their display width except the
-- signed 'tinyint(1)' ('int', 'tinyint unsigned', 'year'), an invisible column's EXTRA as
-- 'auto_increment INVISIBLE'. A catalog query that names a column MySQL lacks fails against it.
-- COLUMN_DEFAULT keeps MariaDB's quoting (the cutover reads it by the server's flavour, and is
-- tested on MySQL 9.7 itself). Test-only: loaded into a schema that the
-- MIGRATE_TEST_MYSQL_CATALOG hook names.

CREATE VIEW COLUMNS AS
SELECT c.TABLE_CATALOG AS TABLE_CATALOG, c.TABLE_SCHEMA AS TABLE_SCHEMA,
       c.TABLE_NAME AS TABLE_NAME, c.COLUMN_NAME AS COLUMN_NAME,
       c.ORDINAL_POSITION AS ORDINAL_POSITION, c.COLUMN_DEFAULT AS COLUMN_DEFAULT,
       c.IS_NULLABLE AS IS_NULLABLE,
       CASE WHEN j.CHECK_CLAUSE IS NOT NULL THEN 'json'
            WHEN c.DATA_TYPE = 'geometrycollection' THEN 'geomcollection'
            ELSE c.DATA_TYPE END AS DATA_TYPE,
       IF(j.CHECK_CLAUSE IS NULL, c.CHARACTER_MAXIMUM_LENGTH, NULL) AS CHARACTER_MAXIMUM_LENGTH,
       IF(j.CHECK_CLAUSE IS NULL, c.CHARACTER_OCTET_LENGTH, NULL) AS CHARACTER_OCTET_LENGTH,
       c.NUMERIC_PRECISION AS NUMERIC_PRECISION, c.NUMERIC_SCALE AS NUMERIC_SCALE,
       c.DATETIME_PRECISION AS DATETIME_PRECISION,
       IF(j.CHECK_CLAUSE IS NULL, c.CHARACTER_SET_NAME, NULL) AS CHARACTER_SET_NAME,
       IF(j.CHECK_CLAUSE IS NULL, c.COLLATION_NAME, NULL) AS COLLATION_NAME,
       CASE WHEN j.CHECK_CLAUSE IS NOT NULL THEN 'json'
            WHEN c.DATA_TYPE = 'geometrycollection' THEN 'geomcollection'
            WHEN c.DATA_TYPE IN ('tinyint', 'smallint', 'mediumint', 'int', 'bigint', 'year')
                 AND c.COLUMN_TYPE <> 'tinyint(1)' AND c.COLUMN_TYPE NOT LIKE '%zerofill'
              THEN REGEXP_REPLACE(c.COLUMN_TYPE, '\\([0-9]+\\)', '')
            ELSE c.COLUMN_TYPE END AS COLUMN_TYPE,
       c.COLUMN_KEY AS COLUMN_KEY,
       REPLACE(c.EXTRA, ', INVISIBLE', ' INVISIBLE') AS EXTRA, c.PRIVILEGES AS PRIVILEGES,
       c.COLUMN_COMMENT AS COLUMN_COMMENT, c.GENERATION_EXPRESSION AS GENERATION_EXPRESSION,
       CAST(NULL AS UNSIGNED) AS SRS_ID
FROM information_schema.COLUMNS c
LEFT JOIN information_schema.CHECK_CONSTRAINTS j
  ON j.CONSTRAINT_SCHEMA = c.TABLE_SCHEMA AND j.TABLE_NAME = c.TABLE_NAME
 AND j.CHECK_CLAUSE = CONCAT('json_valid(`', c.COLUMN_NAME, '`)');

CREATE VIEW STATISTICS AS
SELECT TABLE_CATALOG, TABLE_SCHEMA, TABLE_NAME, NON_UNIQUE, INDEX_SCHEMA, INDEX_NAME,
       SEQ_IN_INDEX, COLUMN_NAME, COLLATION, CARDINALITY, SUB_PART, PACKED, NULLABLE, INDEX_TYPE,
       COMMENT, INDEX_COMMENT, IF(IGNORED = 'YES', 'NO', 'YES') AS IS_VISIBLE,
       CAST(NULL AS CHAR) AS EXPRESSION
FROM information_schema.STATISTICS;

-- No TABLE_NAME: MySQL 8.0 cannot tell which table a CHECK constraint belongs to from here.
CREATE VIEW CHECK_CONSTRAINTS AS
SELECT CONSTRAINT_CATALOG, CONSTRAINT_SCHEMA, CONSTRAINT_NAME, CHECK_CLAUSE
FROM information_schema.CHECK_CONSTRAINTS;

CREATE VIEW INNODB_TRX AS
SELECT trx_id, trx_state, trx_started, trx_requested_lock_id, trx_wait_started, trx_weight,
       trx_mysql_thread_id, trx_query, trx_operation_state, trx_tables_in_use, trx_tables_locked,
       trx_lock_structs, trx_lock_memory_bytes, trx_rows_locked, trx_rows_modified,
       trx_concurrency_tickets, trx_isolation_level, trx_unique_checks, trx_foreign_key_checks,
       trx_last_foreign_key_error, CAST(0 AS UNSIGNED) AS trx_adaptive_hash_latched,
       CAST(0 AS UNSIGNED) AS trx_adaptive_hash_timeout, trx_is_read_only,
       trx_autocommit_non_locking, CAST(NULL AS UNSIGNED) AS trx_schedule_weight
FROM information_schema.INNODB_TRX;
