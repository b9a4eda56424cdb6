# Drives one consumer test (cmake -P). Variables:
#   MODE=install   PREFIX: installs the enclosing cbound build (BUILD_TREE) into PREFIX afresh
#                  and checks that every header under SOURCE_INCLUDE was installed (the
#                  archive ones only when WITH_ARCHIVE is true).
#   MODE=cmake     SOURCE, BINARY, GENERATOR, CXX, CXX_FLAGS, BUILD_TYPE, ARGS ("|"-separated
#                  -D options), EXPECT (regex on the program's output) or EXPECT_FAILURE
#                  (regex the failed configure must print), SYSTEM_INCLUDE (a folder that
#                  must reach the compiler as -isystem, never -I).
#   MODE=pkgconfig PREFIX, PACKAGES ("|"-separated), MAIN, BINARY, CXX, CXX_FLAGS, EXPECT.
cmake_minimum_required(VERSION 3.24)

function(fail)
  string(JOIN "" text ${ARGN})
  message(FATAL_ERROR "${text}")
endfunction()

# Runs the consumer program and checks that its output matches EXPECT.
function(run_and_match program)
  execute_process(COMMAND "${program}" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  message(STATUS "consumer printed: ${out}${err}")
  if(NOT rc EQUAL 0)
    fail("the consumer program exited with ${rc}")
  endif()
  if(NOT out MATCHES "${EXPECT}")
    fail("the consumer's output does not match '${EXPECT}'")
  endif()
endfunction()

string(REPLACE "|" ";" ARGS "${ARGS}")
string(REPLACE "|" ";" PACKAGES "${PACKAGES}")
separate_arguments(flags UNIX_COMMAND "${CXX_FLAGS}")

if(MODE STREQUAL "install")
  file(REMOVE_RECURSE "${PREFIX}")
  execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_TREE}" --prefix "${PREFIX}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    fail("cmake --install failed (${rc})")
  endif()
  message(STATUS "cbound installed into ${PREFIX}")
  # A header left out of a FILE_SET builds fine in-tree but breaks every installed consumer.
  file(GLOB_RECURSE in_source RELATIVE "${SOURCE_INCLUDE}" "${SOURCE_INCLUDE}/*.hpp")
  file(GLOB_RECURSE in_prefix RELATIVE "${PREFIX}/include" "${PREFIX}/include/*.hpp")
  if(NOT WITH_ARCHIVE)
    list(FILTER in_source EXCLUDE REGEX "^cbound/archive(\\.hpp|/)")
  endif()
  list(REMOVE_ITEM in_source ${in_prefix})
  if(in_source)
    list(JOIN in_source "\n  " missing)
    fail("these headers are not installed (add them to their target's FILE_SET):\n  ${missing}")
  endif()
  list(LENGTH in_prefix count)
  message(STATUS "all ${count} headers of the source tree are installed")

elseif(MODE STREQUAL "cmake")
  file(REMOVE_RECURSE "${BINARY}")
  execute_process(
    COMMAND "${CMAKE_COMMAND}" -S "${SOURCE}" -B "${BINARY}" -G "${GENERATOR}" "-DCMAKE_CXX_COMPILER=${CXX}"
      "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}" "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON ${ARGS}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  message(STATUS "configure output:\n${out}${err}")
  if(DEFINED EXPECT_FAILURE)
    if(rc EQUAL 0)
      fail("configuring the consumer succeeded, but it must fail")
    endif()
    if(NOT "${out}${err}" MATCHES "${EXPECT_FAILURE}")
      fail("configuring failed, but without the expected message '${EXPECT_FAILURE}'")
    endif()
    message(STATUS "configuring failed as expected, with the expected message")
    return()
  endif()
  if(NOT rc EQUAL 0)
    fail("configuring the consumer failed (${rc})")
  endif()
  execute_process(COMMAND "${CMAKE_COMMAND}" --build "${BINARY}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    fail("building the consumer failed (${rc})")
  endif()
  if(DEFINED SYSTEM_INCLUDE)
    file(READ "${BINARY}/compile_commands.json" commands)
    # string(FIND), not MATCHES: a folder name may hold regex characters such as "+".
    string(FIND "${commands}" "-isystem ${SYSTEM_INCLUDE} " as_system)
    string(FIND "${commands}" "-I${SYSTEM_INCLUDE} " as_plain)
    if(as_system EQUAL -1)
      fail("cbound's include folder ${SYSTEM_INCLUDE} does not reach the consumer as -isystem")
    endif()
    if(NOT as_plain EQUAL -1)
      fail("cbound's include folder ${SYSTEM_INCLUDE} reaches the consumer as -I")
    endif()
    message(STATUS "cbound's include folder reaches the consumer as -isystem")
  endif()
  run_and_match("${BINARY}/consumer")

elseif(MODE STREQUAL "pkgconfig")
  find_program(pkg_config pkg-config REQUIRED)
  set(ENV{PKG_CONFIG_PATH} "${PREFIX}/share/pkgconfig")
  execute_process(COMMAND "${pkg_config}" --cflags --libs ${PACKAGES}
    RESULT_VARIABLE rc OUTPUT_VARIABLE pc_flags OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT rc EQUAL 0)
    fail("pkg-config --cflags --libs ${PACKAGES} failed (${rc})")
  endif()
  message(STATUS "pkg-config --cflags --libs ${PACKAGES}: ${pc_flags}")
  string(FIND "${pc_flags}" "-I${PREFIX}/" in_prefix)
  if(in_prefix EQUAL -1)
    fail("pkg-config does not point into the install prefix ${PREFIX}")
  endif()
  separate_arguments(pc_flags UNIX_COMMAND "${pc_flags}")
  file(MAKE_DIRECTORY "${BINARY}")
  execute_process(
    COMMAND "${CXX}" -std=c++20 -Wall -Wextra -Wpedantic -Werror ${flags} "${MAIN}" -o "${BINARY}/consumer" ${pc_flags}
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    fail("compiling the consumer with pkg-config's flags failed (${rc})")
  endif()
  run_and_match("${BINARY}/consumer")

else()
  fail("unknown MODE '${MODE}'")
endif()
