# Runs one compile-fail test (see CMakeLists.txt here): the allowed twin must build, the
# forbidden one must not, and its diagnostics must match the expected regex.
#   cmake -D BUILD_DIR=... -D CONFIG=... -D ALLOWED_TARGET=... -D FORBIDDEN_TARGET=...
#         -D EXPECT_FILE=... -P expect_compile_failure.cmake
#   cmake -D COMPILER=... -D SOURCE=... -D OPTIONS=a|b -D INCLUDES=a|b -D DEFINITIONS=a|b
#         -D EXPECT_FILE=... -P expect_compile_failure.cmake

set(ENV{LC_ALL} C) # ASCII quotes in GCC's diagnostics, so the regexes stay simple
file(READ ${EXPECT_FILE} expect)

# Either build the two object targets of this tree, or run another compiler on the file.
if(COMPILER)
  foreach(list IN ITEMS OPTIONS INCLUDES DEFINITIONS)
    string(REPLACE "|" ";" ${list} "${${list}}")
  endforeach()
  list(TRANSFORM INCLUDES PREPEND -I)
  list(TRANSFORM DEFINITIONS PREPEND -D)
  set(compile ${COMPILER} -fsyntax-only ${OPTIONS} ${INCLUDES} ${DEFINITIONS} ${SOURCE})
  set(allowed_command ${compile} -DCBOUND_FORBIDDEN=0)
  set(forbidden_command ${compile} -DCBOUND_FORBIDDEN=1)
  set(what "${SOURCE} with ${COMPILER}")
else()
  set(config_args)
  if(CONFIG)
    set(config_args --config ${CONFIG})
  endif()
  set(allowed_command ${CMAKE_COMMAND} --build ${BUILD_DIR} --target ${ALLOWED_TARGET} ${config_args})
  set(forbidden_command ${CMAKE_COMMAND} --build ${BUILD_DIR} --target ${FORBIDDEN_TARGET} ${config_args})
  set(what ${FORBIDDEN_TARGET})
endif()

execute_process(COMMAND ${allowed_command}
  RESULT_VARIABLE allowed_result OUTPUT_VARIABLE allowed_output ERROR_VARIABLE allowed_output)
if(NOT allowed_result EQUAL 0)
  message(FATAL_ERROR "${what}: the file without the forbidden line does not compile, "
    "so the compile-fail test would prove nothing:\n${allowed_output}")
endif()

execute_process(COMMAND ${forbidden_command}
  RESULT_VARIABLE forbidden_result OUTPUT_VARIABLE forbidden_output ERROR_VARIABLE forbidden_output)
if(forbidden_result EQUAL 0)
  message(FATAL_ERROR "${what} compiled with CBOUND_FORBIDDEN=1, but it must be rejected:\n${forbidden_output}")
endif()
if(NOT forbidden_output MATCHES "${expect}")
  message(FATAL_ERROR "${what} failed to compile, but not with the expected diagnostic\n"
    "expected (regex): ${expect}\noutput:\n${forbidden_output}")
endif()
message(STATUS "${what}: rejected as expected")
