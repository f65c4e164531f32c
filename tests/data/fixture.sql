-- A generated stand-in for the Sakila sample database: the same kinds of tables and types, made here
-- so that the integration tests cover the same ground on a machine without the shared data.
-- Deterministic: every value derives from a sequence number.
SET time_zone = '+00:00';
SET SESSION max_recursive_iterations = 100000;

CREATE TABLE person (
  person_id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT,
  first_name VARCHAR(45) NOT NULL,
  last_name VARCHAR(45) NOT NULL,
  last_update TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (person_id),
  KEY idx_person_last_name (last_name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE language (
  language_id TINYINT UNSIGNED NOT NULL AUTO_INCREMENT,
  name CHAR(20) NOT NULL,
  last_update TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (language_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE film (
  film_id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT,
  title VARCHAR(128) NOT NULL,
  description TEXT DEFAULT NULL,
  release_year YEAR DEFAULT NULL,
  language_id TINYINT UNSIGNED NOT NULL,
  rental_duration TINYINT UNSIGNED NOT NULL DEFAULT 3,
  rental_rate DECIMAL(4,2) NOT NULL DEFAULT 4.99,
  length SMALLINT UNSIGNED DEFAULT NULL,
  replacement_cost DECIMAL(5,2) NOT NULL DEFAULT 19.99,
  rating ENUM('G','PG','PG-13','R','NC-17') DEFAULT 'G',
  special_features SET('Trailers','Commentaries','Deleted Scenes','Behind the Scenes') DEFAULT NULL,
  last_update TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (film_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

-- Maintained without a timestamp column, like Sakila's film_text.
CREATE TABLE film_note (
  film_id SMALLINT NOT NULL,
  title VARCHAR(255) NOT NULL,
  description TEXT,
  PRIMARY KEY (film_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE film_person (
  person_id SMALLINT UNSIGNED NOT NULL,
  film_id SMALLINT UNSIGNED NOT NULL,
  last_update TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (person_id, film_id),
  KEY idx_fk_film_id (film_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE place (
  place_id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT,
  address VARCHAR(50) NOT NULL,
  district VARCHAR(20) CHARACTER SET latin1 NOT NULL,
  postal_code VARCHAR(10) DEFAULT NULL,
  location GEOMETRY NOT NULL,
  last_update TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (place_id),
  SPATIAL KEY idx_location (location)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE staff (
  staff_id TINYINT UNSIGNED NOT NULL AUTO_INCREMENT,
  first_name VARCHAR(45) NOT NULL,
  picture BLOB DEFAULT NULL,
  email VARCHAR(50) DEFAULT NULL,
  active BOOLEAN NOT NULL DEFAULT TRUE,
  password VARCHAR(40) BINARY DEFAULT NULL,
  last_update TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (staff_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE payment (
  payment_id INT UNSIGNED NOT NULL AUTO_INCREMENT,
  person_id SMALLINT UNSIGNED NOT NULL,
  amount DECIMAL(5,2) NOT NULL,
  payment_date DATETIME NOT NULL,
  measured DOUBLE DEFAULT NULL,
  ratio FLOAT DEFAULT NULL,
  last_update TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (payment_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

INSERT INTO language (name, last_update) VALUES
  ('English', '2006-02-15 05:02:19'), ('Italian', '2006-02-15 05:02:19'),
  ('Japanese', '2006-02-15 05:02:19'), ('Mandarin', '2006-02-15 05:02:19'),
  ('French', '2006-02-15 05:02:19'), ('German', '2006-02-15 05:02:19');

INSERT INTO person (person_id, first_name, last_name, last_update)
WITH RECURSIVE seq (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 200)
SELECT n, CONCAT(ELT(1 + n % 5, 'PENELOPE', 'NICK', 'ED', 'JENNIFER', 'JOHNNY'), n),
       ELT(1 + n % 4, 'GUINESS', 'WAHLBERG', 'CHASE', 'DAVIS'), '2006-02-15 04:34:33'
FROM seq;

INSERT INTO film (film_id, title, description, release_year, language_id, rental_duration,
                  rental_rate, length, replacement_cost, rating, special_features, last_update)
WITH RECURSIVE seq (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 1000)
SELECT n, CONCAT('FILM ', n, IF(n % 7 = 0, ' \\ tab\there', '')),
       IF(n % 11 = 0, NULL, CONCAT('A story of ', n, IF(n % 13 = 0, '\nsecond line', ''))),
       IF(n % 17 = 0, NULL, 1990 + n % 30), 1 + n % 6, 3 + n % 5, 0.99 + (n % 5),
       IF(n % 19 = 0, NULL, 46 + n % 140), 9.99 + (n % 21),
       ELT(1 + n % 5, 'G', 'PG', 'PG-13', 'R', 'NC-17'),
       IF(n % 9 = 0, NULL, ELT(1 + n % 4, 'Trailers', 'Commentaries,Deleted Scenes',
                               'Trailers,Behind the Scenes', '')),
       '2006-02-15 05:03:42'
FROM seq;

INSERT INTO film_note (film_id, title, description)
SELECT film_id, title, description FROM film;

INSERT INTO film_person (person_id, film_id, last_update)
WITH RECURSIVE seq (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < 5461)
SELECT DISTINCT 1 + n % 200, 1 + (n * 7) % 1000, '2006-02-15 05:05:03' FROM seq;

INSERT INTO place (place_id, address, district, postal_code, location, last_update)
WITH RECURSIVE seq (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 603)
SELECT n, CONCAT(n, ' Main Street'), ELT(1 + n % 4, 'Québec', 'Zürich', 'Ñuñoa', 'Alberta'),
       IF(n % 10 = 0, NULL, LPAD(n * 37 % 99999, 5, '0')),
       POINT(-180 + n % 360 + 0.25, -90 + n % 180 + 0.5), '2014-09-25 22:30:27'
FROM seq;

INSERT INTO staff (staff_id, first_name, picture, email, active, password, last_update) VALUES
  (1, 'Mike', UNHEX('89504E470D0A1A0A0000000D49484452000000'), 'Mike.Hillyer@sakilastaff.com', 1,
   '8cb2237d0679ca88db6464eac60da96345513964', '2006-02-15 03:57:16'),
  (2, 'Jon', NULL, 'Jon.Stephens@sakilastaff.com', 1, NULL, '2006-02-15 03:57:16'),
  (3, 'Zoë', UNHEX('00FF00'), NULL, 0, NULL, '2006-02-15 03:57:16');

INSERT INTO payment (payment_id, person_id, amount, payment_date, measured, ratio, last_update)
WITH RECURSIVE seq (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 16049)
SELECT n, 1 + n % 200, 0.99 + (n % 10), '2005-05-24 22:53:30' + INTERVAL n * 397 SECOND,
       IF(n % 5 = 0, NULL, n / 7.0 + 1e-9), IF(n % 3 = 0, NULL, n / 3.0),
       IF(n % 1000 = 0, NULL, '2006-02-15 22:12:30')
FROM seq;
