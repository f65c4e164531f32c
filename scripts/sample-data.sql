-- Sample data for the demo: 5,000 users and 20,000 orders, generated in SQL
-- in the shape config/table_mapping.yaml (the design document's) describes,
-- and deterministic (every value is arithmetic on the row number), with
-- timestamps spread over 2025 so there is history to sync incrementally.
--
--   mariadb --default-character-set=utf8mb4 app < scripts/sample-data.sql
--
-- Re-running it recreates both tables.

SET NAMES utf8mb4;
-- TIMESTAMP literals are read in the session zone: fix it so the stored
-- instants do not depend on the server's zone.
SET time_zone = '+00:00';
-- Row generators below recurse up to 20,000 times.
SET SESSION max_recursive_iterations = 100000;

DROP TABLE IF EXISTS orders;
DROP TABLE IF EXISTS users;

CREATE TABLE users (
  user_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  phone_number VARCHAR(32) NULL,
  email VARCHAR(255) NOT NULL,
  full_name VARCHAR(120) CHARACTER SET latin1 NOT NULL,
  country CHAR(2) NOT NULL,
  status ENUM('active','suspended','closed') NOT NULL DEFAULT 'active',
  is_admin TINYINT(1) NOT NULL DEFAULT 0,
  balance DECIMAL(12,2) NOT NULL DEFAULT 0,
  bio TEXT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  KEY idx_users_updated_at (updated_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE orders (
  order_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id BIGINT UNSIGNED NOT NULL,
  amount DECIMAL(12,2) NOT NULL,
  currency CHAR(3) NOT NULL DEFAULT 'EUR',
  tags SET('gift','express','fragile') NOT NULL DEFAULT '',
  weight_kg DOUBLE NULL,
  note VARCHAR(500) NULL,
  ordered_at DATETIME NOT NULL,
  -- Written by the application in the server's time zone, as DATETIME columns usually are.
  modified_date DATETIME NOT NULL,
  KEY idx_orders_modified_date (modified_date),
  KEY idx_orders_user (user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- full_name is latin1 on purpose: the accented names must survive the
-- conversion to UTF-8. bio mixes NULL, '', tabs, newlines, backslashes,
-- quotes and 4-byte characters (emoji) that only utf8mb4 can hold.
INSERT INTO users (user_id, phone_number, email, full_name, country, status, is_admin, balance, bio, created_at, updated_at)
WITH RECURSIVE seq (n) AS (
  SELECT 1
  UNION ALL
  SELECT n + 1 FROM seq WHERE n < 5000
)
SELECT
  n,
  -- Written with + or 00, so that format_phone places them without a country_code.
  CASE n % 4
    WHEN 0 THEN NULL
    WHEN 1 THEN CONCAT('+49 30 ', 1000000 + n)
    WHEN 2 THEN CONCAT('0044 20 7946 ', LPAD(n, 4, '0'))
    ELSE CONCAT('+1 (415) 555-', LPAD(n % 10000, 4, '0'))
  END,
  CONCAT('User', n, '@Example.', ELT(1 + n % 4, 'com', 'org', 'net', 'de')),
  CONCAT(
    ELT(1 + n % 10, 'Anna', 'José', 'Zoë', 'Jürgen', 'Renée', 'Björn', 'Iñigo', 'François', 'Chloé', 'Mårten'),
    ' ',
    ELT(1 + (n DIV 10) % 8, 'Müller', 'García', 'Núñez', 'Ødegaard', 'Smith', 'Dupré', 'O''Brien', 'Åström')),
  ELT(1 + n % 6, 'DE', 'FR', 'ES', 'US', 'SE', 'NO'),
  CASE WHEN n % 17 = 0 THEN 'closed' WHEN n % 11 = 0 THEN 'suspended' ELSE 'active' END,
  n % 97 = 0,
  CAST((n * 7919) % 1000000 / 100 - 2000 AS DECIMAL(12,2)),
  CASE n % 6
    WHEN 0 THEN NULL
    WHEN 1 THEN CONCAT('Line one of user ', n, '\nLine two\twith a tab')
    WHEN 2 THEN CONCAT('Backslashes: C:\\Users\\u', n, ' and a trailing one \\')
    WHEN 3 THEN CONCAT('Loves 🚀 and 🐘 — café ', n, ' "quoted" and ''single''')
    WHEN 4 THEN ''
    ELSE CONCAT('Plain bio number ', n)
  END,
  TIMESTAMP'2025-01-01 00:00:00' + INTERVAL (n * 97) MINUTE + INTERVAL ((n * 123457) % 1000000) MICROSECOND,
  TIMESTAMP'2025-01-01 00:00:00' + INTERVAL (n * 97) MINUTE + INTERVAL ((n * 123457) % 1000000) MICROSECOND
    + INTERVAL (n % 20) DAY + INTERVAL (n % 3600) SECOND
FROM seq;

-- Orders reference users 1..5000 spread by a multiplicative hash.
INSERT INTO orders (order_id, user_id, amount, currency, tags, weight_kg, note, ordered_at, modified_date)
WITH RECURSIVE seq (n) AS (
  SELECT 1
  UNION ALL
  SELECT n + 1 FROM seq WHERE n < 20000
)
SELECT
  n,
  1 + (n * 7919) % 5000,
  CAST(1 + (n * 104729) % 50000 / 100 AS DECIMAL(12,2)),
  CASE WHEN n % 10 < 7 THEN 'EUR' WHEN n % 10 < 9 THEN 'USD' ELSE 'GBP' END,
  MAKE_SET(n % 8, 'gift', 'express', 'fragile'),
  CASE WHEN n % 9 = 0 THEN NULL ELSE (n % 5000) / 137.0E0 END,
  CASE n % 4
    WHEN 0 THEN NULL
    WHEN 1 THEN 'Leave at the door'
    WHEN 2 THEN CONCAT('Ring twice 🔔 order ', n)
    ELSE 'Fragile: "glass" \\ handle with care\nThanks!'
  END,
  TIMESTAMP'2025-01-01 00:00:00' + INTERVAL (n * 24) MINUTE + INTERVAL ((n * 37) % 60) SECOND,
  TIMESTAMP'2025-01-01 00:00:00' + INTERVAL (n * 24) MINUTE + INTERVAL ((n * 37) % 60) SECOND
    + INTERVAL (n % 72) HOUR
FROM seq;
