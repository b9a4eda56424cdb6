# Builds the consumer program of a project that vendors cbound: the archive consumer where
# libarchive was found, else the core one. -Werror: cbound's headers must arrive as SYSTEM.
if(TARGET cbound::archive)
  add_executable(consumer "${CMAKE_CURRENT_LIST_DIR}/archive_main.cpp")
  target_link_libraries(consumer PRIVATE cbound::archive)
else()
  add_executable(consumer "${CMAKE_CURRENT_LIST_DIR}/core_main.cpp")
  target_link_libraries(consumer PRIVATE cbound::core)
endif()
target_compile_options(consumer PRIVATE -Wall -Wextra -Wpedantic -Werror)
