# Runs one compile-fail test (see CMakeLists.txt here): the allowed twin must build, the
# forbidden target must not, and its diagnostics must match the expected regex.
#   cmake -D BUILD_DIR=... -D CONFIG=... -D ALLOWED_TARGET=... -D FORBIDDEN_TARGET=...
#         -D EXPECT_FILE=... -P expect_compile_failure.cmake

set(ENV{LC_ALL} C) # ASCII quotes in GCC's diagnostics, so the regexes stay simple
file(READ ${EXPECT_FILE} expect)

set(config_args)
if(CONFIG)
  set(config_args --config ${CONFIG})
endif()

execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD_DIR} --target ${ALLOWED_TARGET} ${config_args}
  RESULT_VARIABLE allowed_result OUTPUT_VARIABLE allowed_output ERROR_VARIABLE allowed_output)
if(NOT allowed_result EQUAL 0)
  message(FATAL_ERROR "${ALLOWED_TARGET} (the same file without the forbidden line) does not compile, "
    "so the compile-fail test would prove nothing:\n${allowed_output}")
endif()

execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD_DIR} --target ${FORBIDDEN_TARGET} ${config_args}
  RESULT_VARIABLE forbidden_result OUTPUT_VARIABLE forbidden_output ERROR_VARIABLE forbidden_output)
if(forbidden_result EQUAL 0)
  message(FATAL_ERROR "${FORBIDDEN_TARGET} compiled, but it must be rejected:\n${forbidden_output}")
endif()
if(NOT forbidden_output MATCHES "${expect}")
  message(FATAL_ERROR "${FORBIDDEN_TARGET} failed to compile, but not with the expected diagnostic\n"
    "expected (regex): ${expect}\noutput:\n${forbidden_output}")
endif()
message(STATUS "${FORBIDDEN_TARGET}: rejected as expected")
