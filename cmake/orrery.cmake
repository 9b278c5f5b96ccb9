# Helpers shared by every layer's CMakeLists.txt.

# orrery_library(NAME SOURCES... DEPS ...): one library per folder, headers included as "folder/x.h".
function(orrery_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
endfunction()

# orrery_test(NAME SOURCES... DEPS ...): a Catch2 test binary, registered with ctest per TEST_CASE.
# Tests run from the source folder, so "testdata/..." paths resolve next to the code.
function(orrery_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} orrery_test_main Catch2::Catch2 rapidcheck)
  catch_discover_tests(${name} WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}
                       PROPERTIES TIMEOUT 600)
endfunction()
