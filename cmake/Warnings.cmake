# Our warning set, applied only to Archway's own targets (never to third-party
# headers, which are included as SYSTEM). -Wshadow=local is gcc's spelling;
# clang (used for the fuzz build) gets -Wshadow instead.
function(archway_target_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror -Wnon-virtual-dtor
                                           -Wimplicit-fallthrough)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -Wshadow=local)
  endif()
endfunction()
