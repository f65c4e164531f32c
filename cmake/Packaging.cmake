# Install rules, the migrate(1) man page and the Debian package (CPack).
#
# `cmake --install build --prefix P` puts everything under P with the GNUInstallDirs layout:
# P/bin/migrate, P/share/man/man1/migrate.1.gz, P/share/doc/migrate/ (README, examples/),
# P/etc/migrate/ and P/etc/cron.d/migrate, P/lib/systemd/system/migrate.{service,timer}.
# scripts/package.sh configures a tree of its own with the Debian layout (prefix /usr,
# CMAKE_INSTALL_SYSCONFDIR=/etc, MIGRATE_SYSTEMD_UNIT_DIR=/lib/systemd/system) and runs cpack.
# The units and the cron file name /usr/bin/migrate and /etc/migrate, the package's paths.

include(GNUInstallDirs)

set(MIGRATE_SYSTEMD_UNIT_DIR "lib/systemd/system"
    CACHE STRING "systemd system units, relative to the prefix or absolute")

# The man page, from docs/migrate.1.md, with Debian's pandoc. build/man/man1/migrate.1 can be read
# with `man -l` or MANPATH=build/man.
find_program(MIGRATE_PANDOC pandoc)
find_program(MIGRATE_GZIP gzip)
if(NOT MIGRATE_PANDOC)
  message(FATAL_ERROR "pandoc is needed to build the man page: apt-get install pandoc "
                      "(scripts/install-deps.sh --build-only installs it)")
endif()
if(NOT MIGRATE_GZIP)
  message(FATAL_ERROR "gzip not found")
endif()

set(MIGRATE_MAN_DIR ${PROJECT_BINARY_DIR}/man/man1)
configure_file(${PROJECT_SOURCE_DIR}/docs/migrate.1.md ${PROJECT_BINARY_DIR}/migrate.1.md @ONLY)
add_custom_command(
  OUTPUT ${MIGRATE_MAN_DIR}/migrate.1 ${MIGRATE_MAN_DIR}/migrate.1.gz
  COMMAND ${CMAKE_COMMAND} -E make_directory ${MIGRATE_MAN_DIR}
  COMMAND ${MIGRATE_PANDOC} --standalone --from markdown --to man
          --output ${MIGRATE_MAN_DIR}/migrate.1 ${PROJECT_BINARY_DIR}/migrate.1.md
  # -n: no name or time stamp in the archive, so the package is reproducible.
  COMMAND ${MIGRATE_GZIP} -9nc ${MIGRATE_MAN_DIR}/migrate.1 > ${MIGRATE_MAN_DIR}/migrate.1.gz
  DEPENDS ${PROJECT_BINARY_DIR}/migrate.1.md
  COMMENT "Generating the migrate(1) man page"
  VERBATIM)

# Debian wants the changelog and the larger documents compressed.
set(MIGRATE_DEB_VERSION ${PROJECT_VERSION})
configure_file(${PROJECT_SOURCE_DIR}/packaging/debian/changelog
               ${PROJECT_BINARY_DIR}/doc/changelog @ONLY)
add_custom_command(
  OUTPUT ${PROJECT_BINARY_DIR}/doc/changelog.gz ${PROJECT_BINARY_DIR}/doc/README.md.gz
  COMMAND ${MIGRATE_GZIP} -9nc ${PROJECT_BINARY_DIR}/doc/changelog > ${PROJECT_BINARY_DIR}/doc/changelog.gz
  COMMAND ${MIGRATE_GZIP} -9nc ${PROJECT_SOURCE_DIR}/README.md > ${PROJECT_BINARY_DIR}/doc/README.md.gz
  DEPENDS ${PROJECT_BINARY_DIR}/doc/changelog ${PROJECT_SOURCE_DIR}/README.md
  VERBATIM)
# The user guide README.md links to, beside it as docs/*.md.gz.
set(MIGRATE_GUIDE change-detection configuration cutover mysql-compatibility operations performance
    type-mapping validation)
