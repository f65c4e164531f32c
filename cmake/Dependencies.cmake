# Debian 12 packages only. libpqxx and MariaDB Connector/C ship pkg-config files, not CMake configs.
find_package(PkgConfig REQUIRED)
pkg_check_modules(PQXX REQUIRED IMPORTED_TARGET libpqxx)
# COPY data goes to libpq directly (src/postgres/load.cpp); libpqxx.pc does not name it.
pkg_check_modules(PQ REQUIRED IMPORTED_TARGET libpq)
pkg_check_modules(MARIADB REQUIRED IMPORTED_TARGET libmariadb)
find_package(SQLiteCpp REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(Threads REQUIRED)
# SHA-256 for the mask transformation: libcrypto rather than hand-written cryptography.
find_package(OpenSSL REQUIRED)
# Alerts by mail (SMTP) and webhook (HTTPS).
find_package(CURL REQUIRED)
if(MIGRATE_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
