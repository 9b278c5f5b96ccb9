# Runs ${EXE} ${ARGS} twice as separate processes and fails unless both print the same output.
# Used by the sim_determinism_across_processes ctest (see sim/CMakeLists.txt).
separate_arguments(args UNIX_COMMAND "${ARGS}")
execute_process(COMMAND ${EXE} ${args} OUTPUT_VARIABLE first RESULT_VARIABLE rc1)
execute_process(COMMAND ${EXE} ${args} OUTPUT_VARIABLE second RESULT_VARIABLE rc2)
if(NOT rc1 EQUAL 0 OR NOT rc2 EQUAL 0)
  message(FATAL_ERROR "orrery_sim_hash failed: ${rc1} ${rc2}")
endif()
if(NOT first STREQUAL second)
  message(FATAL_ERROR "runs differ across processes:\n${first}${second}")
endif()
message(STATUS "identical across processes: ${first}")