set(MIGRATE_GUIDE_FILES)
foreach(page IN LISTS MIGRATE_GUIDE)
  add_custom_command(
    OUTPUT ${PROJECT_BINARY_DIR}/doc/docs/${page}.md.gz
    COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/doc/docs
    COMMAND ${MIGRATE_GZIP} -9nc ${PROJECT_SOURCE_DIR}/docs/${page}.md > ${PROJECT_BINARY_DIR}/doc/docs/${page}.md.gz
    DEPENDS ${PROJECT_SOURCE_DIR}/docs/${page}.md
    VERBATIM)
  list(APPEND MIGRATE_GUIDE_FILES ${PROJECT_BINARY_DIR}/doc/docs/${page}.md.gz)
endforeach()
add_custom_target(migrate_docs ALL
  DEPENDS ${MIGRATE_MAN_DIR}/migrate.1.gz ${PROJECT_BINARY_DIR}/doc/changelog.gz
          ${PROJECT_BINARY_DIR}/doc/README.md.gz ${MIGRATE_GUIDE_FILES})

install(TARGETS migrate RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${MIGRATE_MAN_DIR}/migrate.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${PROJECT_BINARY_DIR}/doc/changelog.gz ${PROJECT_BINARY_DIR}/doc/README.md.gz
              ${PROJECT_SOURCE_DIR}/packaging/debian/copyright
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${MIGRATE_GUIDE_FILES} DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs)
# The configuration as shipped, for reference once /etc/migrate has been edited.
install(FILES ${PROJECT_SOURCE_DIR}/packaging/etc/database.yaml
              ${PROJECT_SOURCE_DIR}/packaging/etc/table_mapping.yaml
              ${PROJECT_SOURCE_DIR}/packaging/etc/migrate.yaml
              ${PROJECT_SOURCE_DIR}/packaging/etc/env
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)

# The configuration (conffiles in the package; postinst gives them group migrate and mode 0640).
install(FILES ${PROJECT_SOURCE_DIR}/packaging/etc/database.yaml
              ${PROJECT_SOURCE_DIR}/packaging/etc/table_mapping.yaml
              ${PROJECT_SOURCE_DIR}/packaging/etc/migrate.yaml
              ${PROJECT_SOURCE_DIR}/packaging/etc/env
        DESTINATION ${CMAKE_INSTALL_SYSCONFDIR}/migrate)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/cron/migrate DESTINATION ${CMAKE_INSTALL_SYSCONFDIR}/cron.d)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/systemd/migrate.service
              ${PROJECT_SOURCE_DIR}/packaging/systemd/migrate.timer
        DESTINATION ${MIGRATE_SYSTEMD_UNIT_DIR})

# The Debian package: cpack -G DEB (scripts/package.sh).
set(CPACK_PACKAGE_NAME migrate)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "The migrate authors")
set(CPACK_PACKAGE_CONTACT "migrate maintainers <maintainers@example.com>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "keeps PostgreSQL tables in step with MySQL/MariaDB tables")
set(CPACK_PACKAGE_DESCRIPTION
    "migrate reads what changed in MySQL or MariaDB since its last run,\n"
    "converts it to PostgreSQL types and merges it into the target tables by\n"
    "primary key. Positions, run history and quarantined rows are kept in a\n"
    "local SQLite state file, and a position is saved only after PostgreSQL\n"
    "committed the rows it covers, so a run is safe to re-run or kill.\n"
    "\n"
    "The package ships a systemd service and weekly timer and a cron.d file,\n"
    "all disabled until the administrator enables one, and the configuration\n"
    "in /etc/migrate.")
string(JOIN "" CPACK_PACKAGE_DESCRIPTION ${CPACK_PACKAGE_DESCRIPTION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION database)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://example.com/migrate")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# postinst creates the user with adduser; the scripts use dpkg-statoverride (dpkg itself).
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "cron | cron-daemon, mariadb-client, postgresql-client")
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/debian/conffiles
    ${PROJECT_SOURCE_DIR}/packaging/debian/postinst
    ${PROJECT_SOURCE_DIR}/packaging/debian/prerm
    ${PROJECT_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_SOURCE_GENERATOR "")
include(CPack)
