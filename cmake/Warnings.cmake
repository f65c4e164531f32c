# Warnings apply to the project's own targets through this interface library.
add_library(migrate_warnings INTERFACE)
target_compile_options(migrate_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
  # Designated initialisers that leave members at their defaults are intended.
  -Wno-missing-field-initializers)
if(MIGRATE_WERROR)
  target_compile_options(migrate_warnings INTERFACE -Werror)
endif()
if(MIGRATE_SANITIZE)
  target_compile_options(migrate_warnings INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer)
  target_link_options(migrate_warnings INTERFACE -fsanitize=address,undefined)
endif()
