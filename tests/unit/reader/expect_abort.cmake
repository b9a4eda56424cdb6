# Runs PROGRAM with ARG and passes only when it fails and its stderr matches EXPECT.
execute_process(COMMAND ${PROGRAM} ${ARG} RESULT_VARIABLE result ERROR_VARIABLE err OUTPUT_VARIABLE out)
if(result EQUAL 0)
  message(FATAL_ERROR "expected ${PROGRAM} ${ARG} to stop, it exited 0: ${out}")
endif()
if(NOT err MATCHES "${EXPECT}")
  message(FATAL_ERROR "stderr of ${PROGRAM} ${ARG} does not match '${EXPECT}': ${err}")
endif()
message(STATUS "stopped as expected (${result}): ${err}")
