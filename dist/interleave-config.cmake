# interleave-config.cmake: what find_package(interleave) loads (installed
# by `make install` to PREFIX/lib/cmake/interleave/; point CMAKE_PREFIX_PATH
# or interleave_DIR at it when PREFIX is not searched by default).
#
# It defines:
#   INTERLEAVE_EXECUTABLE    the interleave command
#   INTERLEAVE_INCLUDE_DIR   where interleave.h (the annotations) is
#   interleave::interleave   an INTERFACE target adding that directory:
#                            target_link_libraries(prog PRIVATE interleave::interleave)
#                            (nothing is linked: the annotations are weak)
#   interleave_add_test(NAME COMMAND program [args...]
#                       [OPTIONS interleave-run-options...]
#                       [WORKING_DIRECTORY dir])
#     A ctest test that runs `interleave run OPTIONS... -- program args...`.
#     It fails when interleave finds a bug (exit 1), cannot reproduce a
#     failure (3), or cannot run the program at all (2); set WILL_FAIL on a
#     test that must find its bug.  `program` may be an executable target of
#     the project.  Schedule files go to
#     ${CMAKE_CURRENT_BINARY_DIR}/interleave-out/NAME unless OPTIONS has
#     its own --out.  The test is labelled `interleave` (ctest -L interleave).
#     OPTIONS, COMMAND and WORKING_DIRECTORY are keywords wherever they
#     appear, so the program's own arguments cannot be these words.
#
# Example:
#   find_package(interleave REQUIRED)
#   add_executable(queue_test queue_test.c)
#   target_link_libraries(queue_test PRIVATE interleave::interleave Threads::Threads)
#   interleave_add_test(queue_test_interleavings COMMAND queue_test
#                       OPTIONS --seed 1 --runs 2000)

# This file is PREFIX/lib/cmake/interleave/interleave-config.cmake: the
# prefix is three levels up, wherever the tree was installed or moved to.
get_filename_component(_interleave_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)

if(NOT EXISTS "${_interleave_prefix}/bin/interleave")
  set(interleave_FOUND FALSE)
  set(interleave_NOT_FOUND_MESSAGE
      "${_interleave_prefix}/bin/interleave is missing: reinstall interleave (make install PREFIX=...)")
  unset(_interleave_prefix)
  return()
endif()

set(INTERLEAVE_EXECUTABLE "${_interleave_prefix}/bin/interleave")
set(INTERLEAVE_INCLUDE_DIR "${_interleave_prefix}/include")
# For interleave_add_test called from any directory of the project.
set_property(GLOBAL PROPERTY INTERLEAVE_EXECUTABLE "${INTERLEAVE_EXECUTABLE}")
unset(_interleave_prefix)

if(NOT TARGET interleave::interleave)
  add_library(interleave::interleave INTERFACE IMPORTED)
  set_target_properties(interleave::interleave PROPERTIES
                        INTERFACE_INCLUDE_DIRECTORIES "${INTERLEAVE_INCLUDE_DIR}")
endif()

function(interleave_add_test NAME)
  cmake_parse_arguments(PARSE_ARGV 1 _il "" "WORKING_DIRECTORY" "COMMAND;OPTIONS")
  if(_il_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "interleave_add_test(${NAME}): unexpected arguments: ${_il_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT _il_COMMAND)
    message(FATAL_ERROR "interleave_add_test(${NAME}): COMMAND program [args...] is required")
  endif()
  get_property(_exe GLOBAL PROPERTY INTERLEAVE_EXECUTABLE)
  # An executable target of the project: its file, as add_test would do
  # for a first argument.
  list(GET _il_COMMAND 0 _prog)
  if(TARGET "${_prog}")
    get_target_property(_type "${_prog}" TYPE)
    if(_type STREQUAL "EXECUTABLE")
      list(REMOVE_AT _il_COMMAND 0)
      list(INSERT _il_COMMAND 0 "$<TARGET_FILE:${_prog}>")
    endif()
  endif()
  set(_wd)
  if(_il_WORKING_DIRECTORY)
    set(_wd WORKING_DIRECTORY "${_il_WORKING_DIRECTORY}")
  endif()
  # The default --out first: a --out in OPTIONS comes later and wins.
  add_test(NAME "${NAME}"
           COMMAND "${_exe}" run --out "${CMAKE_CURRENT_BINARY_DIR}/interleave-out/${NAME}"
                   ${_il_OPTIONS} -- ${_il_COMMAND}
           ${_wd})
  set_property(TEST "${NAME}" APPEND PROPERTY LABELS interleave)
endfunction()
